from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账户")

    def ready(self):
        from .signals import apply_group_permissions

        post_migrate.connect(apply_group_permissions, dispatch_uid="accounts.apply_group_permissions")
