"""API keys in the Wagtail admin (Settings → 接口密钥): bureau administrators issue them.

The key is shown once, on the page the form answers with; only its digest is stored, so a
lost key is replaced by issuing a new one and deactivating the old.
"""

from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from core.admin_audit import AuditedEditView
from core.admin_queues import SafeExportIndexView

from .models import ApiKey


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    icon = "key"
    menu_label = _("接口密钥")
    add_to_settings_menu = True
    form_fields = ["name", "holder", "requests_per_minute", "is_active"]
    list_display = ["name", "holder", "prefix", "is_active", "requests_per_minute", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "holder", "prefix"]
    inspect_view_enabled = True
    # A key deactivated or its rate changed is logged field by field (core.admin_audit).
    edit_view_class = AuditedEditView
    index_view_class = SafeExportIndexView
    # Headings are the fields' verbose names.
    list_export = ["name", "holder", "prefix", "is_active", "requests_per_minute", "created_at"]
    export_filename = "api-keys"

    @property
    def add_view_class(self):
        base = super().add_view_class

        class IssueKeyView(base):
            def save_instance(self):
                self.raw_key = self.form.instance.issue()
                self.form.instance.created_by = self.request.user
                return super().save_instance()

            def save_action(self):
                # Not a redirect: the key is shown on this one response and never again.
                response = TemplateResponse(
                    self.request,
                    "api/admin/key_issued.html",
                    {"key": self.object, "raw_key": self.raw_key, "index_url": self.get_success_url()},
                )
                add_never_cache_headers(response)  # no copy of the key in any cache or history
                return response

        return IssueKeyView


@hooks.register("register_admin_viewset")
def register_api_key_viewset():
    return ApiKeyViewSet("api_keys")
