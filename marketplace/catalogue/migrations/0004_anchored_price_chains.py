"""F10: anchored price chains.

Creates the signed daily chain-heads record and the re-hash note, then re-hashes every price
chain from scheme v1 (``announced_at`` in microseconds, which a dumpdata/loaddata round trip
truncates to milliseconds) to v2 (``announced_at`` truncated to whole milliseconds in UTC). A
chain is re-hashed only if it verifies under v1, so a change made before this migration is not
laundered into a valid-looking chain; those chains are listed in the ``ChainRehash`` note. The
hashing functions are frozen here, as they were when this migration was written."""

import datetime
import hashlib
import json
from decimal import Decimal

from django.db import migrations, models
from django.utils import timezone

REASON = (
    "哈希方案由 v1 改为 v2：公布时间按 UTC 截断到毫秒参与哈希，使数据导出再导入（dumpdata/loaddata）"
    "后哈希链仍然成立。只重算了在 v1 下校验通过的哈希链；各链重算前后的链头见 heads。"
)


def _payload(version, announced_at):
    canonical = {
        "provider": version.provider_id,
        "sequence": version.sequence,
        "item": version.item_id,
        "price": str(Decimal(version.price).quantize(Decimal("0.01"))),
        "basis": version.basis,
        "effective_from": version.effective_from.isoformat(),
        "announced_at": announced_at,
        "reason": version.reason,
        "created_by": version.created_by_id,
        "previous": version.previous_id,
        "previous_hash": version.previous_hash,
    }
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _v1(version):
    return _payload(version, version.announced_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def _v2(version):
    value = version.announced_at.astimezone(datetime.UTC)
    return _payload(version, f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z")


def rehash(apps, schema_editor):
    PriceVersion = apps.get_model("catalogue", "PriceVersion")
    ChainRehash = apps.get_model("catalogue", "ChainRehash")
    provider_ids = list(PriceVersion.objects.order_by().values_list("provider_id", flat=True).distinct())
    heads, skipped, rehashed = {}, [], 0
    for provider_id in sorted(provider_ids):
        versions = list(PriceVersion.objects.filter(provider_id=provider_id).order_by("sequence"))
        previous_hash, intact = "", True
        for expected_sequence, version in enumerate(versions, start=1):
            if (
                version.sequence != expected_sequence
                or version.previous_hash != previous_hash
                or _v1(version) != version.chain_hash
            ):
                intact = False
                break
            previous_hash = version.chain_hash
        if not intact:
            skipped.append({"provider": provider_id, "count": len(versions)})
            continue
        old_head = versions[-1].chain_hash
        previous_hash = ""
        for version in versions:
            version.previous_hash = previous_hash
            version.chain_hash = _v2(version)
            previous_hash = version.chain_hash
        PriceVersion.objects.bulk_update(versions, ["previous_hash", "chain_hash"], batch_size=1000)
        heads[str(provider_id)] = {"count": len(versions), "v1": old_head, "v2": previous_hash}
        rehashed += len(versions)
    if provider_ids:
        ChainRehash.objects.create(
            performed_at=timezone.now(),
            scheme_from="v1",
            scheme_to="v2",
            reason=REASON,
            chains=len(heads),
            versions=rehashed,
            heads=heads,
            skipped=skipped,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0003_provider_deposit_percent"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainHeads",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(unique=True, verbose_name="公示日期")),
                ("published_at", models.DateTimeField(verbose_name="公示时间")),
                ("payload", models.TextField(verbose_name="签名内容（JSON）")),
                ("payload_sha256", models.CharField(max_length=64, verbose_name="内容 SHA-256")),
                ("signature", models.TextField(verbose_name="签名（Base64）")),
                ("certificate", models.TextField(verbose_name="签名证书（PEM）")),
                (
                    "previous_sha256",
                    models.CharField(blank=True, max_length=64, verbose_name="上一份记录的 SHA-256"),
                ),
                ("chain_count", models.PositiveIntegerField(verbose_name="哈希链数")),
            ],
            options={
                "verbose_name": "价格链头公示",
                "verbose_name_plural": "价格链头公示",
                "ordering": ["-day"],
            },
        ),
        migrations.CreateModel(
            name="ChainRehash",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("performed_at", models.DateTimeField(verbose_name="执行时间")),
                ("scheme_from", models.CharField(max_length=20, verbose_name="原哈希方案")),
                ("scheme_to", models.CharField(max_length=20, verbose_name="新哈希方案")),
                ("reason", models.TextField(verbose_name="原因")),
                ("chains", models.PositiveIntegerField(verbose_name="重算的哈希链数")),
                ("versions", models.PositiveIntegerField(verbose_name="重算的价格版本数")),
                ("heads", models.JSONField(default=dict, verbose_name="各链前后链头")),
                ("skipped", models.JSONField(blank=True, default=list, verbose_name="未重算的哈希链")),
            ],
            options={
                "verbose_name": "哈希链重算记录",
                "verbose_name_plural": "哈希链重算记录",
                "ordering": ["-performed_at"],
            },
        ),
        migrations.RunPython(rehash, migrations.RunPython.noop),
    ]
