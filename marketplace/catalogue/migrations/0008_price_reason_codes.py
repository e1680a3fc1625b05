"""Price-change reasons become a chosen list (issue 18, point 12).

Adds ``PriceVersion.reason_code`` and makes ``reason`` the provider's free-text detail. Old
versions whose free text is exactly one of the list's Chinese labels get that code; the rest
keep an empty code and show their text as before. The hash rule of ``PriceVersion.canonical``
leaves out the code of a version whose ``reason`` is exactly its code's label, so the mapped
versions hash as before and every existing chain still verifies. The labels are frozen here,
as they were when this migration was written. Reversible: going back clears the codes."""

from django.db import migrations, models

LABELS = {
    "initial": "首次公示价格",
    "costs": "人工与材料成本上涨",
    "price_index": "物价指数调整",
    "service_content": "服务内容调整",
    "policy": "政策调整/限价调整",
    "correction": "纠正错误",
    "other": "其他",
}


def map_reasons(apps, schema_editor):
    PriceVersion = apps.get_model("catalogue", "PriceVersion")
    for code, label in LABELS.items():
        PriceVersion.objects.filter(reason=label, reason_code="").update(reason_code=code)


def unmap_reasons(apps, schema_editor):
    PriceVersion = apps.get_model("catalogue", "PriceVersion")
    PriceVersion.objects.exclude(reason_code="").update(reason_code="")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0007_proxy_sweeping_categories"),
    ]

    operations = [
        migrations.AddField(
            model_name="priceversion",
            name="reason_code",
            field=models.CharField(
                blank=True,
                choices=[
                    ("initial", "首次公示价格"),
                    ("costs", "人工与材料成本上涨"),
                    ("price_index", "物价指数调整"),
                    ("service_content", "服务内容调整"),
                    ("policy", "政策调整/限价调整"),
                    ("correction", "纠正错误"),
                    ("other", "其他"),
                ],
                default="",
                max_length=20,
                verbose_name="调价原因类别",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="priceversion",
            name="reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="调价原因说明"),
        ),
        migrations.RunPython(map_reasons, unmap_reasons),
    ]
