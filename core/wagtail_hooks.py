from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .statemachine import TRANSITION_ACTION


@hooks.register("register_log_actions")
def register_platform_actions(actions):
    def message(log_entry):
        data = log_entry.data or {}
        text = _("状态从“%(from)s”变为“%(to)s”") % {"from": data.get("from"), "to": data.get("to")}
        if data.get("reason"):
            text = f"{text}：{data['reason']}"
        return text

    actions.register_action(TRANSITION_ACTION, _("状态变更"), message)
