"""The bureau's default contract template, published (a revision records its content)."""

from django.db import migrations
from django.utils import timezone


def publish_default(apps, schema_editor):
    from marketplace.orders.defaults import DEFAULT_DISPUTE_RESOLUTION, DEFAULT_TEMPLATE_BODY, DEFAULT_TEMPLATE_TITLE

    ContractTemplate = apps.get_model("orders", "ContractTemplate")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContractTemplate.objects.filter(title=DEFAULT_TEMPLATE_TITLE).exists():
        return
    now = timezone.now()
    template = ContractTemplate.objects.create(
        title=DEFAULT_TEMPLATE_TITLE,
        body=DEFAULT_TEMPLATE_BODY,
        dispute_resolution=DEFAULT_DISPUTE_RESOLUTION,
        live=True,
        has_unpublished_changes=False,
        first_published_at=now,
        last_published_at=now,
    )
    content_type, _ = ContentType.objects.get_or_create(app_label="orders", model="contracttemplate")
    content = {
        "pk": template.pk,
        "title": template.title,
        "body": template.body,
        "dispute_resolution": template.dispute_resolution,
        "live": True,
        "has_unpublished_changes": False,
        "first_published_at": now.isoformat(),
        "last_published_at": now.isoformat(),
        "go_live_at": None,
        "expire_at": None,
        "expired": False,
        "live_revision": None,
        "latest_revision": None,
    }
    revision = Revision.objects.create(
        content_type=content_type,
        base_content_type=content_type,
        object_id=str(template.pk),
        created_at=now,
        object_str=template.title,
        content=content,
    )
    ContractTemplate.objects.filter(pk=template.pk).update(latest_revision=revision, live_revision=revision)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(publish_default, migrations.RunPython.noop)]
