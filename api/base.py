"""The base every public API view shares: read-only, anonymous, throttled, cacheable, cited.

:class:`PublicViewSet` is what an app's ``resources.py`` subclasses::

    class ProviderViewSet(PublicViewSet):
        queryset = ...                      # the same public queryset the HTML page shows
        serializer_class = ProviderSerializer
        filterset_class = ProviderFilter    # the same FilterSet the HTML page uses
        ordering = ("name", "slug")         # ends in a unique, non-null field
        lookup_field = "slug"
        cache_sections = ("funeral",)       # core.pagecache sections it reads (for the ETag)

:class:`PublicApiMixin` gives any other DRF view (the schema, the API root) the same
behaviour.
"""

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import viewsets
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from . import conditional
from .authentication import ApiKeyAuthentication
from .filters import FilterBackend
from .pagination import CursorPagination
from .throttling import PublicRateThrottle, TooManyRequests, api_key_of

READ_ONLY_METHODS = ["get", "head", "options"]


class NotModified(APIException):
    status_code = 304
    default_detail = _("未修改。")


class ServedFromCache(Exception):
    """Raised in ``initial()`` when the body of this version of the resource is in the cache."""

    def __init__(self, content, content_type):
        super().__init__()
        self.content, self.content_type = content, content_type


class PublicApiMixin:
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]
    http_method_names = READ_ONLY_METHODS
    # The core.pagecache sections this view's data comes from; empty: the ETag is a digest of the body.
    cache_sections = ()

    def check_throttles(self, request):
        for throttle in self.get_throttles():
            if not throttle.allow_request(request, self):
                api_key = api_key_of(request)
                raise TooManyRequests(throttle.wait(), throttle.rate, keyed=api_key is not None)

    def dispatch(self, request, *args, **kwargs):
        # /api/v1/ is outside i18n_patterns, where LocaleMiddleware always picks the default
        # language; the API's messages follow the caller's language cookie or Accept-Language.
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        self._validators = (None, None)
        super().initial(request, *args, **kwargs)
        if self.cache_sections and request.method in ("GET", "HEAD"):
            self._validators = conditional.version_validators(request, self.cache_sections)
            if conditional.is_not_modified(request, *self._validators):
                raise NotModified()
            cached = conditional.cached_body(request, self._validators[0])
            if cached is not None:
                raise ServedFromCache(*cached)

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return conditional.not_modified_response()
        if isinstance(exc, ServedFromCache):
            response = HttpResponse(exc.content, content_type=exc.content_type)
            response["X-Api-Cache"] = "hit"
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        etag, last_modified = getattr(self, "_validators", (None, None))
        conditional.decorate(request, response, etag, last_modified)
        if hasattr(response, "add_post_render_callback"):
            if etag is None:
                response.add_post_render_callback(conditional.body_validator(request))
            else:
                response.add_post_render_callback(conditional.body_storer(request, etag))
        return response


class PublicViewSet(PublicApiMixin, viewsets.ReadOnlyModelViewSet):
    """A read-only resource: a cursor-paginated, filterable list and a per-record endpoint."""

    pagination_class = CursorPagination
    filter_backends = [FilterBackend]
    renderer_classes = [JSONRenderer]
    ordering = None  # required: ends in a unique, non-null field (see api.pagination)

    def get_filterset_extra_kwargs(self):
        """Keyword arguments the FilterSet needs besides data, queryset and request."""
        return {}


class PublicApiView(PublicApiMixin, APIView):
    renderer_classes = [JSONRenderer]
