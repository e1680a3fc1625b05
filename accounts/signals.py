from django.contrib.auth.models import Group, Permission

from .groups import BUREAU_ADMIN, CONTENT_EDITOR, registered_grants


def apply_group_permissions(sender=None, **kwargs):
    """Grant every registered permission to its group; idempotent.

    post_migrate is sent once per app, and each app's permissions are created by its
    own signal, so act only on the last app's signal, when all of them exist.
    """
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not None and sender.label != with_models[-1].label:
        return
    for group_name, perms in registered_grants().items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                wanted.append(found)
        group.permissions.add(*wanted)
    _grant_page_permissions()


def _grant_page_permissions():
    """Content editors (and the bureau admin) may edit and publish the whole page tree."""
    from wagtail.models import GroupPagePermission, Page

    root = Page.get_first_root_node()
    if root is None:
        return
    for group_name in (CONTENT_EDITOR, BUREAU_ADMIN):
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for codename in ("add_page", "change_page", "publish_page", "delete_page", "lock_page"):
            permission = Permission.objects.filter(
                content_type__app_label="wagtailcore", codename=codename
            ).first()
            if permission is not None:
                GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
