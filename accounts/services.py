"""Account operations that carry rules: sign-in throttling, proving a mobile number by SMS
code (sign-up, sign-in by SMS), and the client address behind the proxy.

Throttling counts live in ``AttemptCounter`` rows that are read and bumped under a row
lock, so "is this attempt allowed?" and "count it" are one step: forty concurrent wrong
passwords for one account queue on its row, and only as many as the limit are evaluated.
(The cache was not used: Django's database cache — the production default — implements
``incr`` as a read followed by a write, which is not atomic across processes.)
"""

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import otp
from .models import AttemptCounter
from .validators import normalize_mobile

ACCOUNT = "login-account"
IP = "login-ip"
SMS_MOBILE = "sms-mobile"
SMS_IP = "sms-ip"

SIGNUP_PURPOSE = "signup"
LOGIN_PURPOSE = "login"


# --- The client address -----------------------------------------------------------


@lru_cache(maxsize=8)
def _networks(proxies):
    networks = []
    for entry in proxies:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or a network") from error
    return tuple(networks)


def _address(value):
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address, networks):
    return address is not None and any(address in network for network in networks)


def client_ip(request):
    """The address of the client that sent ``request``.

    ``REMOTE_ADDR`` is the peer of this process. Only when that peer is one of
    ``settings.TRUSTED_PROXIES`` is ``X-Forwarded-For`` read, from the right: each entry
    was appended by the proxy to its right, so the first entry that is not a trusted
    proxy is the client. Entries further left were written by the client and are ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(_address(remote), networks):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    last_trusted = remote
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A trusted proxy appends a real address; garbage here was not written by one.
            return last_trusted
        if not _trusted(address, networks):
            return str(address)
        last_trusted = str(address)
    return last_trusted


# --- Attempt counters -----------------------------------------------------------------


def _hash(scope, value):
    return hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()


def _locked_counter(scope, value, now):
    """The counter row for ``(scope, value)``, created if missing, locked until commit."""
    key_hash = _hash(scope, value)
    AttemptCounter.objects.bulk_create(
        [AttemptCounter(scope=scope, key_hash=key_hash, count=0, window_started_at=now, last_attempt_at=now)],
        ignore_conflicts=True,
    )
    return AttemptCounter.objects.select_for_update().get(scope=scope, key_hash=key_hash)


def _seconds_until(moment, now):
    return max(1, int((moment - now).total_seconds() + 0.999))


def _fixed_window(counter, now, window, limit):
    """Reset an expired window; return seconds to wait if ``limit`` is used up, else 0."""
    ends = counter.window_started_at + timedelta(seconds=window)
    if now >= ends:
        counter.count = 0
        counter.window_started_at = now
        return 0
    return _seconds_until(ends, now) if counter.count >= limit else 0


@dataclass(frozen=True)
class LoginAttempt:
    """The answer of :func:`reserve_login_attempt`. When not blocked, the attempt has been
    counted as a failure already; :func:`login_succeeded` takes it back."""

    blocked: bool
    retry_after_seconds: int = 0
    mobile: str = ""
    ip: str = ""


def _account_delay(level):
    """Seconds the account waits after its ``level``-th over-limit attempt (1, 2, …)."""
    base = settings.LOGIN_ACCOUNT_DELAY_BASE_SECONDS
    cap = settings.LOGIN_ACCOUNT_DELAY_MAX_SECONDS
    return min(cap, base * 2 ** min(level - 1, 32))


def reserve_login_attempt(mobile, ip):
    """Decide whether a password may be checked now, and count the attempt in the same step.

    Refused when the client address has used up ``LOGIN_RATE_LIMIT_PER_IP`` failures in
    its window, or the account is inside its growing delay. An allowed attempt is counted
    before the password is checked (the reservation); a success gives it back.
    """
    mobile = normalize_mobile(mobile)
    now = timezone.now()
    window = settings.LOGIN_RATE_LIMIT_WINDOW_SECONDS
    with transaction.atomic():
        # Always lock the address before the account: one order, no deadlock.
        ip_counter = _locked_counter(IP, ip, now) if ip else None
        if ip_counter is not None:
            wait = _fixed_window(ip_counter, now, window, settings.LOGIN_RATE_LIMIT_PER_IP)
            if wait:
                return LoginAttempt(blocked=True, retry_after_seconds=wait, mobile=mobile, ip=ip)
        account = _locked_counter(ACCOUNT, mobile, now) if mobile else None
        if account is not None:
            if (now - account.last_attempt_at).total_seconds() >= window and account.count:
                account.count = 0
                account.locked_until = None
            if account.locked_until and now < account.locked_until:
                return LoginAttempt(
                    blocked=True,
                    retry_after_seconds=_seconds_until(account.locked_until, now),
                    mobile=mobile,
                    ip=ip,
                )
            account.count += 1
            account.last_attempt_at = now
            level = account.count - settings.LOGIN_RATE_LIMIT_PER_ACCOUNT + 1
            account.locked_until = now + timedelta(seconds=_account_delay(level)) if level >= 1 else None
            account.save(update_fields=["count", "last_attempt_at", "locked_until"])
        if ip_counter is not None:
            ip_counter.count += 1
            ip_counter.last_attempt_at = now
            ip_counter.save(update_fields=["count", "window_started_at", "last_attempt_at"])
    return LoginAttempt(blocked=False, mobile=mobile, ip=ip)


def login_succeeded(attempt):
    """The password was right: the account starts afresh and the address gets its attempt back."""
    unlock_account(attempt.mobile)
    if attempt.ip:
        AttemptCounter.objects.filter(scope=IP, key_hash=_hash(IP, attempt.ip), count__gt=0).update(
            count=F("count") - 1
        )


def unlock_account(mobile):
    """Forget an account's failures (after a right password or a proven SMS code)."""
    AttemptCounter.objects.filter(scope=ACCOUNT, key_hash=_hash(ACCOUNT, normalize_mobile(mobile))).delete()


def purge_stale_counters():
    """Delete counters nobody has touched for longer than any window or delay they carry."""
    horizon = max(
        settings.LOGIN_RATE_LIMIT_WINDOW_SECONDS,
        settings.LOGIN_ACCOUNT_DELAY_MAX_SECONDS,
        settings.SMS_CODE_WINDOW_SECONDS,
    )
    cutoff = timezone.now() - timedelta(seconds=2 * horizon)
    return AttemptCounter.objects.filter(last_attempt_at__lt=cutoff).delete()[0]


# --- Proving a mobile number by SMS code -------------------------------------------------


class SmsLimitReached(otp.OtpError):
    def __init__(self, retry_after_seconds):
        self.retry_after_seconds = retry_after_seconds
        minutes = max(1, (retry_after_seconds + 59) // 60)
        super().__init__(
            "throttled", _("短信验证码发送过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
        )


def _reserve_sms(mobile, ip):
    now = timezone.now()
    window = settings.SMS_CODE_WINDOW_SECONDS
    with transaction.atomic():
        counters = []
        for scope, value, limit in (
            (SMS_IP, ip, settings.SMS_CODE_LIMIT_PER_IP),
            (SMS_MOBILE, mobile, settings.SMS_CODE_LIMIT_PER_MOBILE),
        ):
            if not value:
                continue
            counter = _locked_counter(scope, value, now)
            wait = _fixed_window(counter, now, window, limit)
            if wait:
                raise SmsLimitReached(wait)
            counters.append(counter)
        for counter in counters:
            counter.count += 1
            counter.last_attempt_at = now
            counter.save(update_fields=["count", "window_started_at", "last_attempt_at"])


def _release_sms(mobile, ip):
    for scope, value in ((SMS_IP, ip), (SMS_MOBILE, mobile)):
        if value:
            AttemptCounter.objects.filter(scope=scope, key_hash=_hash(scope, value), count__gt=0).update(
                count=F("count") - 1
            )


def _send_to_number(mobile, ip, purpose, action_text, notice):
    _reserve_sms(mobile, ip)
    try:
        return otp.send_mobile_code(mobile, purpose, action_text, notice=notice)
    except otp.OtpError:
        _release_sms(mobile, ip)  # nothing was sent
        raise


def request_mobile_proof(mobile, ip, purpose, action_text):
    """Send a code that proves a visitor holds ``mobile`` (for example to file a complaint),
    under the same per-number and per-address SMS limits as sign-up. Raises ``OtpError``."""
    return _send_to_number(normalize_mobile(mobile), ip, purpose, action_text, None)


def _registered(mobile):
    return get_user_model().objects.filter(mobile=mobile).first()


def request_signup_code(mobile, ip):
    """Step 1 of sign-up: send a code to ``mobile``.

    The caller's answer is the same whether or not the number is registered. A new
    number gets a code; a registered one gets a notice that someone tried to register
    with it (and how to sign in), and its code record can never be matched, so nothing
    can be created with it. Raises ``OtpError`` (too soon, or the SMS limits reached).
    """
    mobile = normalize_mobile(mobile)
    notice = None
    if _registered(mobile) is not None:
        notice = _(
            "【北京市民政公共服务平台】有人正在用本手机号码注册账户。本号码已注册，无需重复注册，"
            "可直接登录；忘记密码可用短信验证码登录。如非本人操作，请忽略本短信。"
        )
    return _send_to_number(mobile, ip, SIGNUP_PURPOSE, _("注册账户"), notice)


def complete_signup(form, mobile, code):
    """Step 2 of sign-up: check the code for ``mobile`` and create the account from ``form``
    (a valid ``SignUpForm``). The number counts as proven now. Raises ``OtpError`` for a
    bad code and ``ValidationError`` if the number was registered in the meantime.

    Not wrapped in a transaction: a wrong code's attempt must stay counted."""
    mobile = normalize_mobile(mobile)
    otp.check_mobile_code(mobile, SIGNUP_PURPOSE, code)
    user = form.save(commit=False)
    user.mobile = mobile
    user.mobile_verified_at = timezone.now()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise ValidationError(_("该手机号码已注册，请直接登录。"), code="duplicate_mobile") from error
    return user


def request_login_code(mobile, ip):
    """Step 1 of sign-in by SMS: a registered, active number gets a code; any other number
    gets a notice instead. The caller answers the same way either way."""
    mobile = normalize_mobile(mobile)
    user = _registered(mobile)
    notice = None
    if user is None or not user.is_active:
        notice = _(
            "【北京市民政公共服务平台】有人正在用本手机号码登录，但本号码尚未注册账户（或账户已停用）。"
            "如需使用平台服务，请先注册。如非本人操作，请忽略本短信。"
        )
    return _send_to_number(mobile, ip, LOGIN_PURPOSE, _("短信登录"), notice)


def sign_in_with_code(mobile, code):
    """Step 2 of sign-in by SMS: the account whose number received ``code``.

    The number is proven, so the account's failed-password delay is lifted (this is the
    way out of a lockout caused by someone else's guesses) and ``mobile_verified_at`` is
    set. Raises ``OtpError``.
    """
    mobile = normalize_mobile(mobile)
    otp.check_mobile_code(mobile, LOGIN_PURPOSE, code)
    # A notice can't be matched, so the number had an active account when the code was sent.
    user = get_user_model().objects.filter(mobile=mobile, is_active=True).first()
    if user is None:
        raise otp.OtpError("inactive", _("该账户已停用。"))
    user.mobile_verified_at = timezone.now()
    user.save(update_fields=["mobile_verified_at"])
    unlock_account(mobile)
    return user
