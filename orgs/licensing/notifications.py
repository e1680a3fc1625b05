"""S9: the applicant follows every step by SMS. A ``core.statemachine.transitioned`` receiver
tells the applicant of each move the bureau makes (and confirms their own submission), after
the move commits; a failed SMS is logged and never undoes the move (the page says the same)."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.sms import send_sms
from core import demo

from .models import ApplicationStatus, RegistrationApplication

logger = logging.getLogger(__name__)
A = ApplicationStatus


def text_for(application, target):
    if target == A.SUBMITTED:
        return _("已收到，登记管理机关将在%(date)s前完成形式审查。") % {
            "date": application.formal_check_due.isoformat()
        }
    if target == A.RETURNED:
        return _("需补正材料：%(items)s。请登录平台补齐后重新提交。") % {
            "items": "、".join(application.returned_items)
        }
    if target == A.IN_REVIEW:
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
    mobile = user.mobile
    transaction.on_commit(lambda: _deliver(mobile, body))


def _deliver(mobile, body):
    try:
        send_sms(mobile, body)
    except Exception:  # the move already happened; the page shows the same news
        logger.exception("registration SMS to %s****%s failed", mobile[:3], mobile[-4:])
