"""One-time codes by SMS: send, then check once.

``purpose`` ties a code to one action (for example ``contract:42:sign``), so a
code sent to sign one contract can't sign another.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import OneTimeCode
from .sms import send_sms


class OtpError(Exception):
    def __init__(self, code, message):
        self.code = code
        super().__init__(message)


def _latest(user, purpose):
    return (
        OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


def send_code(user, purpose, action_text):
    """Send a fresh code for ``purpose``; refuses if one was sent very recently."""
    latest = _latest(user, purpose)
    now = timezone.now()
    if latest and (now - latest.created_at).total_seconds() < settings.OTP_RESEND_INTERVAL_SECONDS:
        raise OtpError("too_soon", _("验证码已发送，请稍后再试。"))
    code = "".join(secrets.choice("0123456789") for _ in range(settings.OTP_LENGTH))
    record = OneTimeCode.objects.create(
        user=user,
        purpose=purpose,
        code_hash=make_password(code),
        expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    minutes = max(1, settings.OTP_TTL_SECONDS // 60)
    send_sms(
        user.mobile,
        _(
            "【北京市民政公共服务平台】您正在%(action)s，验证码 %(code)s，%(minutes)s 分钟内有效。请勿告诉他人。"
        )
        % {"action": action_text, "code": code, "minutes": minutes},
    )
    return record


def check_code(user, purpose, code):
    """Consume the latest code for ``purpose`` if ``code`` matches; raise OtpError otherwise.

    The failed attempt is counted in its own transaction before the error is raised,
    so a caller's rollback can't undo the count.
    """
    with transaction.atomic():
        record = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        error = _check(record, code)
        if error is None:
            record.used_at = timezone.now()
            record.save(update_fields=["used_at"])
            return record
        if error.code == "wrong":
            record.attempts += 1
            record.save(update_fields=["attempts"])
            remaining = settings.OTP_MAX_ATTEMPTS - record.attempts
            if remaining <= 0:
                error = OtpError("too_many_attempts", _("验证码错误次数过多，请重新获取。"))
            else:
                error = OtpError("wrong", _("验证码不正确，还可尝试 %(n)s 次。") % {"n": remaining})
    raise error


def _check(record, code):
    if record is None:
        return OtpError("missing", _("请先获取短信验证码。"))
    if record.attempts >= settings.OTP_MAX_ATTEMPTS:
        return OtpError("too_many_attempts", _("验证码错误次数过多，请重新获取。"))
    if timezone.now() >= record.expires_at:
        return OtpError("expired", _("验证码已过期，请重新获取。"))
    supplied = (code or "").strip()
    if not (supplied.isdigit() and check_password(supplied, record.code_hash)):
        return OtpError("wrong", "")
    return None


__all__ = ["OtpError", "send_code", "check_code"]
