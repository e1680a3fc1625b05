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


def _latest(owner, purpose):
    return (
        OneTimeCode.objects.filter(purpose=purpose, used_at__isnull=True, **owner)
        .order_by("-created_at")
        .first()
    )


def _mobile_owner(mobile):
    return {"user__isnull": True, "mobile": mobile}


def _issue(owner, purpose, *, usable=True):
    """Create a fresh code record for ``owner``; refuse if one was sent very recently.

    With ``usable=False`` the record stores an unusable hash, so no code ever matches it.
    """
    latest = _latest(owner, purpose)
    now = timezone.now()
    if latest and (now - latest.created_at).total_seconds() < settings.OTP_RESEND_INTERVAL_SECONDS:
        raise OtpError("too_soon", _("验证码已发送，请稍后再试。"))
    code = "".join(secrets.choice("0123456789") for _ in range(settings.OTP_LENGTH))
    fields = {"user": owner["user"]} if "user" in owner else {"mobile": owner["mobile"]}
    record = OneTimeCode.objects.create(
        purpose=purpose,
        code_hash=make_password(code if usable else None),
        expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
        **fields,
    )
    return record, code


def _code_text(action_text, code):
    minutes = max(1, settings.OTP_TTL_SECONDS // 60)
    return _(
        "【北京市民政公共服务平台】您正在%(action)s，验证码 %(code)s，%(minutes)s 分钟内有效。请勿告诉他人。"
    ) % {"action": action_text, "code": code, "minutes": minutes}


def send_code(user, purpose, action_text):
    """Send a fresh code for ``purpose``; refuses if one was sent very recently."""
    record, code = _issue({"user": user}, purpose)
    send_sms(user.mobile, _code_text(action_text, code))
    return record


def send_mobile_code(mobile, purpose, action_text, *, notice=None):
    """Send a code to a bare number (no account needed), for sign-up or sign-in by SMS.

    With ``notice``, the number gets that text instead of a code and the record can
    never be matched: the caller answers exactly as if a code had been sent (same page,
    same resend interval, same "wrong code" errors), so a form never tells a stranger
    whether a number is registered, while the holder of the number learns what happened.
    """
    record, code = _issue(_mobile_owner(mobile), purpose, usable=notice is None)
    send_sms(mobile, notice if notice is not None else _code_text(action_text, code))
    return record


def check_code(user, purpose, code):
    """Consume the latest code for ``purpose`` if ``code`` matches; raise OtpError otherwise.

    The failed attempt is counted in its own transaction before the error is raised,
    so a caller's rollback can't undo the count.
    """
    return _consume({"user": user}, purpose, code)


def check_mobile_code(mobile, purpose, code):
    """The same as :func:`check_code` for a code sent with :func:`send_mobile_code`."""
    return _consume(_mobile_owner(mobile), purpose, code)


def _consume(owner, purpose, code):
    with transaction.atomic():
        record = (
            OneTimeCode.objects.select_for_update()
            .filter(purpose=purpose, used_at__isnull=True, **owner)
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


__all__ = ["OtpError", "send_code", "check_code", "send_mobile_code", "check_mobile_code"]
