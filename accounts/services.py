"""Account operations that carry rules: sign-up and sign-in throttling."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .validators import normalize_mobile


@dataclass(frozen=True)
class ThrottleState:
    blocked: bool
    retry_after_seconds: int = 0


def _key(kind, value):
    digest = hashlib.sha256(str(value).encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def _keys(mobile, ip):
    keys = []
    if mobile:
        keys.append((_key("account", normalize_mobile(mobile)), settings.LOGIN_RATE_LIMIT_PER_ACCOUNT))
    if ip:
        keys.append((_key("ip", ip), settings.LOGIN_RATE_LIMIT_PER_IP))
    return keys


def login_throttle_state(mobile, ip):
    """Blocked when either the account or the IP has used up its failures in the window."""
    window = settings.LOGIN_RATE_LIMIT_WINDOW_SECONDS
    for key, limit in _keys(mobile, ip):
        if (cache.get(key) or 0) >= limit:
            return ThrottleState(blocked=True, retry_after_seconds=window)
    return ThrottleState(blocked=False)


def record_login_failure(mobile, ip):
    window = settings.LOGIN_RATE_LIMIT_WINDOW_SECONDS
    for key, _limit in _keys(mobile, ip):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window)


def clear_login_failures(mobile):
    cache.delete(_key("account", normalize_mobile(mobile)))


def client_ip(request):
    """The client address. Behind the nginx in site/, REMOTE_ADDR is set by the proxy protocol."""
    return request.META.get("REMOTE_ADDR", "")
