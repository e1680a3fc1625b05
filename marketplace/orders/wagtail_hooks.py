"""Bureau admin: contract templates as a snippet with revisions and publishing; a read-only
order register for the funeral section (complaints and supervision); log actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import LiveStatusTagColumn, UpdatedAtColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from core.admin_policies import VIEW_ONLY, RefusingPolicy

from .models import ContractTemplate, Order
from .services import common


class ContractTemplateViewSet(SnippetViewSet):
    model = ContractTemplate
    icon = "doc-full"
    menu_label = _("合同模板")
    menu_name = "contract-templates"
    add_to_admin_menu = True
    menu_order = 310
    # ``latest_revision_created_at`` exists on pages only; a snippet listing is annotated with
    # ``_updated_at`` (its latest revision), which Wagtail's own columns read.
    list_display = ["title", LiveStatusTagColumn(), UpdatedAtColumn(label=_("最近修改"))]
    search_fields = ["title", "body"]


register_snippet(ContractTemplateViewSet)


class OrderViewSet(ModelViewSet):
    """Orders are made by families and providers through their services; the bureau only looks."""

    model = Order
    icon = "list-ul"
    menu_label = _("殡葬服务订单")
    menu_order = 312
    add_to_admin_menu = True
    list_display = ["reference", "provider", "status", "total", "submitted_at", "completed_at"]
    list_filter = ["status", "provider", "submitted_at"]
    search_fields = ["reference", "provider__name", "contact_name"]
    form_fields = ["family_note"]  # never used: the policy refuses add and change
    inspect_view_enabled = True
    inspect_view_fields = [
        "reference",
        "provider",
        "status",
        "deceased_name",
        "date_of_death",
        "deceased_id_masked",
        "contact_name",
        "contact_relation",
        "contact_mobile",
        "requested_date",
        "service_date",
        "hall",
        "subtotal",
        "exempted",
        "total",
        "submitted_at",
        "confirmed_at",
        "completed_at",
        "cancel_reason",
    ]
    copy_view_enabled = False
    add_to_reference_index = False


register_permission_policy(Order, RefusingPolicy(Order, VIEW_ONLY))


@hooks.register("register_admin_viewset")
def register_order_viewset():
    return OrderViewSet("orders_admin", url_prefix="funeral/orders")


@hooks.register("register_log_actions")
def register_order_actions(actions):
    actions.register_action(common.ACTION_SUBMITTED, _("提交订单"), _("家属提交订单"))
    actions.register_action(common.ACTION_SIGNED, _("电子签名"), _("一方完成电子签名"))
    actions.register_action(common.ACTION_SEALED, _("加盖电子印章"), _("平台加盖电子印章"))
    actions.register_action(common.ACTION_CHANGE_PROPOSED, _("提出变更"), _("机构提出合同变更单"))
    actions.register_action(common.ACTION_PAYMENT, _("收付款"), _("记录支付或退款"))
    actions.register_action(common.ACTION_CERTIFICATE, _("出具电子证明"), _("出具电子证明"))
