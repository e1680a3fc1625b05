"""The page tree's root is called "页面" instead of Wagtail's "Root" (issue 23, point 10): its
title is the page explorer's heading ("浏览: Root") and the first crumb of every page's
breadcrumbs, under the admin menu's "页面". A root an administrator renamed is left alone.

Wagtail's default workflow and its task are named after the moderators' group with an
English suffix ("页面审核（Wagtail 默认） approval"); the suffix becomes Chinese too."""

from django.db import migrations

ROOT_TITLE = "页面"


def forwards(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Page.objects.filter(depth=1, title="Root").update(title=ROOT_TITLE, draft_title=ROOT_TITLE)
    for model in ("Workflow", "Task"):
        for item in apps.get_model("wagtailcore", model).objects.filter(name__endswith=" approval"):
            item.name = item.name.removesuffix(" approval") + "审批"
            item.save(update_fields=["name"])


def backwards(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Page.objects.filter(depth=1, title=ROOT_TITLE).update(title="Root", draft_title="Root")


class Migration(migrations.Migration):
    dependencies = [("cms", "0005_content_approval_workflow")]

    operations = [migrations.RunPython(forwards, backwards)]
