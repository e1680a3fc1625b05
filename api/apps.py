from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("开放数据接口")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from accounts.groups import BUREAU_ADMIN, grant

        # Every app declares its API resources in its own resources.py and its public
        # changes in public_changes.py; api imports none of them.
        autodiscover_modules("resources")
        autodiscover_modules("public_changes")
        grant(BUREAU_ADMIN, "api.add_apikey", "api.change_apikey", "api.view_apikey")
