"""Per-caller rate limits: per client address for anonymous callers, per key with a key.

The client address is :func:`accounts.services.client_ip`, the one the sign-in limits use:
``X-Forwarded-For`` is believed only from ``settings.TRUSTED_PROXIES``, so a caller cannot
spread requests over made-up addresses. The rates are settings (``API_THROTTLE_ANON_RATE``,
``API_THROTTLE_KEY_RATE``, or a key's own ``requests_per_minute``), written as DRF rates
(``"60/min"``). The counters live in the default cache, shared by every web node.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.throttling import SimpleRateThrottle

from accounts.services import client_ip

from .models import ApiKey


def api_key_of(request):
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None


class PublicRateThrottle(SimpleRateThrottle):
    scope = "api"
    cache_format = "api:throttle:%(scope)s:%(ident)s"

    def __init__(self):
        # The rate depends on the caller (anonymous or which key): set in allow_request().
        self.rate = None
        self.num_requests = self.duration = None

    def get_cache_key(self, request, view):
        api_key = api_key_of(request)
        ident = f"key-{api_key.pk}" if api_key else f"ip-{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        api_key = api_key_of(request)
        self.rate = api_key.rate if api_key else settings.API_THROTTLE_ANON_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class TooManyRequests(APIException):
    """429 with our own message; ``wait`` becomes the ``Retry-After`` header (DRF's handler)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, wait, rate, keyed):
        self.wait = max(1, int(wait + 0.999)) if wait is not None else 1
        if keyed:
            message = _("请求过于频繁：此接口密钥的限额为 %(rate)s。请在 %(wait)s 秒后重试。")
        else:
            message = _(
                "请求过于频繁：匿名访问每个地址的限额为 %(rate)s。请在 %(wait)s 秒后重试，"
                "或向市民政局申请接口密钥以提高限额。"
            )
        super().__init__(message % {"rate": rate, "wait": self.wait})
