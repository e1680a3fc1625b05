from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("站内搜索")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from accounts.groups import BUREAU_ADMIN, grant

        from .index import connect_signals

        # Every app declares its document types in its own documents.py; search imports none.
        autodiscover_modules("documents")
        connect_signals()
        grant(BUREAU_ADMIN, "search.run_reindex")
