from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台公共组件")

    def ready(self):
        from django.conf import settings

        if settings.I18N_FLAT_CATALOGUES:
            from . import i18n

            i18n.install()

        from . import pagecache, verification
        from .warnings import register_warning_source

        pagecache.connect_signals()

        register_warning_source(
            verification.INTEGRITY_WARNING_KIND,
            verification.INTEGRITY_WARNING_LABEL,
            verification.integrity_warnings,
        )
