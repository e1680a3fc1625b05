"""The bureau's side of the catalogue in the Wagtail admin (殡葬管理科).

Providers with verification (a reason and the evidence for every decision, kept as history),
categories, guide prices (append-only ceiling versions: "新增限价版本", never an edit, with the
report of the providers a new ceiling affects), standard packages, provider memberships, the
queue of flagged prices (accept / query) and a read-only audit listing of every price change.
Price versions can't be added, edited or deleted here: their permission policy refuses it, as
does the model. Every listing exports CSV/XLSX (``core.admin_queues.SafeExportIndexView``).

Providers are in ``admin_providers``, ceilings in ``admin_ceilings`` and the flag queue in
``admin_flags``; this module holds the other listings, the menu group and the log actions.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
)
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy

from core.admin_audit import AuditedEditView
from core.admin_policies import VIEW_ONLY, RefusingPolicy
from core.admin_queues import SafeExportIndexView

from .admin_ceilings import GuidePriceViewSet
from .admin_flags import PriceFlagViewSet
from .admin_providers import ProviderViewSet
from .models import (
    PriceVersion,
    ProviderMembership,
    ServiceCategory,
    StandardPackage,
)
from .services.ceilings import LOG_ACTION as CEILING_ACTION
from .services.verification import (
    UNVERIFIED_ACTION,
    VERIFIED_ACTION,
)

register_permission_policy(PriceVersion, RefusingPolicy(PriceVersion, VIEW_ONLY))


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
