"""``Authorization: Api-Key <key>``: optional, only ever raises the caller's rate limit.

A key identifies no user: the request stays anonymous (``request.user`` is an
``AnonymousUser``) and ``request.auth`` is the :class:`~api.models.ApiKey`. A wrong or
deactivated key answers 401 rather than silently falling back to the anonymous limit, so a
caller learns at once that the key is not working.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiKey

KEYWORD = "Api-Key"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _space, raw_key = header.partition(" ")
        if scheme.lower() != KEYWORD.lower():
            return None
        api_key = ApiKey.objects.for_raw_key(raw_key.strip())
        if api_key is None:
            raise AuthenticationFailed(_("接口密钥无效或已停用。不带密钥也可以匿名访问，但限额较低。"))
        return (AnonymousUser(), api_key)

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'
