"""Wagtail creates two groups named in English, "Editors" and "Moderators", which the bureau's
administrators saw beside the platform's Chinese groups (issue 23, point 10). They keep their
permissions and their members (Wagtail's default workflow task names "Moderators" by
reference, not by name); only the names change. Runs after every Wagtail migration that looks
them up by name."""

from django.db import migrations

NAMES = {"Editors": "页面编辑（Wagtail 默认）", "Moderators": "页面审核（Wagtail 默认）"}


def rename(apps, schema_editor, names=NAMES):
    Group = apps.get_model("auth", "Group")
    for old, new in names.items():
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in NAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_mobile_verification_and_attempt_counters"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0005_add_page_lock_permission_to_moderators"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtaildocs", "0002_initial_data"),
        ("wagtailimages", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
