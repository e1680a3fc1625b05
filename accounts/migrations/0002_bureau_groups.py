from django.db import migrations

BUREAU_GROUPS = ("市民政局管理员", "殡葬管理科", "社会组织管理科", "内容编辑")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in BUREAU_GROUPS:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=BUREAU_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
