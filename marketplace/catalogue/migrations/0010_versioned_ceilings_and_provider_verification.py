"""Issue 23 point 6: ceilings are append-only versions with a reason and who recorded them, and
the bureau's verification of a provider keeps its history (reason and evidence).

Existing ceilings stay as the first versions of their category and basis: their reason becomes
"初始最高限价", and each points at the version before it. Providers already verified get a
first verification record saying so (no evidence was recorded then)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

INITIAL_REASON = "初始最高限价"


def first_versions(apps, schema_editor):
    GuidePrice = apps.get_model("catalogue", "GuidePrice")
    # Plain SQL updates: the historical model has no append-only rule, and these are the rows'
    # first values, not edits.
    GuidePrice.objects.filter(reason="").update(reason=INITIAL_REASON)
    previous = {}
    for guide in GuidePrice.objects.order_by("category_id", "basis", "effective_from", "id"):
        key = (guide.category_id, guide.basis)
        if key in previous:
            GuidePrice.objects.filter(pk=guide.pk).update(previous_id=previous[key])
        previous[key] = guide.pk
    Provider = apps.get_model("catalogue", "Provider")
    ProviderVerification = apps.get_model("catalogue", "ProviderVerification")
    for provider in Provider.objects.filter(is_verified=True):
        ProviderVerification.objects.create(
            provider=provider,
            verified=True,
            reason="启用核验记录前已核验",
            evidence_reference="（未记录）",
            recorded_by_id=provider.verified_by_id,
            recorded_at=provider.verified_at or provider.updated_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0009_priceflag_review_due"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProviderVerification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("verified", models.BooleanField(verbose_name="核验结论：已核验")),
                ("reason", models.CharField(max_length=300, verbose_name="核验原因")),
                ("evidence_reference", models.CharField(max_length=120, verbose_name="证明材料编号")),
                ("recorded_by_name", models.CharField(blank=True, max_length=80, verbose_name="核验人名称")),
                (
                    "recorded_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="核验时间"),
                ),
            ],
            options={
                "verbose_name": "机构核验记录",
                "verbose_name_plural": "机构核验记录",
                "ordering": ["-recorded_at", "-id"],
            },
        ),
        migrations.AlterModelOptions(
            name="guideprice",
            options={
                "ordering": ["category__sort_order", "basis", "-effective_from", "-id"],
                "verbose_name": "指导价（最高限价）",
                "verbose_name_plural": "指导价（最高限价）",
            },
        ),
        migrations.RemoveConstraint(
            model_name="guideprice",
            name="catalogue_guide_unique",
        ),
        migrations.AddField(
            model_name="guideprice",
            name="previous",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="catalogue.guideprice",
                verbose_name="上一限价版本",
            ),
        ),
        migrations.AddField(
            model_name="guideprice",
            name="reason",
            field=models.CharField(
                default="", help_text="为什么设定或调整该限价。", max_length=300, verbose_name="调整原因"
            ),
        ),
        migrations.AddField(
            model_name="guideprice",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="记录人",
            ),
        ),
        migrations.AddField(
            model_name="guideprice",
            name="recorded_by_name",
            field=models.CharField(blank=True, max_length=80, verbose_name="记录人名称"),
        ),
        migrations.AlterField(
            model_name="guideprice",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="记录时间"),
        ),
        migrations.AlterField(
            model_name="guideprice",
            name="document",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="wagtaildocs.document",
                verbose_name="文件",
            ),
        ),
        migrations.AddIndex(
            model_name="guideprice",
            index=models.Index(
                fields=["category", "basis", "-effective_from", "-id"], name="catalogue_guide_pair_eff"
            ),
        ),
        migrations.AddField(
            model_name="providerverification",
            name="evidence_document",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtaildocs.document",
                verbose_name="证明材料文件",
            ),
        ),
        migrations.AddField(
            model_name="providerverification",
            name="provider",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="verifications",
                to="catalogue.provider",
                verbose_name="机构",
            ),
        ),
        migrations.AddField(
            model_name="providerverification",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="核验人",
            ),
        ),
        migrations.RunPython(first_versions, migrations.RunPython.noop),
    ]
