"""The bureau's side of the catalogue in the Wagtail admin (殡葬管理科).

Providers with verification (a reason and the evidence for every decision, kept as history),
categories, guide prices (append-only ceiling versions: "新增限价版本", never an edit, with the
report of the providers a new ceiling affects), standard packages, provider memberships, the
queue of flagged prices (accept / query) and a read-only audit listing of every price change.
Price versions can't be added, edited or deleted here: their permission policy refuses it, as
does the model. Every listing exports CSV/XLSX (``core.admin_queues.SafeExportIndexView``).
"""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button, ListingButton
from wagtail.documents import get_document_model
from wagtail.documents.widgets import AdminDocumentChooser
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy

from core.admin_audit import AuditedEditView
from core.admin_display import ReadableInspectView
from core.admin_policies import APPEND_ONLY, VIEW_ONLY, RefusingPolicy
from core.admin_queues import SafeExportIndexView

from .admin_flags import PriceFlagViewSet
from .models import (
    GuidePrice,
    PriceVersion,
    Provider,
    ProviderMembership,
    ServiceCategory,
    StandardPackage,
)
from .services.ceilings import LOG_ACTION as CEILING_ACTION
from .services.ceilings import affected_prices, ceiling_history, record_ceiling, validate_new_ceiling
from .services.verification import (
    UNVERIFIED_ACTION,
    VERIFIED_ACTION,
    record_verification,
    verification_errors,
)

register_permission_policy(PriceVersion, RefusingPolicy(PriceVersion, VIEW_ONLY))
# Ceilings are history (F2, issue 23 point 6): a change is a new version, never an edit.
register_permission_policy(GuidePrice, RefusingPolicy(GuidePrice, APPEND_ONLY))


class ProviderAdminForm(WagtailAdminModelForm):
    """Ticking or unticking 已核验 is a decision: it needs a reason and the evidence, kept in the
    provider's verification history (``services.verification``) and the audit log."""

    verification_reason = forms.CharField(
        label=_("核验原因"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("勾选或取消“民政局已核验”时必填：核验或取消核验的理由。"),
    )
    verification_evidence = forms.CharField(
        label=_("证明材料编号"),
        required=False,
        max_length=120,
        help_text=_("勾选或取消“民政局已核验”时必填：如许可证号、现场检查记录编号。"),
    )
    verification_document = forms.ModelChoiceField(
        label=_("证明材料文件"),
        required=False,
        queryset=get_document_model().objects.all(),
        widget=AdminDocumentChooser,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A decision's reason starts empty: the last one is in the verification history.
        for name in ("verification_reason", "verification_evidence", "verification_document"):
            self.initial[name] = None

    @property
    def verification_changed(self):
        return "is_verified" in self.changed_data

    def clean(self):
        cleaned = super().clean()
        if self.verification_changed:
            errors = verification_errors(
                cleaned.get("verification_reason"), cleaned.get("verification_evidence")
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return cleaned

    def save(self, commit=True):
        provider = super().save(commit=False)
        if commit:
            provider.save()
            self.save_m2m()
            if self.verification_changed:
                record_verification(
                    provider,
                    verified=self.cleaned_data["is_verified"],
                    reason=self.cleaned_data["verification_reason"],
                    evidence_reference=self.cleaned_data["verification_evidence"],
                    evidence_document=self.cleaned_data.get("verification_document"),
                    user=self.for_user,
                )
        return provider


class ProviderInspectView(ReadableInspectView):
    """The provider's page in the admin, with its verification history (newest first)."""

    template_name = "catalogue/admin/providers/inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["verifications"] = self.object.verifications.select_related("evidence_document").order_by(
            "-recorded_at", "-id"
        )
        return context


class ProviderViewSet(ModelViewSet):
    model = Provider
    edit_view_class = AuditedEditView  # logged field by field (core.admin_audit)
    icon = "home"
    menu_label = _("殡葬服务机构")
    list_display = ["name", "type", "district", "is_published", "is_verified", "updated_at"]
    list_filter = ["type", "district", "is_published", "is_verified"]
    search_fields = ["name", "slug", "licence_number"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = ProviderInspectView
    inspect_view_fields = [
        "name",
        "slug",
        "type",
        "district",
        "address",
        "phone",
        "licence_number",
        "licence_expires",
        "supervising_authority",
        "complaint_hotline",
        "is_published",
        "is_verified",
        "verified_at",
        "verified_by",
        "created_at",
        "updated_at",
    ]
    index_view_class = SafeExportIndexView
    list_export = [
        "name",
        "slug",
        "get_type_display",
        "get_district_display",
        "address",
        "phone",
        "licence_number",
        "licence_expires",
        "supervising_authority",
        "complaint_hotline",
        "is_published",
        "is_verified",
        "verified_at",
        "updated_at",
    ]
    export_headings = {
        "name": _("名称"),
        "slug": _("网址标识"),
        "get_type_display": _("机构类型"),
        "get_district_display": _("所在区"),
        "address": _("地址"),
        "phone": _("联系电话"),
        "licence_number": _("经营许可证号"),
        "licence_expires": _("许可证有效期至"),
        "supervising_authority": _("主管部门"),
        "complaint_hotline": _("投诉电话"),
        "is_published": _("已公开"),
        "is_verified": _("民政局已核验"),
        "verified_at": _("核验时间"),
        "updated_at": _("更新时间"),
    }
    export_filename = "providers"
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
                    FieldRowPanel([FieldPanel("type"), FieldPanel("district")]),
                    FieldPanel("address"),
                    FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                    FieldRowPanel([FieldPanel("phone"), FieldPanel("opening_hours")]),
                    FieldPanel("service_area"),
                    FieldPanel("description"),
                    FieldPanel("plot_term_years"),
                    InlinePanel("photos", label=_("机构照片")),
                ],
                heading=_("基本信息"),
            ),
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("licence_number"), FieldPanel("licence_expires")]),
                    FieldRowPanel([FieldPanel("supervising_authority"), FieldPanel("complaint_hotline")]),
                    FieldPanel("procedure"),
                ],
                heading=_("价格公示（F3）"),
            ),
            ObjectList(
                [
                    FieldPanel("ownership_disclosure"),
                    FieldPanel("referral_disclosure"),
                    FieldPanel("deposit_terms"),
                    FieldPanel("deposit_percent"),
                    FieldPanel("payment_schedule"),
                    FieldPanel("confirmation_hours"),
                    FieldPanel("cancellation_terms"),
                    FieldPanel("refund_terms"),
                ],
                heading=_("条款与披露（F8）"),
            ),
            ObjectList(
                [
                    MultiFieldPanel(
                        [
                            FieldPanel("is_published"),
                            FieldPanel("is_verified"),
                            FieldPanel("verification_reason"),
                            FieldPanel("verification_evidence"),
                            FieldPanel("verification_document"),
                        ],
                        heading=_("核验与公开"),
                    )
                ],
                heading=_("核验"),
            ),
        ],
        base_form_class=ProviderAdminForm,
    )


class ServiceCategoryViewSet(ModelViewSet):
    model = ServiceCategory
    edit_view_class = AuditedEditView  # logged field by field (core.admin_audit)
    icon = "list-ul"
    menu_label = _("服务类别")
    list_display = ["name", "code", "parent", "kind", "is_basic", "f7_free", "cemetery_component"]
    list_filter = ["kind", "is_basic", "f7_free"]
    search_fields = ["name", "code"]
    copy_view_enabled = False
    index_view_class = SafeExportIndexView
    list_export = [
        "code",
        "name",
        "name_en",
        "parent",
        "get_kind_display",
        "is_basic",
        "f7_free",
        "get_cemetery_component_display",
        "sort_order",
    ]
    export_headings = {
        "code": _("代码"),
        "name": _("名称"),
        "name_en": _("英文名称"),
        "parent": _("上级类别"),
        "get_kind_display": _("类型"),
        "is_basic": _("属于基本殡葬服务"),
        "f7_free": _("海葬、自然葬免费项目"),
        "get_cemetery_component_display": _("墓位价格组成"),
        "sort_order": _("排序"),
    }
    export_filename = "service_categories"
    form_fields = [
        "code",
        "name",
        "name_en",
        "parent",
        "kind",
        "is_basic",
        "f7_free",
        "cemetery_component",
        "description",
        "sort_order",
    ]


class GuidePriceForm(WagtailAdminModelForm):
    """A new ceiling version (F2): never an edit of one. The effective date is today or later,
    and the reason and the document number are required."""

    class Meta:
        model = GuidePrice
        fields = [
            "category",
            "basis",
            "ceiling",
            "effective_from",
            "reason",
            "document_reference",
            "document",
        ]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True
        self.fields["effective_from"].help_text = _(
            "新限价自该日起执行：不能早于今天；可以是将来的日期。已发布的价格不受追溯，但该日起高于限价的新价格不能发布。"
        )

    def clean(self):
        cleaned = super().clean()
        errors = validate_new_ceiling(
            ceiling=cleaned.get("ceiling"),
            effective_from=cleaned.get("effective_from"),
            reason=cleaned.get("reason"),
            document_reference=cleaned.get("document_reference"),
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class GuidePriceCreateView(CreateView):
    """Record a new ceiling version; ``?from=<pk>`` starts from that version's category, basis
    and amount. After saving, the officer lands on the version's page with the report of the
    providers whose current prices are above it."""

    def get_initial(self):
        initial = super().get_initial()
        source = self.request.GET.get("from", "")
        if source.isdigit():
            guide = GuidePrice.objects.filter(pk=source).first()
            if guide is not None:
                initial.update(
                    {"category": guide.category_id, "basis": guide.basis, "ceiling": guide.ceiling}
                )
        return initial

    def save_instance(self):
        data = self.form.cleaned_data
        return record_ceiling(
            data["category"],
            data["basis"],
            ceiling=data["ceiling"],
            effective_from=data["effective_from"],
            reason=data["reason"],
            document_reference=data["document_reference"],
            document=data.get("document"),
            user=self.request.user,
        )

    def get_success_url(self):
        return reverse(self.index_url_name.replace(":index", ":inspect"), args=[self.object.pk])

    def get_success_message(self, instance):
        count = len({row.provider.pk for row in affected_prices(instance)})
        return ngettext(
            "已记录新的最高限价版本“%(object)s”。%(count)d 家机构的现行价格高于该限价，已向其发出预警。",
            "已记录新的最高限价版本“%(object)s”。%(count)d 家机构的现行价格高于该限价，已向其发出预警。",
            count,
        ) % {"object": instance, "count": count}

    def get_success_buttons(self):
        return []


class GuidePriceInspectView(ReadableInspectView):
    """One ceiling version: its facts, the providers whose current prices are above it (on its
    effective date), and the history of its category and basis."""

    template_name = "catalogue/admin/ceilings/inspect.html"

    def get_add_version_url(self):
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            return f"{reverse(self.index_url_name.replace(':index', ':add'))}?from={self.object.pk}"
        return None

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if url := self.get_add_version_url():
            buttons.append(Button(_("新增限价版本"), url=url, icon_name="plus", priority=5))
        return buttons

    def get_recorded_by_name_display_value(self):
        return self.object.recorded_by_name or "—"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = affected_prices(self.object)
        context.update(
            {
                "guide": self.object,
                "affected": rows,
                "affected_providers": len({row.provider.pk for row in rows}),
                "history": ceiling_history(self.object.category, self.object.basis),
                "add_version_url": self.get_add_version_url(),
            }
        )
        return context


class GuidePriceIndexView(SafeExportIndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            buttons.append(
                ListingButton(
                    _("新增限价版本"),
                    url=f"{reverse(self.add_url_name)}?from={instance.pk}",
                    icon_name="plus",
                    priority=5,
                )
            )
        return buttons


class GuidePriceViewSet(ModelViewSet):
    """Ceilings are append-only versions (F2): the admin adds a version (prefilled from the
    current one) and never edits or deletes one (``RefusingPolicy(APPEND_ONLY)``, and the model
    refuses too)."""

    model = GuidePrice
    icon = "doc-full"
    menu_label = _("指导价（最高限价）")
    index_view_class = GuidePriceIndexView
    add_view_class = GuidePriceCreateView
    inspect_view_class = GuidePriceInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "category",
        "basis",
        "ceiling",
        "effective_from",
        "reason",
        "document_reference",
        "recorded_by_name",
        "created_at",
    ]
    list_filter = ["basis", "category", "effective_from"]
    search_fields = ["category__name", "document_reference", "reason"]
    inspect_view_fields = [
        "category",
        "basis",
        "ceiling",
        "effective_from",
        "reason",
        "document_reference",
        "document",
        "previous",
        "recorded_by_name",
        "created_at",
    ]
    list_export = [
        "category",
        "get_basis_display",
        "ceiling",
        "effective_from",
        "reason",
        "document_reference",
        "recorded_by_name",
        "created_at",
    ]
    export_headings = {
        "category": _("类别"),
        "get_basis_display": _("价格性质"),
        "ceiling": _("最高限价（元）"),
        "effective_from": _("生效日期"),
        "reason": _("调整原因"),
        "document_reference": _("文件文号"),
        "recorded_by_name": _("记录人"),
        "created_at": _("记录时间"),
    }
    export_filename = "guide_prices"

    def get_form_class(self, for_update=False):
        return GuidePriceForm

    def get_queryset(self, request):
        return GuidePrice.objects.select_related("category")


class StandardPackageViewSet(ModelViewSet):
    model = StandardPackage
    edit_view_class = AuditedEditView  # logged field by field (core.admin_audit)
    icon = "clipboard-list"
    menu_label = _("标准服务包")
    list_display = ["name", "code", "reference_ceiling", "is_active"]
    copy_view_enabled = False
    index_view_class = SafeExportIndexView
    list_export = ["name", "code", "description", "reference_ceiling", "is_active"]
    export_headings = {
        "name": _("名称"),
        "code": _("代码"),
        "description": _("说明"),
        "reference_ceiling": _("参考上限（元）"),
        "is_active": _("启用"),
    }
    export_filename = "standard_packages"
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("reference_ceiling"), FieldPanel("is_active")]),
        InlinePanel("components", label=_("组成（类别与数量）"), min_num=1),
    ]


class MembershipViewSet(ModelViewSet):
    model = ProviderMembership
    edit_view_class = AuditedEditView  # logged field by field (core.admin_audit)
    icon = "user"
    menu_label = _("机构成员")
    list_display = ["user", "provider", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["provider__name", "user__mobile"]
    copy_view_enabled = False
    form_fields = ["user", "provider", "role"]
    index_view_class = SafeExportIndexView
    list_export = ["user", "provider", "get_role_display", "created_at"]
    export_headings = {
        "user": _("用户"),
        "provider": _("机构"),
        "get_role_display": _("角色"),
        "created_at": _("创建时间"),
    }
    export_filename = "provider_memberships"

    def get_queryset(self, request):
        return ProviderMembership.objects.select_related("user", "provider")


class PriceVersionViewSet(ModelViewSet):
    model = PriceVersion
    icon = "history"
    menu_label = _("价格版本")
    list_display = [
        "provider",
        "item",
        "price",
        "basis",
        "effective_from",
        "announced_at",
        "created_by_name",
        "reason_code",
        "reason",
    ]
    list_filter = ["basis", "reason_code", "effective_from", "announced_at"]
    search_fields = ["provider__name", "item__name", "reason"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "provider",
        "item",
        "sequence",
        "price",
        "basis",
        "effective_from",
        "announced_at",
        "reason_code",
        "reason",
        "created_by_name",
        "previous",
        "previous_hash",
        "chain_hash",
    ]
    form_fields = ["reason"]
    index_view_class = SafeExportIndexView
    list_export = [
        "provider",
        "item",
        "sequence",
        "price",
        "get_basis_display",
        "effective_from",
        "announced_at",
        "created_by_name",
        "get_reason_code_display",
        "reason",
        "chain_hash",
    ]
    export_headings = {
        "provider": _("机构"),
        "item": _("项目"),
        "sequence": _("机构内序号"),
        "price": _("价格（元）"),
        "get_basis_display": _("价格性质"),
        "effective_from": _("生效日期"),
        "announced_at": _("公布时间"),
        "created_by_name": _("操作人"),
        "get_reason_code_display": _("调价原因类别"),
        "reason": _("调价原因说明"),
        "chain_hash": _("链哈希"),
    }
    export_filename = "price_versions"

    def get_queryset(self, request):
        return PriceVersion.objects.select_related("provider", "item")


class CatalogueAdminGroup(ModelViewSetGroup):
    menu_label = _("殡葬服务")
    menu_icon = "home"
    menu_order = 210
    items = (
        ProviderViewSet("catalogue_provider"),
        PriceFlagViewSet("catalogue_flag"),
        PriceVersionViewSet("catalogue_price_audit"),
        GuidePriceViewSet("catalogue_guide_price"),
        StandardPackageViewSet("catalogue_package"),
        ServiceCategoryViewSet("catalogue_category"),
        MembershipViewSet("catalogue_membership"),
    )


@hooks.register("register_admin_viewset")
def register_catalogue_admin():
    return CatalogueAdminGroup()


class _ReasonFormatter(LogFormatter):
    """An audit entry that says what was decided, with the reason and the document."""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return gettext("%(message)s：%(reason)s（依据：%(document)s）") % {
            "message": self.message,
            "reason": data.get("reason") or "—",
            "document": data.get("document_reference") or data.get("evidence_reference") or "—",
        }


@hooks.register("register_log_actions")
def register_catalogue_actions(actions):
    @actions.register_action(CEILING_ACTION)
    class CeilingRecorded(_ReasonFormatter):
        label = _("记录最高限价版本")
        message = _("已记录新的最高限价版本")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return gettext(
                "已记录新的最高限价版本：¥%(ceiling)s（原 ¥%(previous)s），自 %(date)s 起执行；"
                "原因：%(reason)s（依据：%(document)s）"
            ) % {
                "ceiling": data.get("ceiling", ""),
                "previous": data.get("previous_ceiling") or "—",
                "date": data.get("effective_from", ""),
                "reason": data.get("reason") or "—",
                "document": data.get("document_reference") or "—",
            }

    @actions.register_action(VERIFIED_ACTION)
    class ProviderVerified(_ReasonFormatter):
        label = _("核验机构")
        message = _("民政局已核验该机构")

    @actions.register_action(UNVERIFIED_ACTION)
    class ProviderUnverified(_ReasonFormatter):
        label = _("取消机构核验")
        message = _("民政局已取消该机构的核验")
