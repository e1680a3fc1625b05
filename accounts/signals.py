from django.contrib.auth.models import Group, Permission

from .groups import BUREAU_ADMIN, CONTENT_EDITOR, registered_grants

PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "delete_page", "lock_page")


def apply_group_permissions(sender=None, **kwargs):
    """Seed every registered permission into its group, once (``accounts.SeededGrant``).

    A grant already seeded is left alone, so a permission an administrator removed stays
    removed at the next deploy; a grant registered since the last migrate is seeded now.
    post_migrate is sent once per app, and each app's permissions are created by its own
    signal, so act only on the last app's signal, when all of them exist.
    """
    from django.apps import apps

    from .models import SeededGrant

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not None and sender.label != with_models[-1].label:
        return
    seeded = set(SeededGrant.objects.values_list("group_name", "permission"))
    for group_name, perms in registered_grants().items():
        pending = sorted(perm for perm in perms if (group_name, perm) not in seeded)
        if not pending:
            continue
        group, _ = Group.objects.get_or_create(name=group_name)
        for perm in pending:
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is None:
                continue  # not created yet (an app not migrated): seeded on a later migrate
            group.permissions.add(found)
            SeededGrant.objects.get_or_create(group_name=group_name, permission=perm)
    _grant_page_permissions(seeded)


def _grant_page_permissions(seeded):
    """Content editors (and the bureau admin) may edit and publish the whole page tree; seeded
    once, like the other grants."""
    from wagtail.models import GroupPagePermission, Page

    from .models import SeededGrant

    root = Page.get_first_root_node()
    if root is None:
        return
    for group_name in (CONTENT_EDITOR, BUREAU_ADMIN):
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for codename in PAGE_PERMISSIONS:
            key = f"page:{codename}"
            if (group_name, key) in seeded:
                continue
            permission = Permission.objects.filter(
                content_type__app_label="wagtailcore", codename=codename
            ).first()
            if permission is not None:
                GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
                SeededGrant.objects.get_or_create(group_name=group_name, permission=key)
