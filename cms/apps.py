from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("内容管理")

    def ready(self):
        from . import signals  # noqa: F401 - connects the main menu's cache invalidation
