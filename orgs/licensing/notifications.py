"""S9: the applicant follows every step by SMS. A ``core.statemachine.transitioned`` receiver
tells the applicant of each move the bureau makes (and confirms their own submission), after
the move commits; a failed SMS is logged and never undoes the move (the page says the same)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.sms import send_sms_on_commit
from core import demo

from .models import ApplicationStatus, RegistrationApplication

A = ApplicationStatus


def text_for(application, target):
    """The news of a move, or "" when there is none to tell (a move made outside the services,
    without its dates, tells nothing rather than something wrong)."""
    if target == A.SUBMITTED and application.formal_check_due:
        return _("已收到，登记管理机关将在%(date)s前完成形式审查。") % {
            "date": application.formal_check_due.isoformat()
        }
    if target == A.RETURNED and application.returned_items:
        return _("需补正材料：%(items)s。请登录平台补齐后重新提交。") % {
            "items": "、".join(application.returned_items)  # the SMS is always Chinese
        }
    if target == A.IN_REVIEW and application.decision_due:
        return _("已受理，将在%(date)s前作出决定。") % {"date": application.decision_due.isoformat()}
    if target == A.APPROVED:
        return _("准予登记，电子证照已发放，请登录平台下载。")
    if target == A.REFUSED:
        return _("不予登记，理由和依据请登录平台查看。")
    if target == A.WITHDRAWN:
        return _("已撤回。")
    return ""


def on_transition(sender, instance, target, **kwargs):
    if sender is not RegistrationApplication or demo.is_loading():
        return
    user = instance.applicant
    if not user.mobile or not user.is_mobile_verified:
        return
    with translation.override(settings.LANGUAGE_CODE):  # texts go out in the platform's language
        text = text_for(instance, target)
        if not text:
            return
        body = _("【北京市民政公共服务平台】您的登记申请 %(number)s：%(text)s") % {
            "number": instance.number,
            "text": text,
        }
    send_sms_on_commit(user.mobile, body, what="registration")
