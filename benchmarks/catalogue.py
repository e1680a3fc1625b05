"""Benchmark the funeral catalogue at city scale.

Generates providers, items and two price versions per item (a real, verifiable hash
chain) into PostgreSQL, serves the site with gunicorn (2 workers) on 127.0.0.1,
loads /funeral/, a provider page and a compare page with wrk (or a built-in Python
load generator when wrk isn't installed) for a bounded time each, measures a bare
Django view served the same way, and writes p50, p95, requests per second and the
ratio to the bare view into benchmarks/results/catalogue.md.

    scripts/with-postgres.sh .venv/bin/python benchmarks/catalogue.py
    .venv/bin/python benchmarks/catalogue.py --providers 500 --items 10000 --duration 5

Without a PostgreSQL DATABASE_URL the script re-runs itself under
scripts/with-postgres.sh (a throwaway server, removed afterwards). Only 127.0.0.1
is ever contacted.
"""

import argparse
import datetime
import os
import textwrap
import time
from decimal import Decimal

import harness
from harness import out

RESULTS = harness.ROOT / "benchmarks" / "results" / "catalogue.md"


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=5000)
    parser.add_argument(
        "--items", type=int, default=100_000, help="items in total, spread over the providers"
    )
    harness.add_common_arguments(parser, RESULTS, duration=20)
    return parser.parse_args()


# --- Data --------------------------------------------------------------------------------------


def generate(providers, total_items, out):
    """Bulk-insert providers, items, a full two-version history per item, and package mappings."""
    import django
    from django.db import connection, transaction
    from django.utils import timezone

    django.setup()
    from marketplace.catalogue.models import (
        District,
        PackageMapping,
        PriceVersion,
        Provider,
        ProviderType,
        ServiceCategory,
        ServiceItem,
        StandardPackage,
    )

    if Provider.objects.filter(slug__startswith="bench-").exists():
        out(f"benchmark data already present: {Provider.objects.count()} providers")
        return
    started = time.monotonic()
    districts = [value for value, _label in District.choices]
    leaf = list(ServiceCategory.objects.filter(parent__isnull=False).order_by("sort_order"))
    package = StandardPackage.objects.get(code="basic")
    components = list(package.components.select_related("category"))
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=700)
    change_day = today - datetime.timedelta(days=200)
    per_provider = max(1, total_items // providers)

    with transaction.atomic():
        Provider.objects.bulk_create(
            Provider(
                type=ProviderType.FUNERAL_HOME
                if i % 5 < 2
                else [ProviderType.CEMETERY, ProviderType.COLUMBARIUM, ProviderType.SERVICE_AGENCY][i % 3],
                name=f"基准测试机构{i:05d}",
                slug=f"bench-{i:05d}",
                district=districts[i % len(districts)],
                address=f"测试地址{i}号",
                phone="010-60000000",
                licence_number=f"BENCH-{i:05d}",
                supervising_authority="北京市民政局",
                complaint_hotline="12345",
                ownership_disclosure="基准测试数据",
                deposit_terms="无",
                payment_schedule="服务后结清",
                cancellation_terms="可取消",
                refund_terms="全额退款",
                is_published=True,
                is_verified=True,
            )
            for i in range(providers)
        )
        provider_rows = list(Provider.objects.filter(slug__startswith="bench-").order_by("slug"))
        items = []
        for index, provider in enumerate(provider_rows):
            for position in range(per_provider):
                if provider.type == ProviderType.FUNERAL_HOME and position < len(components):
                    category = components[position].category
                else:
                    category = leaf[(index + position) % len(leaf)]
                items.append(
                    ServiceItem(
                        provider=provider,
                        category=category,
                        name=f"{category.name}{position}",
                        unit="次",
                        basis="market",
                        sort_order=position,
                    )
                )
        ServiceItem.objects.bulk_create(items, batch_size=5000)
        items = list(
            ServiceItem.objects.filter(provider__slug__startswith="bench-").order_by("provider_id", "pk")
        )
        out(f"  {len(provider_rows)} providers, {len(items)} items")

        # Versions get explicit ids so the per-item 'previous' link is inside the hashed fields.
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM catalogue_priceversion")
            next_id = cursor.fetchone()[0] + 1
        announced_first = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time(9)))
        announced_change = timezone.make_aware(datetime.datetime.combine(change_day, datetime.time(9)))
        versions, chain = [], {}
        for item in items:
            base = Decimal(100 + (item.pk * 37) % 900)
            previous = None
            for day, announced, price, reason in (
                (first_day, announced_first, base, "首次公示"),
                (
                    change_day,
                    announced_change,
                    (base * Decimal("1.05")).quantize(Decimal("0.01")),
                    "成本上涨",
                ),
            ):
                sequence, previous_hash = chain.get(item.provider_id, (0, ""))
                version = PriceVersion(
                    id=next_id,
                    provider_id=item.provider_id,
                    item_id=item.pk,
                    sequence=sequence + 1,
                    price=price,
                    basis="market",
                    effective_from=day,
                    announced_at=announced,
                    reason=reason,
                    previous_id=previous,
                    previous_hash=previous_hash,
                )
                version.chain_hash = version.compute_hash()
                chain[item.provider_id] = (sequence + 1, version.chain_hash)
                versions.append(version)
                previous = next_id
                next_id += 1
        # bulk_create skips save(): the rows are new, and the hash is already computed above.
        for start in range(0, len(versions), 10_000):
            PriceVersion.objects.bulk_create(versions[start : start + 10_000])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('catalogue_priceversion', 'id'), "
                "(SELECT MAX(id) FROM catalogue_priceversion))"
            )
        mappings = []
        by_provider = {}
        for item in items:
            by_provider.setdefault(item.provider_id, []).append(item)
        for provider in provider_rows:
            if provider.type != ProviderType.FUNERAL_HOME:
                continue
            for component, item in zip(components, by_provider[provider.pk], strict=False):
                mappings.append(PackageMapping(provider=provider, component=component, item=item))
        PackageMapping.objects.bulk_create(mappings, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out(
        f"  {len(versions)} price versions, {len(mappings)} package mappings in {time.monotonic() - started:.0f}s"
    )


def main():
    args = parse_args()
    harness.ensure_postgres()
    workspace = harness.Workspace("catalogue", args.base_settings, args.base_urlconf).activate()
    cache = harness.ProductionCache(workspace, args.database_cache)

    out("migrating …")
    harness.migrate(workspace)
    out(f"generating {args.providers} providers / {args.items} items …")
    generate(args.providers, args.items, out)

    import django
    from django.db import connection

    django.setup()
    from marketplace.catalogue.models import PriceVersion, Provider, ServiceItem

    homes = list(Provider.objects.filter(slug__startswith="bench-", type="funeral_home").order_by("slug")[:3])
    counts = (Provider.objects.count(), ServiceItem.objects.count(), PriceVersion.objects.count())
    connection.close()

    pages = [
        ("bare Django view", harness.BARE_PATH),
        ("reference: a plain site page (/open-data/)", "/open-data/"),
        ("catalogue /funeral/", "/funeral/"),
        ("provider page", f"/funeral/providers/{homes[0].slug}/"),
        ("compare page (3 providers)", "/funeral/compare/?" + "&".join(f"p={h.slug}" for h in homes)),
    ]
    load_before = os.getloadavg()
    try:
        with harness.Server(workspace, workers=args.workers) as server:
            server.wait()
            # The warm-up also fills the compare page's city statistics cache.
            results = harness.measure_pages(server, workspace, pages, args.duration, args.connections)
    finally:
        workspace.cleanup()
        cache.stop()

    lines = [
        "# Funeral catalogue benchmark",
        "",
        f"Produced by `benchmarks/catalogue.py` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"- Data: {counts[0]:,} providers, {counts[1]:,} items, {counts[2]:,} price versions (PostgreSQL).",
        f"- Server: gunicorn, {args.workers} sync workers, 127.0.0.1 only; DEBUG off.",
        cache.line,
        f"- Load: {harness.tool_name()}, {args.connections} connections, {args.duration} s per page after a warm-up.",
        harness.machine_line(load_before),
        "",
        *harness.page_table(results),
        "",
        textwrap.fill(
            "The ratio is each page's throughput divided by the bare Django view's (same server, same "
            "middleware), so it shows what the catalogue's own work costs independent of the machine. "
            "The plain site page (the open-data index: base template, navigation, footer, no catalogue "
            "queries) shows how much of that is the shared page chrome every HTML page pays. "
            "The compare page's city-wide minimum/median/maximum are cached per day and per price "
            "change, so the steady state measured here is the cached one.",
            100,
        ),
        "",
    ]
    harness.write_results(args.output, lines)


if __name__ == "__main__":
    main()
