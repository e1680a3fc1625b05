"""Seed the service category tree (F1, F5) and the bureau's basic package (F6)."""

from django.db import migrations


def seed(apps, schema_editor):
    from marketplace.catalogue.seed import seed as seed_rows

    seed_rows(
        apps.get_model("catalogue", "ServiceCategory"),
        apps.get_model("catalogue", "StandardPackage"),
        apps.get_model("catalogue", "PackageComponent"),
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
