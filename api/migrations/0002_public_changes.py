# The public change feed (issue 19): api.models.changes.PublicChange.

import api.changes
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_api_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False, verbose_name="游标")),
                (
                    "kind",
                    models.CharField(
                        choices=api.changes.kind_choices, max_length=40, verbose_name="变更类型"
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        help_text="类型、记录和次序；同一变更只记录一次。",
                        max_length=200,
                        unique=True,
                        verbose_name="变更标识",
                    ),
                ),
                (
                    "subject",
                    models.CharField(
                        blank=True,
                        help_text="机构网址标识或统一社会信用代码。",
                        max_length=80,
                        verbose_name="主体",
                    ),
                ),
                ("title", models.CharField(max_length=300, verbose_name="标题")),
                ("titles", models.JSONField(blank=True, default=dict, verbose_name="各语言标题")),
                ("html_url", models.CharField(blank=True, max_length=300, verbose_name="页面地址")),
                ("api_url", models.CharField(blank=True, max_length=300, verbose_name="接口地址")),
                (
                    "occurred_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="变更时间"),
                ),
            ],
            options={
                "verbose_name": "公开变更",
                "verbose_name_plural": "公开变更",
                "ordering": ["id"],
                "indexes": [
                    models.Index(fields=["kind", "id"], name="api_change_kind"),
                    models.Index(fields=["kind", "subject", "id"], name="api_change_kind_subject"),
                    models.Index(fields=["subject", "id"], name="api_change_subject"),
                ],
            },
        ),
    ]
