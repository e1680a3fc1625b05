"""Bureau admin: contract templates as a snippet with revisions and publishing; a read-only
order register for the funeral section (complaints and supervision); log actions."""

from django.db.models import F
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import LiveStatusTagColumn, UpdatedAtColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from core.admin_policies import VIEW_ONLY, RefusingPolicy
from payments import admin_payables

from .admin_views import (
    VIEW_PERMISSION,
    ContractTemplateUnpublishView,
    OrderIndexView,
    OrderInspectView,
    sealed_contract,
)
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
    # Unpublishing the only live template says first that no new contract can be issued.
    unpublish_view_class = ContractTemplateUnpublishView


register_snippet(ContractTemplateViewSet)


class OrderViewSet(ModelViewSet):
    """Orders are made by families and providers through their services; the bureau only looks."""

    model = Order
    icon = "list-ul"
    menu_label = _("殡葬服务订单")
    menu_order = 312
    add_to_admin_menu = True
    list_display = [
        "reference",
        "provider",
        "deceased_name",
        "status",
        "total",
        "submitted_at",
        "completed_at",
    ]
    list_filter = ["status", "provider", "submitted_at"]
    # Order number, contract number, the deceased's name, the contact and the family's mobile
    # (on the order and on the account; ``OrderIndexView`` also matches a number typed as
    # "138 1234 5678" or "+86 …").
    search_fields = [
        "reference",
        "contract__number",
        "deceased_name",
        "contact_name",
        "contact_mobile",
        "user__mobile",
        "provider__name",
    ]
    form_fields = ["family_note"]  # never used: the policy refuses add and change
    index_view_class = OrderIndexView
    inspect_view_enabled = True
    inspect_view_class = OrderInspectView
    inspect_view_fields = ["reference"]  # the page is its own template (admin/order_inspect.html)
    list_export = [
        "reference",
        "contract_number",
        "provider.name",
        "get_status_display",
        "deceased_name",
        "contact_name",
        "subtotal",
        "exempted",
        "total",
        "submitted_at",
        "confirmed_at",
        "completed_at",
        "cancel_reason",
    ]
    export_headings = {
        "reference": _("订单号"),
        "contract_number": _("合同编号"),
        "provider.name": _("服务机构"),
        "get_status_display": _("状态"),
        "deceased_name": _("逝者姓名"),
        "contact_name": _("经办家属姓名"),
        "subtotal": _("项目合计"),
        "exempted": _("政策减免"),
        "total": _("应付合计"),
        "submitted_at": _("提交时间"),
        "confirmed_at": _("确认时间"),
        "completed_at": _("完成时间"),
        "cancel_reason": _("取消原因"),
    }
    export_filename = "funeral-orders"

    copy_view_enabled = False
    add_to_reference_index = False

    def get_index_view_kwargs(self, **kwargs):
        # The provider and the contract number come with the listing's one query (and its export).
        return super().get_index_view_kwargs(
            queryset=Order.objects.select_related("provider").annotate(contract_number=F("contract__number")),
            **kwargs,
        )


register_permission_policy(Order, RefusingPolicy(Order, VIEW_ONLY))


@hooks.register("register_admin_viewset")
def register_order_viewset():
    return OrderViewSet("orders_admin", url_prefix="funeral/orders")


@hooks.register("register_admin_urls")
def register_order_admin_urls():
    return [
        path(
            "funeral/orders/<int:pk>/contract.pdf",
            sealed_contract,
            name="orders_admin_sealed_contract",
        )
    ]


# A payment's page links to the order it paid for (``payments.admin_payables``).
admin_payables.register(
    Order,
    label=lambda order: (
        _("订单 %(ref)s（%(deceased)s）") % {"ref": order.reference, "deceased": order.deceased_name}
    ),
    url=lambda order: reverse("orders_admin:inspect", args=[order.pk]),
    permission=VIEW_PERMISSION,
)


@hooks.register("register_log_actions")
def register_order_actions(actions):
    actions.register_action(common.ACTION_SUBMITTED, _("提交订单"), _("家属提交订单"))
    actions.register_action(common.ACTION_SIGNED, _("电子签名"), _("一方完成电子签名"))
    actions.register_action(common.ACTION_SEALED, _("加盖电子印章"), _("平台加盖电子印章"))
    actions.register_action(common.ACTION_CHANGE_PROPOSED, _("提出变更"), _("机构提出合同变更单"))
    actions.register_action(common.ACTION_PAYMENT, _("收付款"), _("记录支付或退款"))
    actions.register_action(common.ACTION_CERTIFICATE, _("出具电子证明"), _("出具电子证明"))
