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
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "catalogue.md"
PYTHON = sys.executable

SETTINGS_TEMPLATE = """
from {base} import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "catalogue_bench_urls"
# Wagtail's PostgreSQL search index needs this app for `migrate`'s system checks.
if "django.contrib.postgres" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.postgres"]  # noqa: F405
LOGGING = {{"version": 1, "disable_existing_loggers": False,
           "handlers": {{"null": {{"class": "logging.NullHandler"}}}},
           "root": {{"handlers": ["null"], "level": "ERROR"}}}}
"""

URLS_TEMPLATE = """
from django.http import HttpResponse
from django.urls import path

from {base} import urlpatterns as site_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
"""

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "errors": %d, "non2xx": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=5000)
    parser.add_argument(
        "--items", type=int, default=100_000, help="items in total, spread over the providers"
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--base-settings", default=os.environ.get("BENCH_BASE_SETTINGS", "config.settings.base")
    )
    parser.add_argument("--base-urlconf", default=os.environ.get("BENCH_BASE_URLCONF", "config.urls"))
    parser.add_argument("--output", default=str(RESULTS))
    return parser.parse_args()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


# --- Load ----------------------------------------------------------------------------------------


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer at {url}")


def run_wrk(url, duration, connections, script):
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("{"))
    data = json.loads(line)
    return {
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "requests": data["requests"],
        "errors": data["errors"] + data["non2xx"],
    }


def run_python(url, duration, connections):
    """A small closed-loop load generator for machines without wrk."""
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.monotonic() + duration

    def worker():
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    response.read()
                    ok = response.status == 200
            except OSError:
                ok = False
            elapsed = time.monotonic() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
        "rps": len(latencies) / elapsed,
        "requests": len(latencies),
        "errors": errors[0],
    }


def main():
    args = parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        os.execv(  # noqa: S606 - re-run under a throwaway PostgreSQL
            str(ROOT / "scripts" / "with-postgres.sh"),
            [str(ROOT / "scripts" / "with-postgres.sh"), PYTHON, *sys.argv],
        )

    workdir = Path(tempfile.mkdtemp(prefix="catalogue-bench-"))
    (workdir / "catalogue_bench_settings.py").write_text(SETTINGS_TEMPLATE.format(base=args.base_settings))
    (workdir / "catalogue_bench_urls.py").write_text(URLS_TEMPLATE.format(base=args.base_urlconf))
    (workdir / "p95.lua").write_text(WRK_SCRIPT)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": "catalogue_bench_settings",
    }
    os.environ.update(env)
    sys.path[:0] = [str(workdir), str(ROOT)]

    def out(message):
        print(message, flush=True)

    out("migrating …")
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    out(f"generating {args.providers} providers / {args.items} items …")
    generate(args.providers, args.items, out)

    import django
    from django.db import connection

    django.setup()
    from marketplace.catalogue.models import PriceVersion, Provider, ServiceItem

    homes = list(Provider.objects.filter(slug__startswith="bench-", type="funeral_home").order_by("slug")[:3])
    counts = (Provider.objects.count(), ServiceItem.objects.count(), PriceVersion.objects.count())
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    server = subprocess.Popen(
        [
            gunicorn,
            "config.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(workdir / "gunicorn.log"),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
    )
    pages = [
        ("bare Django view", "/bench/bare/"),
        ("reference: a plain site page (/open-data/)", "/open-data/"),
        ("catalogue /funeral/", "/funeral/"),
        ("provider page", f"/funeral/providers/{homes[0].slug}/"),
        ("compare page (3 providers)", "/funeral/compare/?" + "&".join(f"p={h.slug}" for h in homes)),
    ]
    use_wrk = shutil.which("wrk") is not None
    load_before = os.getloadavg()[0]
    results = []
    try:
        wait_for(base + "/bench/bare/")
        for label, path in pages:
            for _ in range(5):  # warm both workers and the city statistics cache
                urllib.request.urlopen(base + path, timeout=60).read()
            out(f"loading {label} for {args.duration}s …")
            if use_wrk:
                result = run_wrk(base + path, args.duration, args.connections, str(workdir / "p95.lua"))
            else:
                result = run_python(base + path, args.duration, args.connections)
            out(f"  p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, {result['rps']:.1f} req/s")
            results.append((label, path, result))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    bare_rps = results[0][2]["rps"]
    tool = "wrk (2 threads)" if use_wrk else "built-in Python load generator"
    lines = [
        "# Funeral catalogue benchmark",
        "",
        f"Produced by `benchmarks/catalogue.py` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"- Data: {counts[0]:,} providers, {counts[1]:,} items, {counts[2]:,} price versions (PostgreSQL).",
        f"- Server: gunicorn, {args.workers} sync workers, 127.0.0.1 only; DEBUG off.",
        f"- Load: {tool}, {args.connections} connections, {args.duration} s per page after a warm-up.",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with the load generator and PostgreSQL; "
        f"load average {load_before:.1f} before the run and {os.getloadavg()[0]:.1f} after it.",
        "",
        "| page | path | p50 (ms) | p95 (ms) | requests/s | ratio to bare view | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, path, result in results:
        ratio = result["rps"] / bare_rps if bare_rps else 0
        lines.append(
            f"| {label} | `{path}` | {result['p50_ms']:.1f} | {result['p95_ms']:.1f} | {result['rps']:.1f} | "
            f"{ratio:.3f} | {result['errors']} |"
        )
    lines += [
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
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    out(f"wrote {args.output}")


if __name__ == "__main__":
    main()
