"""Benchmark the charity disclosure app (orgs/charity) at city scale.

Generates organisations, charity projects, donations (a third anonymous), expenditures,
progress reports and a few corrections into PostgreSQL with bulk_create, rebuilds the
site-wide search index when the search app is installed, then

- loads the public pages (the project list, a filtered list, a project page with ~20,000
  donations and a typical one, the donation lookup and the site search) with wrk (or a built-in
  Python load generator) against gunicorn on 127.0.0.1, next to a bare Django view, and counts
  each page's SQL queries in-process;
- streams the open data (projects, donations CSV and JSON, expenditures) from a fresh one-worker
  gunicorn each, timing the first byte, the first record and the whole download while sampling
  the worker's resident memory;
- times the donation and spending imports (``imports.read_rows``, ``check``, ``confirm``, and a
  re-upload that must skip every row) in-process on generated CSV files;

and writes the results into benchmarks/results/charity.md.

    .venv/bin/python benchmarks/charity.py
    .venv/bin/python benchmarks/charity.py --projects 500 --donations 50000 --expenditures 10000 \\
        --heavy-donations 5000 --import-rows 2000 --duration 5

Without a PostgreSQL DATABASE_URL the script re-runs itself under scripts/with-postgres.sh
(a throwaway server, removed afterwards). Only 127.0.0.1 is ever contacted.
"""

import argparse
import csv
import datetime
import http.client
import io
import os
import random
import shlex
import sys
import textwrap
import threading
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import harness
from harness import out

RESULTS = harness.ROOT / "benchmarks" / "results" / "charity.md"
NAME_PREFIX = "基准慈善组织"
THEMES = ["助学", "助老", "助残", "医疗救助", "扶贫济困", "社区养老", "儿童关爱", "应急救灾"]
BRANDS = ["阳光", "春蕾", "暖冬", "希望", "同心", "微光", "彩虹", "守望"]
SEARCH_WORD = "助学"
PURPOSES = ["采购助学物资", "发放生活补助", "支付康复治疗费用", "志愿者交通与保险", "采购冬季取暖物资"]
CHANNEL_LABELS = ["银行转账", "平台在线捐赠", "现金", "其他"]


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument(
        "--donations", type=int, default=200_000, help="current donations in total (0.5%% are corrected)"
    )
    parser.add_argument(
        "--heavy-donations", type=int, default=20_000, help="donations of the one big project"
    )
    parser.add_argument("--expenditures", type=int, default=40_000)
    parser.add_argument(
        "--heavy-expenditures", type=int, default=1_000, help="expenditures of the one big project"
    )
    parser.add_argument("--import-rows", type=int, default=10_000, help="rows in each imported CSV")
    parser.add_argument("--no-search", action="store_true", help="skip the search index and /search/")
    harness.add_common_arguments(parser, RESULTS, duration=15)
    args = parser.parse_args()
    if args.projects < 2 or args.organisations < 2 or args.heavy_donations >= args.donations:
        parser.error("need at least 2 projects and organisations, and more donations than --heavy-donations")
    return args


# --- Data --------------------------------------------------------------------------------------


def _between(rng, start, end):
    span = max(0, (end - start).days)
    return start + datetime.timedelta(days=rng.randrange(span + 1))


def _amount(rng):
    return Decimal(rng.choice([20, 50, 100, 200, 500, 1000, 2000, 5000])) + Decimal(rng.randrange(100)) / 100


def generate(args):
    """Bulk-insert the data set; returns what the measurements need (ids, counts, timings)."""
    import django
    from django.db import connection, transaction
    from django.utils import timezone

    django.setup()
    from core.dates import add_months
    from orgs.charity import services
    from orgs.charity.models import CharityProject, Donation, Expenditure, ProgressReport, ProjectStatus
    from orgs.registry import uscc
    from orgs.registry.models import CITY_AUTHORITY, USCC_TYPE_CODES, District, Organization, OrgType

    if Organization.objects.filter(name__startswith=NAME_PREFIX).exists():
        raise SystemExit("benchmark data already present: run against an empty database")
    started = time.monotonic()
    rng = random.Random(2026)
    today = timezone.localdate()
    districts = [value for value, _label in District.choices]

    with transaction.atomic():
        organisations = Organization.objects.bulk_create(
            Organization(
                name=f"{NAME_PREFIX}{i:03d}",
                uscc=uscc.build(
                    USCC_TYPE_CODES[OrgType.FOUNDATION if i % 2 == 0 else OrgType.SOCIAL_SERVICE],
                    districts[i % len(districts)],
                    f"BC{i:07d}",
                ),
                org_type=OrgType.FOUNDATION if i % 2 == 0 else OrgType.SOCIAL_SERVICE,
                registration_authority=CITY_AUTHORITY,
                registered_on=datetime.date(2010, 1, 1) + datetime.timedelta(days=i * 7),
                legal_representative="测试法人",
                domicile=f"北京市测试路{i}号",
                district=districts[i % len(districts)],
                business_scope="慈善募捐、助学助老",
                registered_funds=Decimal("2000000.00"),
                charity_recognized_on=datetime.date(2017, 1, 1),
                public_fundraising=i % 3 != 0,
            )
            for i in range(args.organisations)
        )

        first_start = datetime.date(2022, 1, 1)
        last_start = today - datetime.timedelta(days=30)
        projects = []
        for i in range(args.projects):
            organisation = organisations[i % len(organisations)]
            if i == 0:  # the one big, long-running project
                starts_on, ends_on, status = datetime.date(2024, 1, 1), datetime.date(2027, 12, 31), "running"
            else:
                starts_on = _between(rng, first_start, last_start)
                ends_on = add_months(starts_on, rng.choice([3, 6, 9, 12, 18, 24, 36])) - datetime.timedelta(
                    days=1
                )
                if ends_on < today and i % 5:
                    status = ProjectStatus.COMPLETED
                elif starts_on > today - datetime.timedelta(days=90):
                    status = ProjectStatus.FUNDRAISING
                else:
                    status = ProjectStatus.RUNNING
            public = organisation.public_fundraising and i % 2 == 0
            filed = None
            if public and i % 13:
                # Most plans are filed in time (10 days ahead); every 4th is late.
                filed = starts_on - datetime.timedelta(days=20 if i % 4 else 3)
            projects.append(
                CharityProject(
                    organization=organisation,
                    name=f"{BRANDS[i % len(BRANDS)]}{THEMES[(i // len(BRANDS)) % len(THEMES)]}计划{i:04d}",
                    plan_filing_number=f"京民慈备{i:05d}" if filed else "",
                    plan_filed_on=filed,
                    public_fundraising=public,
                    goal=Decimal(rng.choice([50_000, 100_000, 300_000, 1_000_000, 5_000_000])),
                    starts_on=starts_on,
                    ends_on=ends_on,
                    description="为困难家庭和个人提供帮扶。" * 3,
                    status=status,
                    area=districts[(i * 7) % len(districts)],
                )
            )
        projects = CharityProject.objects.bulk_create(projects)
        out(f"  {len(organisations)} organisations, {len(projects)} projects")

        def last_day(project):
            return min(project.ends_on, today)

        # Donations: the heavy project first, then round-robin over the others. Every 200th is
        # corrected later (a new row pointing at it), as the workbench's correction form does.
        corrected, lookup, typical_lookup = [], None, None
        batch = []
        total = args.donations
        for n in range(total):
            project = projects[0] if n < args.heavy_donations else projects[1 + n % (len(projects) - 1)]
            in_kind = n % 20 == 0
            batch.append(
                Donation(
                    organization_id=project.organization_id,
                    project_id=project.pk,
                    donor_name=f"捐赠人{n:06d}",
                    anonymous=n % 3 == 0,
                    kind=Donation.Kind.IN_KIND if in_kind else Donation.Kind.MONEY,
                    amount=_amount(rng),
                    in_kind_description="冬季棉衣20件" if in_kind else "",
                    donated_on=_between(rng, project.starts_on, last_day(project)),
                    channel=[Donation.Channel.BANK, Donation.Channel.ONLINE, Donation.Channel.CASH][n % 3],
                    receipt_number=f"JZ{n:08d}",
                )
            )
            if len(batch) == 10_000 or n == total - 1:
                for donation in Donation.objects.bulk_create(batch, batch_size=5000):
                    number = int(donation.receipt_number[2:])
                    if number % 200 == 7:
                        corrected.append(donation)
                    elif lookup is None and donation.project_id == projects[0].pk and number % 3:
                        lookup = donation
                    elif typical_lookup is None and donation.project_id == projects[1].pk:
                        typical_lookup = donation
                batch = []
        Donation.objects.bulk_create(
            [
                Donation(
                    organization_id=d.organization_id,
                    project_id=d.project_id,
                    donor_name=d.donor_name,
                    anonymous=d.anonymous,
                    kind=d.kind,
                    amount=d.amount + Decimal("1.00"),
                    in_kind_description=d.in_kind_description,
                    donated_on=d.donated_on,
                    channel=d.channel,
                    receipt_number=d.receipt_number,
                    corrects_id=d.pk,
                )
                for d in corrected
            ],
            batch_size=5000,
        )
        out(f"  {total} donations (+{len(corrected)} corrections)")

        expenditures, corrected_spending = [], []
        for n in range(args.expenditures):
            project = projects[0] if n < args.heavy_expenditures else projects[1 + n % (len(projects) - 1)]
            expenditures.append(
                Expenditure(
                    project_id=project.pk,
                    voucher_number=f"ZC{n:07d}",
                    amount=_amount(rng) * 3,
                    purpose=PURPOSES[n % len(PURPOSES)],
                    beneficiary_count=n % 40,
                    spent_on=_between(rng, project.starts_on, last_day(project)),
                )
            )
        for expenditure in Expenditure.objects.bulk_create(expenditures, batch_size=5000):
            if int(expenditure.voucher_number[2:]) % 200 == 11:
                corrected_spending.append(expenditure)
        Expenditure.objects.bulk_create(
            [
                Expenditure(
                    project_id=e.project_id,
                    voucher_number=e.voucher_number,
                    amount=e.amount,
                    purpose=f"{e.purpose}（更正）",
                    beneficiary_count=e.beneficiary_count,
                    spent_on=e.spent_on,
                    corrects_id=e.pk,
                )
                for e in corrected_spending
            ],
            batch_size=5000,
        )
        out(f"  {len(expenditures)} expenditures (+{len(corrected_spending)} corrections)")

        # Progress reports for every period that has passed; every 7th project misses its
        # latest one and every 11th completed project has no final report (both show as overdue).
        reports = []
        for i, project in enumerate(projects):
            passed = [due for due in services.progress_due_dates(project) if due < today]
            if i % 7 == 0:
                passed = passed[:-1]
            for due in passed:
                reports.append(
                    ProgressReport(
                        project_id=project.pk,
                        kind=ProgressReport.Kind.PROGRESS,
                        period_start=add_months(due, -3),
                        period_end=due,
                        text="本期项目按计划执行，资金使用情况见支出明细。",
                        published_on=due - datetime.timedelta(days=5),
                    )
                )
            final_due = services.final_account_deadline(project)
            if project.ends_on < today and i % 11:
                reports.append(
                    ProgressReport(
                        project_id=project.pk,
                        kind=ProgressReport.Kind.FINAL,
                        period_start=project.starts_on,
                        period_end=project.ends_on,
                        text="项目已结项，全面报告如下。",
                        published_on=min(today, final_due - datetime.timedelta(days=10)),
                    )
                )
        ProgressReport.objects.bulk_create(reports, batch_size=5000)
        out(f"  {len(reports)} progress reports")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = time.monotonic() - started
    out(f"  generated in {seconds:.0f}s")
    return {
        "seconds": seconds,
        "heavy": projects[0].pk,
        "typical": projects[1].pk,
        "lookup": lookup,
        "typical_lookup": typical_lookup,
        "import_org": organisations[1].pk,
        "typical_donations": Donation.objects.current().filter(project_id=projects[1].pk).count(),
        "counts": {
            "organisations": len(organisations),
            "projects": len(projects),
            "donations": total,
            "donation_corrections": len(corrected),
            "anonymous": sum(1 for n in range(total) if n % 3 == 0),
            "expenditures": len(expenditures),
            "expenditure_corrections": len(corrected_spending),
            "reports": len(reports),
        },
    }


def rebuild_search_index():
    """(seconds, entries, reason skipped) — the search app is optional."""
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    if not apps.is_installed("search"):
        return None, 0, "the search app is not installed"
    try:
        reverse("search:search")
        from search.index import rebuild
    except (ImportError, NoReverseMatch) as error:
        return None, 0, f"the search app is not wired up ({error})"
    started = time.monotonic()
    total = rebuild()
    return time.monotonic() - started, total, ""


# --- In-process query counts ----------------------------------------------------------------------


def count_queries(paths):
    """{path: (status, queries, SQL ms, wall ms, bytes)} for one request each, after a warm-up."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for path in paths:
        client.get(harness.quote(path))
        with CaptureQueriesContext(connection) as context:
            started = time.perf_counter()
            response = client.get(harness.quote(path))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            wall = (time.perf_counter() - started) * 1000
        sql_ms = sum(float(query["time"]) for query in context.captured_queries) * 1000
        counts[path] = (response.status_code, len(context), sql_ms, wall, len(body))
    connection.close()
    return counts


# --- Open data streaming ----------------------------------------------------------------------------


def _status_kib(pid, key):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak(pid):
    """Reset VmHWM (Linux ≥ 4.0); False when the kernel refuses."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def stream(server, path, marker, pid):
    """Download ``path`` once, timing the first byte, the first record and the end, while
    sampling the worker's RSS every 20 ms."""
    baseline = _status_kib(pid, "VmRSS")
    hwm_reset = _reset_peak(pid)
    peak, stop = [baseline or 0], threading.Event()

    def sample():
        while not stop.is_set():
            rss = _status_kib(pid, "VmRSS")
            if rss:
                peak[0] = max(peak[0], rss)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    first_byte = first_record = None
    size, markers, tail = 0, 0, b""
    while True:
        chunk = response.read1(65536)
        if not chunk:
            break
        now = time.perf_counter()
        if first_byte is None:
            first_byte = now
        size += len(chunk)
        markers += (tail + chunk).count(marker)
        tail = chunk[len(chunk) - len(marker) + 1 :] if len(marker) > 1 else b""
        # The first marker is the header line (CSV) or the meta "fields" block (JSON).
        if first_record is None and markers >= 2:
            first_record = now
    total = time.perf_counter() - started
    stop.set()
    sampler.join()
    connection.close()
    hwm = _status_kib(pid, "VmHWM") if hwm_reset else None
    return {
        "status": response.status,
        "ttfb_ms": ((first_byte or started) - started) * 1000,
        "first_record_ms": ((first_record or started) - started) * 1000,
        "total_s": total,
        "bytes": size,
        "records": max(0, markers - 1),
        "rss_before_mb": (baseline or 0) / 1024,
        "rss_peak_mb": max(peak[0], hwm or 0) / 1024,
    }


WARM_EXPORT = "/charity/open-data/projects.json"


def build_open_data(paths):
    """Build each export's stored file as the ``regenerate_open_data`` task does (in-process),
    timing each; the site serves the stored files, never a live query."""
    from django.db import connection

    from core import opendata

    results = []
    for path in paths:
        key, fmt = "charity-" + path.rsplit("/", 1)[1].split(".")[0], path.rsplit(".", 1)[1]
        out(f"building {key}.{fmt} …")
        started = time.perf_counter()
        manifest = opendata.regenerate(key, fmt)
        seconds = time.perf_counter() - started
        out(f"  {seconds:.1f} s, {manifest['size'] / 1e6:.1f} MB")
        results.append((f"{key}.{fmt}", seconds, manifest["size"]))
    connection.close()
    return results


def measure_streams(workspace, exports, expected):
    """Each export from a fresh one-worker gunicorn, so the worker's peak is that export's."""
    results = []
    for label, path, marker in exports:
        with harness.Server(workspace, workers=1, timeout=900, log_name="stream.log") as server:
            server.wait()
            pids = server.worker_pids()
            # Load the views, templates and open-data code before taking the baseline.
            for warm in (harness.BARE_PATH, "/charity/", WARM_EXPORT):
                urllib.request.urlopen(server.url(warm), timeout=120).read()
            out(f"streaming {path} …")
            result = stream(server, path, marker, pids[0] if pids else server.pid)
            out(
                f"  first byte {result['ttfb_ms']:.0f} ms, first record {result['first_record_ms']:.0f} ms, "
                f"{result['total_s']:.1f} s, {result['records']:,} records, {result['bytes'] / 1e6:.1f} MB, "
                f"RSS {result['rss_before_mb']:.0f} → {result['rss_peak_mb']:.0f} MB"
            )
            if result["status"] != 200 or result["records"] != expected[path.rsplit("/", 1)[1].split(".")[0]]:
                raise SystemExit(
                    f"{path}: status {result['status']}, {result['records']} records, expected {expected}"
                )
            results.append((label, path, result))
    return results


# --- Imports ------------------------------------------------------------------------------------


def _csv_bytes(header, rows):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def import_files(project, rows, today):
    rng = random.Random(7)
    stamp = f"{time.time_ns() % 10**8:08d}"
    donations = _csv_bytes(
        ["票据号", "捐赠人", "是否匿名", "捐赠类型", "金额或估值（元）", "物资说明", "捐赠日期", "捐赠渠道"],
        (
            [
                f"DR{stamp}-{n:06d}",
                f"导入捐赠人{n}",
                "是" if n % 3 == 0 else "否",
                "物资" if n % 20 == 0 else "资金",
                f"{_amount(rng):.2f}",
                "助学书包50个" if n % 20 == 0 else "",
                _between(rng, project.starts_on, today).isoformat(),
                CHANNEL_LABELS[n % len(CHANNEL_LABELS)],
            ]
            for n in range(rows)
        ),
    )
    spending = _csv_bytes(
        ["凭证号", "支出日期", "支出金额（元）", "用途", "受益人数"],
        (
            [
                f"ZR{stamp}-{n:06d}",
                _between(rng, project.starts_on, today).isoformat(),
                f"{_amount(rng) * 3:.2f}",
                PURPOSES[n % len(PURPOSES)],
                str(n % 40),
            ]
            for n in range(rows)
        ),
    )
    return donations, spending


def index_import(project):
    """What the ``search.tasks.index_records`` tasks queued by a large import do (the task
    worker's work, not the request's), timed in-process; returns the rows read."""
    from django.conf import settings

    from orgs.charity.models import Donation
    from search import index, registry

    pks = sorted(Donation.objects.filter(project=project).values_list("pk", flat=True))
    size = settings.SEARCH_REINDEX_BATCH_SIZE
    for start in range(0, len(pks), size):
        index.sync(registry.get_type("donation"), pks[start : start + size])
    return pks


def measure_imports(organisation_pk, rows):
    """Time read_rows, check (dry run), confirm, and the re-upload of the same file, in-process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from orgs.charity import imports
    from orgs.charity.models import CharityProject, Donation, Expenditure

    today = timezone.localdate()
    user = User.objects.filter(mobile="13900000000").first() or User.objects.create_user("13900000000")
    project = CharityProject.objects.create(
        organization_id=organisation_pk,
        name="基准导入目标项目",
        goal=Decimal("1000000.00"),
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
        description="导入基准。",
        status="running",
        area="110105",
    )
    project = CharityProject.objects.select_related("organization").get(pk=project.pk)
    donation_csv, spending_csv = import_files(project, rows, today)
    results = []

    def step(label, function):
        with CaptureQueriesContext(connection) as context:
            started = time.perf_counter()
            value = function()
            seconds = time.perf_counter() - started
        results.append((label, seconds, len(context), value))
        out(f"  {label}: {seconds * 1000:.0f} ms, {len(context)} queries")
        return value

    for kind, spec, data, model in (
        ("donations", imports.DONATIONS, donation_csv, Donation),
        ("spending", imports.EXPENDITURES, spending_csv, Expenditure),
    ):
        out(f"importing {rows} {kind} rows …")
        parsed = step(
            f"{kind}: read_rows (parse the CSV)", lambda d=data, s=spec: imports.read_rows("f.csv", d, s)
        )
        dry = step(f"{kind}: check (dry run)", lambda p=parsed, s=spec: imports.check(project, p, spec=s))
        done = step(
            f"{kind}: confirm (first upload)",
            lambda p=parsed, s=spec: imports.confirm(project, p, user=user, spec=s),
        )
        if kind == "donations":
            step(
                f"{kind}: search indexing of the new rows (the background task)",
                lambda: index_import(project),
            )
        again = step(
            f"{kind}: re-upload, read_rows + check",
            lambda d=data, s=spec: imports.check(project, imports.read_rows("f.csv", d, s), spec=s),
        )
        repeat = step(
            f"{kind}: re-upload, confirm (every row skipped)",
            lambda p=parsed, s=spec: imports.confirm(project, p, user=user, spec=s),
        )
        stored = model.objects.filter(project=project).count()
        assert not dry.rejected and len(dry.new) == rows, dry.rejected[:3]
        assert done.created == rows and repeat.created == 0 and repeat.skipped == rows, (done, repeat)
        assert again.skipped == rows and stored == rows
    indexed = None
    try:
        from search.models import SearchEntry

        indexed = SearchEntry.objects.filter(
            doc_type="donation", url=f"/charity/projects/{project.pk}/"
        ).count()
    except Exception:  # noqa: BLE001, S110 - the search app is optional
        pass
    connection.close()
    return project.pk, results, indexed


# --- Report -------------------------------------------------------------------------------------


def command_line():
    def relative(path):
        path = Path(path)
        return str(path.relative_to(harness.ROOT)) if path.is_relative_to(harness.ROOT) else str(path)

    return shlex.join([relative(sys.executable), relative(Path(sys.argv[0]).resolve()), *sys.argv[1:]])


def main():
    args = parse_args()
    harness.ensure_postgres()
    run_started = time.monotonic()
    load_start = os.getloadavg()
    workspace = harness.Workspace("charity", args.base_settings, args.base_urlconf).activate()
    cache = harness.ProductionCache(workspace, args.database_cache)
    # The open-data files this run builds and serves stay in the workspace, not in the
    # repository's var/open-data (which holds the demo's).
    workspace.env["OPEN_DATA_ROOT"] = os.environ["OPEN_DATA_ROOT"] = str(workspace.dir / "open-data")

    try:
        out("migrating …")
        harness.migrate(workspace)
        out(
            f"generating {args.organisations} organisations / {args.projects} projects / "
            f"{args.donations} donations / {args.expenditures} expenditures …"
        )
        data = generate(args)
        counts = data["counts"]

        from django.db import connection

        search_seconds, search_entries, search_skipped = None, 0, "skipped with --no-search"
        if not args.no_search:
            out("rebuilding the search index …")
            try:
                search_seconds, search_entries, search_skipped = rebuild_search_index()
            except Exception as error:  # noqa: BLE001 - search is optional here: report it, go on
                search_skipped = f"rebuilding the index failed: {type(error).__name__}: {error}"
            out(f"  {search_skipped or f'{search_entries} entries in {search_seconds:.0f}s'}")
        connection.close()

        lookup, typical_lookup = data["lookup"], data["typical_lookup"]
        pages = [
            ("bare Django view", harness.BARE_PATH),
            ("reference: a plain site page (/open-data/)", "/open-data/"),
            ("project list `/charity/`", "/charity/"),
            ("project list, running in 2026", "/charity/?status=running&year=2026"),
            (
                f"project page, {data['typical_donations']:,} donations",
                f"/charity/projects/{data['typical']}/",
            ),
            (f"project page, {args.heavy_donations:,} donations", f"/charity/projects/{data['heavy']}/"),
            (
                "donation lookup (big project)",
                f"/charity/lookup/?organization={lookup.organization_id}&receipt_number={lookup.receipt_number}",
            ),
            (
                "donation lookup (typical project)",
                f"/charity/lookup/?organization={typical_lookup.organization_id}"
                f"&receipt_number={typical_lookup.receipt_number}",
            ),
        ]
        if not search_skipped:
            pages.append((f"site search for a project word ({SEARCH_WORD})", f"/search/?q={SEARCH_WORD}"))

        out("counting queries in-process …")
        queries = count_queries([path for _label, path in pages])
        for path, (status, count, sql_ms, wall_ms, size) in queries.items():
            out(
                f"  {path}: {status}, {count} queries, {sql_ms:.0f} ms SQL, {wall_ms:.0f} ms, {size // 1024} KiB"
            )
            if status != 200:
                raise SystemExit(f"{path} answered {status}")

        with harness.Server(workspace, workers=args.workers) as server:
            server.wait()
            page_results = harness.measure_pages(server, workspace, pages, args.duration, args.connections)

        exports = [
            ("projects CSV (with raised/spent totals)", "/charity/open-data/projects.csv", b"\n"),
            ("donations CSV", "/charity/open-data/donations.csv", b"\n"),
            ("donations JSON", "/charity/open-data/donations.json", b'{"project_id"'),
            ("expenditures CSV", "/charity/open-data/expenditures.csv", b"\n"),
        ]
        expected = {
            "projects": counts["projects"],
            "donations": counts["donations"],
            "expenditures": counts["expenditures"],
        }
        build_results = build_open_data([*(path for _label, path, _marker in exports), WARM_EXPORT])
        stream_results = measure_streams(workspace, exports, expected)

        import_project, import_results, indexed = measure_imports(data["import_org"], args.import_rows)
    finally:
        workspace.cleanup()
        cache.stop()
    load_end = os.getloadavg()
    wall = time.monotonic() - run_started

    def query_cell(_label, path, _result):
        return str(queries[path][1])

    def size_cell(_label, path, _result):
        return f"{queries[path][4] / 1024:.0f}"

    def sql_cell(_label, path, _result):
        return f"{queries[path][2]:.0f}"

    def wall_cell(_label, path, _result):
        return f"{queries[path][3]:.0f}"

    lines = [
        "# Charity disclosure benchmark",
        "",
        f"Produced by `benchmarks/charity.py` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC "
        f"in {wall / 60:.1f} minutes with:",
        "",
        f"    {command_line()}",
        "",
        f"- Data (PostgreSQL, bulk_create, {data['seconds']:.0f} s): {counts['organisations']:,} charitable "
        f"organisations, {counts['projects']:,} projects, {counts['donations']:,} current donations "
        f"({counts['anonymous']:,} anonymous; plus {counts['donation_corrections']:,} corrections of as many "
        f"of them), {counts['expenditures']:,} expenditures (plus {counts['expenditure_corrections']:,} "
        f"corrections), {counts['reports']:,} progress reports. One project has {args.heavy_donations:,} "
        f"donations and {args.heavy_expenditures:,} expenditures; the others share the rest evenly.",
        (
            f"- Search index: rebuilt with `search.index.rebuild()` in {search_seconds:.0f} s "
            f"({search_entries:,} entries)."
            if not search_skipped
            else f"- Search: not measured ({search_skipped})."
        ),
        f"- Server: gunicorn, {args.workers} sync workers, 127.0.0.1 only; DEBUG off.",
        cache.line,
        f"- Load: {harness.tool_name()}, {args.connections} connections, {args.duration} s per page after a warm-up.",
        f"- Machine: {os.uname().machine}, {os.cpu_count()} CPUs shared with the load generator, PostgreSQL and "
        "other people's test runs; `os.getloadavg()` was "
        f"{load_start[0]:.2f} / {load_start[1]:.2f} / {load_start[2]:.2f} (1/5/15 min) at the start and "
        f"{load_end[0]:.2f} / {load_end[1]:.2f} / {load_end[2]:.2f} at the end. Absolute numbers move with "
        "that load; the ratios to the bare view and the query counts are the stable part.",
        "",
        "## Pages under load",
        "",
        *harness.page_table(
            page_results,
            extra_columns=[
                ("SQL queries", query_cell),
                ("SQL ms", sql_cell),
                ("1 request in-process (ms)", wall_cell),
                ("HTML KiB", size_cell),
            ],
        ),
        "",
        textwrap.fill(
            "The ratio is each page's throughput divided by the bare Django view's (same server, same "
            "middleware). The plain site page (the open-data index) shows what the shared page chrome "
            "costs every HTML page. The last four columns come from one extra request per page made "
            "in-process with Django's test client after a warm-up (no HTTP, no concurrency), not from the "
            "load run: the number of SQL queries, their total time, the whole request's time and the size "
            "of the HTML.",
            100,
        ),
        "",
        "## Open data files",
        "",
        textwrap.fill(
            "The site serves each bulk file from storage; the `regenerate_open_data` task builds it "
            "after a change (issue 19). Building, in-process, as the task does:",
            100,
        ),
        "",
        "| file | build (s) | MB |",
        "|---|---:|---:|",
        *(f"| `{name}` | {seconds:.1f} | {size / 1e6:.1f} |" for name, seconds, size in build_results),
        "",
        textwrap.fill(
            "Serving the stored files: each download runs against a fresh one-worker gunicorn (warmed "
            "with the project list and the small projects JSON), read by a Python client on 127.0.0.1. "
            "RSS is the worker's resident memory before the download and its peak during it (VmHWM "
            "reset before the download, and /proc sampled every 20 ms).",
            100,
        ),
        "",
        "| data set | path | records | MB | first byte (ms) | first record (ms) | total (s) | records/s "
        "| worker RSS before (MB) | worker RSS peak (MB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, path, result in stream_results:
        rate = result["records"] / result["total_s"] if result["total_s"] else 0
        lines.append(
            f"| {label} | `{path}` | {result['records']:,} | {result['bytes'] / 1e6:.1f} | "
            f"{result['ttfb_ms']:.0f} | {result['first_record_ms']:.0f} | {result['total_s']:.1f} | {rate:,.0f} | "
            f"{result['rss_before_mb']:.0f} | {result['rss_peak_mb']:.0f} |"
        )
    lines += [
        "",
        "## Imports (in-process, no HTTP)",
        "",
        textwrap.fill(
            f"`orgs.charity.imports` on a generated {args.import_rows:,}-row donation CSV and a "
            f"{args.import_rows:,}-row spending CSV for a new project (#{import_project}) of an organisation "
            "that already has donations. The re-upload sends the same file again: every row must be "
            "skipped and nothing written.",
            100,
        ),
        "",
        "| step | time (ms) | rows/s | SQL queries | result |",
        "|---|---:|---:|---:|---|",
    ]
    for label, seconds, query_count, value in import_results:
        if isinstance(value, list):
            outcome = f"{len(value):,} rows read" if "indexing" not in label else f"{len(value):,} indexed"
        elif value.created:
            outcome = f"{value.created:,} created"
        elif value.skipped:
            outcome = f"{value.skipped:,} skipped, {len(value.new):,} new"
        else:
            outcome = f"{len(value.new):,} new, {len(value.rejected):,} rejected"
        lines.append(
            f"| {label} | {seconds * 1000:.0f} | {args.import_rows / seconds:,.0f} | {query_count} | {outcome} |"
        )
    if indexed is not None:
        lines += [
            "",
            f"After the import, the search index held {indexed:,} donation entries for the imported project "
            f"(which has {args.import_rows:,} donations).",
        ]
    lines.append("")
    harness.write_results(args.output, lines)


if __name__ == "__main__":
    main()
