"""Notices and service guides need the bureau's approval (issue 23, point 8): the workflow,
its approving group's task, its assignment to the pages that exist, and no publishing of
those pages by content editors. See ``cms.moderation``; the demo loader applies the same
arrangement to the pages it creates. Idempotent; works on an empty database."""

from django.db import migrations


def forwards(apps, schema_editor):
    from cms import moderation

    moderation.apply(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_bureau_settings_english"),
        ("accounts", "0006_seeded_grants"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
