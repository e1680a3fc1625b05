"""M3: the 代为祭扫 categories (basic and extended) and the rule's ¥0 ceiling on the basic one."""

from django.db import migrations


def seed(apps, schema_editor):
    from marketplace.catalogue.seed import seed as seed_rows
    from marketplace.catalogue.seed import seed_rule_ceilings

    Category = apps.get_model("catalogue", "ServiceCategory")
    seed_rows(Category, apps.get_model("catalogue", "StandardPackage"), apps.get_model("catalogue", "PackageComponent"))
    seed_rule_ceilings(Category, apps.get_model("catalogue", "GuidePrice"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0006_provider_confirmation_hours")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
