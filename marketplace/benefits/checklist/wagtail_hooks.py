"""The bureau's side of the 身后一件事 checklist: its steps are a Wagtail snippet that editors
keep (other departments' steps, with their documents, places, 办事指南 links and deadlines).
A step is retired by unticking 在清单中显示, never deleted: families' ticks point at it.
Families' checklists are theirs alone and have no admin view."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from core.admin_policies import NO_DELETE, RefusingPolicy
from core.admin_queues import ReadableColumn

from . import services
from .models import ChecklistStep

# Before the viewset is registered (Wagtail makes a fallback policy on first use).
register_permission_policy(ChecklistStep, RefusingPolicy(ChecklistStep, NO_DELETE))


class ChecklistStepViewSet(SnippetViewSet):
    model = ChecklistStep
    icon = "list-ol"
    menu_label = _("身后一件事事项")
    menu_name = "benefit-checklist-steps"
    add_to_admin_menu = True
    menu_order = 318
    list_display = [
        "title",
        "department",
        "platform_item",
        ReadableColumn("deadline_days", label=_("办理期限（死亡之日起天数）")),
        "sort_order",
        BooleanColumn("is_active", label=_("在清单中显示")),
    ]
    list_filter = ["is_active", "platform_item"]
    search_fields = ["title", "department", "documents", "where"]
    ordering = ["sort_order", "pk"]
    copy_view_enabled = False


register_snippet(ChecklistStepViewSet)


@hooks.register("register_log_actions")
def register_checklist_actions(actions):
    actions.register_action(services.ACTION_STARTED, _("建立身后一件事清单"), _("家属建立身后一件事清单"))
    actions.register_action(services.ACTION_TICKED, _("勾选事项"), _("家属勾选已办事项"))
    actions.register_action(services.ACTION_UNTICKED, _("取消勾选事项"), _("家属取消勾选事项"))
    actions.register_action(services.ACTION_INVITED, _("邀请共同办理人"), _("清单建立人邀请共同办理人"))
    actions.register_action(services.ACTION_JOINED, _("成为共同办理人"), _("受邀人接受邀请"))
    actions.register_action(services.ACTION_REVOKED, _("撤销共同办理人"), _("清单建立人撤销共同办理人"))
