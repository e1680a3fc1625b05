"""The OpenAPI 3 schema (drf-spectacular) and the documentation page (Swagger UI, served from
``drf-spectacular-sidecar``'s static files: no CDN, no inline script, so the site's CSP holds)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.opendata import LICENCE, PUBLISHER

from .base import PublicApiMixin
from .conditional import LICENCE_URL, citation


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Optional. `Authorization: Api-Key <key>` raises the rate limit; "
            "without it every endpoint is open to anonymous callers.",
        }


def only_public_api(endpoints, **kwargs):
    """Preprocessing hook: the schema documents /api/v1/ only (Wagtail's admin API is DRF too)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class SchemaView(PublicApiMixin, SpectacularAPIView):
    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]


class DocsView(PublicApiMixin, SpectacularSwaggerSplitView):
    template_name = "api/docs.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if isinstance(response.data, dict) and "script_url" in response.data:
            response.data.update(
                publisher=PUBLISHER,
                licence=LICENCE,
                licence_url=LICENCE_URL,
                citation=citation(request),
                schema_url=self._get_schema_url(request),
            )
        return response
