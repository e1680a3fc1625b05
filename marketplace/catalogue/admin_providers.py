"""Providers in the bureau's admin: their record, and verification as a decision (a reason
and the evidence for every tick or untick of 已核验, kept as an append-only history and
audited; ``services.verification``)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.documents import get_document_model
from wagtail.documents.widgets import AdminDocumentChooser

from core.admin_audit import AuditedEditView
from core.admin_display import ReadableInspectView
from core.admin_queues import SafeExportIndexView

from .models import (
    Provider,
)
from .services.verification import (
    record_verification,
    verification_errors,
)


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
