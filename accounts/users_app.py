"""``wagtail.users`` with the platform's user forms (``accounts.admin_users``); named in
INSTALLED_APPS instead of ``wagtail.users``. Kept out of ``accounts/apps.py`` so that the
accounts app's own config stays its only, default one."""

from wagtail.users.apps import WagtailUsersAppConfig


class UsersConfig(WagtailUsersAppConfig):
    user_viewset = "accounts.admin_users.UserViewSet"
