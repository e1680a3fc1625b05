"""What the apps publish under ``/api/v1/``.

An app's ``resources.py`` calls :func:`register` for each DRF viewset (a list endpoint and a
per-record endpoint keyed by the viewset's ``lookup_field``) and :func:`register_path` for a
plain Django view (an Atom feed, say). ``api/urls.py`` builds the URL map from this registry
once every app is ready, so a resource appears exactly when its app is installed.
"""

from rest_framework.renderers import JSONRenderer
from rest_framework.routers import APIRootView, DefaultRouter

_viewsets: dict[str, tuple] = {}  # prefix -> (viewset, basename)
_paths: list = []


def register(prefix, viewset, basename):
    """Publish ``viewset`` at ``/api/v1/<prefix>/`` and ``/api/v1/<prefix>/<lookup>/``.

    ``basename`` names the URLs ``api:<basename>-list`` and ``api:<basename>-detail``.
    Registering the same prefix twice (a module imported again) replaces the first entry."""
    _viewsets[prefix] = (viewset, basename)
    return viewset


def register_path(pattern):
    """Publish a Django ``path()``/``re_path()`` under ``/api/v1/`` (e.g. an Atom feed)."""
    key = (str(pattern.pattern), pattern.name)
    _paths[:] = [p for p in _paths if (str(p.pattern), p.name) != key]
    _paths.append(pattern)
    return pattern


def registered():
    """``[(prefix, viewset, basename)]`` in prefix order."""
    return [(prefix, viewset, basename) for prefix, (viewset, basename) in sorted(_viewsets.items())]


class Router(DefaultRouter):
    """The v1 router: JSON only, no ``.json`` suffix routes, trailing slashes as everywhere else.
    Its root (``/api/v1/``) lists the resources and behaves like every other endpoint."""

    include_format_suffixes = False

    def get_api_root_view(self, api_urls=None):
        from .base import PublicApiMixin  # base imports the models; the registry is imported early

        class Root(PublicApiMixin, APIRootView):
            renderer_classes = [JSONRenderer]

        self.APIRootView = Root
        return super().get_api_root_view(api_urls)


def urlpatterns():
    router = Router()
    for prefix, viewset, basename in registered():
        router.register(prefix, viewset, basename=basename)
    return [*_paths, *router.urls]
