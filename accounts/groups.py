"""The bureau's groups and what each may do.

The groups themselves are created by a data migration (0002). Permissions are
seeded after migrate (permissions only exist once all apps have migrated), once each
(``accounts.SeededGrant``), from grants that each app registers here in ``AppConfig.ready()``.
"""

from collections import defaultdict

from django.utils.translation import gettext_noop

# The names are stored as they are (Chinese); gettext_noop marks them for the catalogue, so a
# page can show a group's name in the reader's language with gettext(name).
BUREAU_ADMIN = gettext_noop("市民政局管理员")
FUNERAL_SECTION = gettext_noop("殡葬管理科")
SOCIAL_ORG_SECTION = gettext_noop("社会组织管理科")
CONTENT_EDITOR = gettext_noop("内容编辑")
BUREAU_GROUPS = (BUREAU_ADMIN, FUNERAL_SECTION, SOCIAL_ORG_SECTION, CONTENT_EDITOR)

_grants: dict[str, set[str]] = defaultdict(set)


def grant(group_name, *permissions):
    """Register ``app_label.codename`` permissions for a group."""
    if group_name not in BUREAU_GROUPS:
        raise ValueError(f"unknown bureau group {group_name!r}")
    _grants[group_name].update(permissions)


def registered_grants():
    return {name: set(perms) for name, perms in _grants.items()}


for _group in BUREAU_GROUPS:
    grant(_group, "wagtailadmin.access_admin")
grant(
    CONTENT_EDITOR,
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
)
grant(BUREAU_ADMIN, "accounts.add_user", "accounts.change_user", "accounts.view_user")
