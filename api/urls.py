"""``/api/v1/``: the schema, the documentation page and every resource the apps registered."""

from django.urls import path

from . import registry
from .schema import DocsView, SchemaView

app_name = "api"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    *registry.urlpatterns(),
]
