"""B1: the family follows every step by SMS. A ``core.statemachine.transitioned`` receiver tells
the applicant of each move, after it commits; a failed SMS is logged and never undoes the move."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.sms import send_sms_on_commit
from core import demo

from .models import ApplicationStatus, BenefitApplication

A = ApplicationStatus


def text_for(application, target):
    """The news of a move, or "" when there is none to tell."""
    if target == A.SUBMITTED and application.decision_due:
        return _("已收到，民政部门将在%(date)s前作出决定。") % {"date": application.decision_due.isoformat()}
    if target == A.MORE_DOCUMENTS and application.requested_documents:
        return _("需补充材料：%(items)s。请登录平台上传后重新提交。") % {
            "items": "、".join(r["item"] for r in application.requested_documents)
        }
    if target == A.APPROVED:
        return _("已批准，决定书已出具，请登录平台查看和下载。")
    if target == A.REJECTED:
        return _("未获批准，理由请登录平台查看决定书。")
    if target == A.WITHDRAWN:
        return _("已撤回。")
    return ""


def on_transition(sender, instance, target, **kwargs):
    if sender is not BenefitApplication or demo.is_loading():
        return
    user = instance.applicant
    if not user.mobile or not user.is_mobile_verified:
        return
    with translation.override(settings.LANGUAGE_CODE):  # texts go out in the platform's language
        text = text_for(instance, target)
        if not text:
            return
        body = _("【北京市民政公共服务平台】您的惠民殡葬申请 %(number)s：%(text)s") % {
            "number": instance.number,
            "text": text,
        }
    send_sms_on_commit(user.mobile, body, what="benefit")
