"""Bureau admin: contract templates as a snippet with revisions and publishing; log actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import services
from .models import ContractTemplate


class ContractTemplateViewSet(SnippetViewSet):
    model = ContractTemplate
    icon = "doc-full"
    menu_label = _("合同模板")
    menu_name = "contract-templates"
    add_to_admin_menu = True
    menu_order = 310
    list_display = ["title", "live", "latest_revision_created_at"]
    search_fields = ["title", "body"]


register_snippet(ContractTemplateViewSet)


@hooks.register("register_log_actions")
def register_order_actions(actions):
    actions.register_action(services.ACTION_SUBMITTED, _("提交订单"), _("家属提交订单"))
    actions.register_action(services.ACTION_SIGNED, _("电子签名"), _("一方完成电子签名"))
    actions.register_action(services.ACTION_SEALED, _("加盖电子印章"), _("平台加盖电子印章"))
    actions.register_action(services.ACTION_CHANGE_PROPOSED, _("提出变更"), _("机构提出合同变更单"))
    actions.register_action(services.ACTION_PAYMENT, _("收付款"), _("记录支付或退款"))
    actions.register_action(services.ACTION_CERTIFICATE, _("出具电子证明"), _("出具电子证明"))
