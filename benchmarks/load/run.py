"""Issue 22, part 5: the mixed load test against the local multi-node topology.

Starts, on 127.0.0.1 only, everything ``docs/deployment.md`` draws:

- a PostgreSQL primary and a real streaming replica (``scripts/with-cluster.sh``; this script
  re-runs itself under it when ``REPLICA_DATABASE_URL`` is not set);
- Redis (the shared cache, ``harness.start_redis``);
- the S3 server (``python -m moto.server``, as ``tests/s3_server.py`` starts it) with a private
  bucket, used through django-storages by setting ``S3_BUCKET`` and friends;
- two gunicorn nodes (``harness.Server``) with the same environment;
- one task worker (``manage.py db_worker``);
- nginx from Debian in front (a generated config in the run's temporary directory, upstream =
  the two nodes, the same proxy settings as ``site/nginx.conf`` minus TLS);

migrates, loads the demo data (``manage.py load_demo_data``; no generated city-scale data: the
reads use the demo catalogue, registry and charity), creates the family accounts the load
generator signs in with (password sign-in through the real form, CSRF on), then runs locust
headless (``benchmarks/load/locustfile.py``) and the consistency check
(``benchmarks/load/consistency.py``), and writes ``benchmarks/results/load.md``.

Run (locust is not a project dependency, so that ``make test`` stays fast)::

    .venv/bin/pip install locust
    .venv/bin/python benchmarks/load/run.py                 # 50 users, 5 minutes
    .venv/bin/python benchmarks/load/run.py --failover      # + kill node A, restart the replica
    .venv/bin/python benchmarks/load/run.py -u 10 -t 30s --output load-small.md   # a quick check

Needs the PostgreSQL server binaries, ``redis-server`` and ``nginx`` (``apt-get install -y nginx
redis-server postgresql``). Settings that differ from production, and why, are listed in the
result file (``LOAD_SETTINGS`` below).
"""

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]

import contextlib  # noqa: E402,I001

import harness  # noqa: E402

PYTHON = sys.executable
LOCUSTFILE = HERE / "locustfile.py"
FAMILY_PASSWORD = "load-test-pass-2026"  # noqa: S105 - throwaway accounts of a throwaway database
FAMILY_MOBILE_BASE = 13700000000

# What the web nodes get beyond the base settings, with the reason (written into the result).
LOAD_SETTINGS = {
    "PAYMENTS_SANDBOX_ENABLED": ("true", "donations and payments go to the local Alipay simulator"),
    "PAYMENTS_DEFAULT_VARIANT": ("alipay-sandbox", "the simulator's merchant keys"),
    "LOGIN_RATE_LIMIT_PER_IP": (
        "100000",
        "every simulated visitor comes from 127.0.0.1; in production they have their own addresses",
    ),
    "TRUSTED_PROXIES": ("127.0.0.1", "nginx is the trusted proxy, as in site/env.example"),
    "DB_CONN_MAX_AGE": ("60", "persistent connections, as site/env.example sets for production"),
}


def out(message):
    harness.out(f"[{datetime.now(UTC):%H:%M:%S}] {message}")


def ensure_cluster():
    """Re-run under scripts/with-cluster.sh unless a primary and a replica are given."""
    if not (
        os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REPLICA_DATABASE_URL")
    ):
        script = str(ROOT / "scripts" / "with-cluster.sh")
        os.execv(script, [script, PYTHON, *sys.argv])  # noqa: S606 - re-run under a throwaway cluster


def wait_port(port, timeout=60, process=None):
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"process on port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


class Moto:
    """The S3 server, as tests/s3_server.py starts it, with one private bucket."""

    REGION, ACCESS_KEY, SECRET_KEY = "us-east-1", "moto-load-access-key", "moto-load-secret-key"

    def __init__(self, directory, bucket="platform-load"):
        self.port = harness.free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.bucket = bucket
        self.log = open(directory / "moto.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - the venv's python with fixed arguments
            [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_port(self.port, process=self.process)
        import boto3
        from botocore.config import Config

        boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.REGION,
            aws_access_key_id=self.ACCESS_KEY,
            aws_secret_access_key=self.SECRET_KEY,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        ).create_bucket(Bucket=bucket)

    def environment(self):
        return {
            "S3_BUCKET": self.bucket,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": self.REGION,
            "S3_ACCESS_KEY_ID": self.ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": self.SECRET_KEY,
            "S3_ADDRESSING_STYLE": "path",
        }

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


NGINX_CONF = """
worker_processes 1;
{user}
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format load '$msec $status $upstream_addr $request_time "$request"';
    access_log {dir}/nginx-access.log load;
    client_body_temp_path {dir}/nginx-body;
    proxy_temp_path {dir}/nginx-proxy;
    fastcgi_temp_path {dir}/nginx-fastcgi;
    uwsgi_temp_path {dir}/nginx-uwsgi;
    scgi_temp_path {dir}/nginx-scgi;
    upstream platform {{
        server 127.0.0.1:{port_a} max_fails=2 fail_timeout=10s;
        server 127.0.0.1:{port_b} max_fails=2 fail_timeout=10s;
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 20m;
        location / {{
            proxy_pass http://platform;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # $http_host keeps the port, so the absolute URLs the site builds (the payment
            # return and notify URLs) point back at this nginx.
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout http_502 http_503;
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, directory, port, upstream_ports):
        self.port = port
        self.dir = directory
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise SystemExit("nginx is not installed: apt-get install -y nginx")
        conf = directory / "nginx.conf"
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(
            NGINX_CONF.format(
                dir=directory, port=port, port_a=upstream_ports[0], port_b=upstream_ports[1], user=user
            )
        )
        self.process = subprocess.Popen(  # noqa: S603 - a local binary with a generated config
            [binary, "-c", str(conf), "-p", str(directory), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(directory / "nginx-stderr.log", "wb"),  # noqa: SIM115
        )
        wait_port(port, process=self.process)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def manage(workspace, *args, check=True, **kwargs):
    return subprocess.run(  # noqa: S603 - manage.py with fixed arguments
        [PYTHON, "manage.py", *args], cwd=ROOT, env=workspace.env, check=check, **kwargs
    )


QUOTE_PROVIDER = "demo-jingxi-funeral-home"
QUOTE_ITEMS = ("殡仪车接运（60公里以内）", "普通火化炉火化", "实木骨灰盒（普通）")


def prepare_data(users):
    """The accounts the load generator signs in with and the URLs the reads use, from the
    database. Each account is a family user (real-name verified, as ordering needs) and also the
    filer of one organisation whose annual report for last year is open as a draft."""
    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import User
    from marketplace.catalogue.models import Provider, ServiceItem
    from orgs.charity.giving import accepts_online_gifts
    from orgs.charity.models import CharityProject
    from orgs.registry.models import MemberRole, Membership, Organization
    from orgs.reports.models import AnnualReport
    from orgs.reports.services.deadlines import filing_years, start_report

    # Organisations with no report at all for a year they may file: one draft each.
    openings = []
    for organisation in Organization.objects.order_by("pk"):
        taken = set(AnnualReport.objects.filter(organization=organisation).values_list("year", flat=True))
        free = [year for year in filing_years(organisation) if year not in taken]
        if free and not organisation.memberships.exists():
            openings.append((organisation, free[0]))
    accounts = []
    for index in range(users):
        mobile = str(FAMILY_MOBILE_BASE + index)
        user, created = User.objects.get_or_create(
            mobile=mobile,
            defaults={
                "display_name": f"压测家属{index}",
                "real_name": f"压测{index}",
                "real_name_verified_at": timezone.now(),
            },
        )
        if created:
            user.set_password(FAMILY_PASSWORD)
            user.save()
        account = {"mobile": mobile, "password": FAMILY_PASSWORD}
        if index < len(openings):
            organisation, year = openings[index]
            Membership.objects.get_or_create(
                user=user, organization=organisation, defaults={"role": MemberRole.FILER}
            )
            start_report(organisation, year, user=user)
            account.update(uscc=organisation.uscc, year=year)
        accounts.append(account)
    providers = list(Provider.objects.public().order_by("pk").values_list("slug", flat=True))
    organisations = list(Organization.objects.order_by("pk").values_list("uscc", "name"))
    projects = list(CharityProject.objects.select_related("organization").order_by("pk"))
    items = dict(
        ServiceItem.objects.filter(provider__slug=QUOTE_PROVIDER, name__in=QUOTE_ITEMS).values_list(
            "name", "pk"
        )
    )
    return {
        "accounts": accounts,
        "providers": providers,
        "organisations": [{"uscc": code, "name": name} for code, name in organisations],
        "projects": [project.pk for project in projects],
        "giving_projects": [project.pk for project in projects if accepts_online_gifts(project)],
        "searches": ["养老", "助学", "殡仪馆", "骨灰盒", "yanglao", "公墓", "慈善", "社区"],
        "quote": {
            "provider": QUOTE_PROVIDER,
            "items": [items[name] for name in QUOTE_ITEMS if name in items],
        },
    }


def replica_data_directory():
    """The replica's data directory, asked from the replica itself (with-cluster.sh keeps it in a
    temporary directory it does not export)."""
    import psycopg

    with psycopg.connect(os.environ["REPLICA_DATABASE_URL"]) as connection:
        return connection.execute("SHOW data_directory").fetchone()[0]


def busiest_processes(count=12):
    """The processes using the most CPU at the end of the load (their names only): what else
    shared the cores (``ps``'s %CPU is averaged over each process's life)."""
    result = subprocess.run(
        ["ps", "-eo", "pcpu=,comm=", "--sort=-pcpu"], capture_output=True, text=True, check=False
    )
    return [" ".join(line.split()) for line in result.stdout.splitlines()[:count]]


def transactions(url):
    """Committed transactions of the platform database on one server (``pg_stat_database``), or
    None when it does not answer."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as connection:
            return connection.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()[0]
    except psycopg.Error:
        return None


def pg_ctl(*args):
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    command = [str(pg_bin / "pg_ctl"), *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603


def kill_node(server):
    """A node dies: SIGKILL to the gunicorn master and its workers, no graceful shutdown."""
    pids = [server.pid, *server.worker_pids()]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.process.wait(timeout=10)


def failover(events, servers, delay):
    """Mid-run: kill node A, then restart the replica (``pg_ctl restart``)."""
    time.sleep(delay)
    events.append((time.time(), "node A (gunicorn master and workers) killed with SIGKILL"))
    kill_node(servers[0])
    time.sleep(10)
    directory = replica_data_directory_cache[0]
    events.append((time.time(), "replica restart begins (pg_ctl restart -m fast)"))
    result = pg_ctl(
        "-D", directory, "-m", "fast", "-w", "-t", "60", "restart", "-l", str(Path(directory) / "restart.log")
    )
    events.append((time.time(), f"replica restart done (exit {result.returncode})"))


replica_data_directory_cache = []


def run_locust(workspace, args, data_file, told_file, csv_prefix, host):
    locust = shutil.which("locust", path=str(Path(PYTHON).parent))
    if locust is None:
        raise SystemExit("locust is not installed: .venv/bin/pip install locust")
    command = [
        locust,
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(args.users),
        "-r",
        str(args.spawn_rate),
        "-t",
        args.run_time,
        "--host",
        host,
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--stop-timeout",
        "30",
    ]
    env = {
        **os.environ,
        "LOAD_DATA_FILE": str(data_file),
        "LOAD_TOLD_FILE": str(told_file),
        "LOAD_REQUESTS_FILE": str(Path(told_file).with_name("requests.jsonl")),
    }
    out("$ " + shorten(command))
    started = time.time()
    result = subprocess.run(command, env=env, cwd=ROOT, check=False)  # noqa: S603
    return command, started, time.time(), result.returncode


def read_stats(csv_prefix):
    with open(f"{csv_prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_failures(csv_prefix):
    path = Path(f"{csv_prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-u", "--users", type=int, default=50)
    parser.add_argument("-r", "--spawn-rate", type=int, default=10)
    parser.add_argument("-t", "--run-time", default="5m")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per node")
    parser.add_argument("--failover", action="store_true", help="kill node A and restart the replica mid-run")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "load.md"))
    parser.add_argument("--keep", action="store_true", help="keep the run's temporary directory")
    parser.add_argument(
        "--raw", help="a directory to copy the raw files to (locust's CSVs, the told-file, every request)"
    )
    args = parser.parse_args()
    if args.output and not os.path.isabs(args.output) and "/" not in args.output:
        args.output = str(ROOT / "benchmarks" / "results" / args.output)
    ensure_cluster()

    load_start = os.getloadavg()
    started_at = datetime.now(UTC)
    workspace = harness.Workspace("load", "config.settings.base", "config.urls")
    directory = workspace.dir
    processes = []
    try:
        moto = Moto(directory)
        processes.append(moto)
        redis = harness.start_redis()
        if redis is None:
            raise SystemExit("redis-server is not installed")
        processes.append(type("R", (), {"stop": lambda self: (redis[0].terminate(), redis[0].wait(10))})())
        nginx_port = harness.free_port()
        site = f"http://127.0.0.1:{nginx_port}"
        workspace.env.update(
            {
                **moto.environment(),
                **{name: value for name, (value, _why) in LOAD_SETTINGS.items()},
                "BENCH_CACHE_URL": redis[1],
                "PAYMENTS_SITE_URL": site,
                "WAGTAILADMIN_BASE_URL": site,
                "PRIVATE_ROOT": str(directory / "private"),
                "PLATFORM_KEYS_DIR": str(directory / "keys"),
                "MEDIA_ROOT": str(directory / "media"),
                "OPEN_DATA_ROOT": str(directory / "open-data"),
            }
        )
        workspace.activate()
        out(f"workspace {directory}; migrating")
        harness.migrate(workspace)
        manage(workspace, "init_platform_keys", stdout=subprocess.DEVNULL)  # the simulator's keys too
        out("loading the demo data")
        manage(workspace, "load_demo_data", stdout=subprocess.DEVNULL)
        data = prepare_data(max(args.users, 10))
        data_file = directory / "load-data.json"
        data_file.write_text(json.dumps(data, ensure_ascii=False))
        told_file = directory / "told.jsonl"
        told_file.write_text("")
        out(
            f"data: {len(data['providers'])} providers, {len(data['organisations'])} organisations, "
            f"{len(data['projects'])} projects ({len(data['giving_projects'])} taking gifts)"
        )
        replica_data_directory_cache.append(replica_data_directory())

        servers = [
            harness.Server(workspace, workers=args.workers, timeout=60, log_name=f"gunicorn-{name}.log")
            for name in ("a", "b")
        ]
        for server in servers:
            processes.append(server)
        for server in servers:  # slow on a busy machine: up to 5 minutes
            harness.wait_for(server.url(harness.BARE_PATH), timeout=300)
        nginx = Nginx(directory, nginx_port, [server.port for server in servers])
        processes.append(nginx)
        worker_log = open(directory / "db_worker.log", "wb")  # noqa: SIM115
        worker = subprocess.Popen(  # noqa: S603
            [PYTHON, "manage.py", "db_worker"],
            cwd=ROOT,
            env=workspace.env,
            stdout=worker_log,
            stderr=worker_log,
        )
        processes.append(type("W", (), {"stop": lambda self: (worker.terminate(), worker.wait(20))})())
        harness.wait_for(site + "/healthz", timeout=300)
        out(f"nginx on {site}, nodes on {servers[0].port} and {servers[1].port}; warming")
        for path in ["/", "/funeral/", "/funeral/packages/", "/orgs/", "/charity/", "/credit/"]:
            for _ in range(2):
                urllib.request.urlopen(site + path, timeout=120).read()
        with urllib.request.urlopen(site + "/healthz", timeout=10) as response:
            health = response.read().decode()

        events = []
        if args.failover:
            seconds = parse_seconds(args.run_time)
            threading.Thread(target=failover, args=(events, servers, seconds / 2), daemon=True).start()
        csv_prefix = directory / "locust"
        urls = {"primary": os.environ["DATABASE_URL"], "replica": os.environ["REPLICA_DATABASE_URL"]}
        before = {name: transactions(url) for name, url in urls.items()}
        command, locust_started, locust_ended, returncode = run_locust(
            workspace, args, data_file, told_file, csv_prefix, site
        )
        after = {name: transactions(url) for name, url in urls.items()}
        neighbours = busiest_processes()
        out(f"locust exited with {returncode}; waiting 20 s for the notifications in flight")
        time.sleep(20)
        database_lines = [
            f"- {name}: {after[name] - before[name]} transactions committed during the run"
            if before[name] is not None and after[name] is not None
            else f"- {name}: not measured (did not answer before or after the run)"
            for name in urls
        ]
        import consistency

        check = consistency.check(told_file)
        load_end = os.getloadavg()
        stats = read_stats(csv_prefix)
        failures = read_failures(csv_prefix)
        failure_times = failure_window(directory / "nginx-access.log", locust_started, locust_ended)
        lines = report(
            args,
            command,
            started_at,
            load_start,
            load_end,
            stats,
            failures,
            check,
            health,
            events,
            failure_times,
            data,
            per_kind(directory / "requests.jsonl", locust_ended - locust_started),
            database_lines
            + ["", "Busiest processes at the end of the load (%CPU, name): " + "; ".join(neighbours) + "."],
        )
        harness.write_results(args.output, lines)
        if args.raw:
            for name in ("locust_stats.csv", "locust_failures.csv", "told.jsonl", "requests.jsonl"):
                if (directory / name).exists():
                    shutil.copy(directory / name, Path(args.raw) / name)
    finally:
        for process in reversed(processes):
            try:
                process.stop()
            except Exception as error:  # noqa: BLE001 - keep stopping the others
                out(f"stopping {process}: {error}")
        if not args.keep:
            workspace.cleanup()
        else:
            out(f"kept {directory}")


KINDS = ("browse", "lookup", "search", "order", "file", "give")


def percentile(ordered, fraction):
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def per_kind(requests_file, seconds):
    """Markdown rows per kind of journey (the first word of a request's name), from every
    request the load generator made: requests, failures, requests/s, p50/p95/p99."""
    rows, failed_times = {}, []
    if requests_file.exists():
        for line in requests_file.read_text(encoding="utf-8").splitlines():
            moment, name, milliseconds, ok = json.loads(line)
            kind = name.split(" ", 1)[0]
            entry = rows.setdefault(kind, {"times": [], "failures": 0})
            entry["times"].append(milliseconds)
            if not ok:
                entry["failures"] += 1
                failed_times.append(moment)
    lines = [
        "| kind | requests | failures | requests/s | p50 (ms) | p95 (ms) | p99 (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    everything = []
    for kind in [*KINDS, *sorted(set(rows) - set(KINDS))]:
        if kind not in rows:
            continue
        ordered = sorted(rows[kind]["times"])
        everything += ordered
        lines.append(
            f"| {kind} | {len(ordered)} | {rows[kind]['failures']} | {len(ordered) / seconds:.1f} | "
            f"{percentile(ordered, 0.5):.0f} | {percentile(ordered, 0.95):.0f} | {percentile(ordered, 0.99):.0f} |"
        )
    everything.sort()
    failures = sum(entry["failures"] for entry in rows.values())
    lines.append(
        f"| **all** | {len(everything)} | {failures} | {len(everything) / seconds:.1f} | "
        f"{percentile(everything, 0.5):.0f} | {percentile(everything, 0.95):.0f} | "
        f"{percentile(everything, 0.99):.0f} |"
    )
    return lines, failed_times


def parse_seconds(text):
    units = {"s": 1, "m": 60, "h": 3600}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


def failure_window(access_log, started, ended):
    """(first, last, count) of the 5xx answers nginx gave during the run (its own log)."""
    times = []
    if access_log.exists():
        for line in access_log.read_text(errors="replace").splitlines():
            parts = line.split(" ", 2)
            if len(parts) > 1 and parts[1].startswith("5"):
                moment = float(parts[0])
                if started <= moment <= ended + 60:
                    times.append(moment)
    return (min(times), max(times), len(times)) if times else None


def report(
    args,
    command,
    started_at,
    load_start,
    load_end,
    stats,
    failures,
    check,
    health,
    events,
    window,
    data,
    kinds,
    database_lines,
):
    import platform

    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    title = "with failover" if args.failover else ""
    kind_lines, failed_times = kinds
    lines = [
        f"# Load test: the mixed journeys against the local multi-node topology {title}".rstrip(),
        "",
        f"Run {started_at:%Y-%m-%d %H:%M} UTC by `benchmarks/load/run.py` (issue 22, part 5).",
        "",
        "## Topology (all on 127.0.0.1 of one machine)",
        "",
        "- nginx (Debian package) in front, generated config: upstream of the two nodes, "
        "`max_fails=2 fail_timeout=10s`, `proxy_next_upstream error timeout http_502 http_503`, keepalive;",
        f"- 2 gunicorn nodes (`config.wsgi`, {args.workers} sync workers each), the same environment;",
        "- PostgreSQL primary + streaming replica (`scripts/with-cluster.sh`, `pg_basebackup -R`); "
        "the router sends anonymous public reads to the replica;",
        "- Redis (`redis-server`, Django's `RedisCache`) for the cache, page cache, throttles, locks;",
        "- the S3 server (`python -m moto.server`) with a private bucket, through django-storages (`S3_BUCKET`);",
        "- one task worker (`manage.py db_worker`);",
        "- the load generator (locust, same machine) and the payment simulator (`/payments/sandbox/`, "
        "served by the same nodes, notifying through nginx).",
        "",
        f"Health at the start: `{health.strip()[:300]}`",
        "",
        "Settings beyond the base settings (environment of both nodes):",
        "",
    ]
    lines += [f"- `{name}={value}`: {why}" for name, (value, why) in LOAD_SETTINGS.items()]
    lines += [
        "",
        f"Data: the demo data only (`manage.py load_demo_data`): {len(data['providers'])} providers, "
        f"{len(data['organisations'])} organisations, {len(data['projects'])} charity projects "
        f"({len(data['giving_projects'])} taking online gifts), plus {len(data['accounts'])} family "
        "accounts made by the runner. No generated city-scale data in this run.",
        "",
        "## Machine",
        "",
        f"- {platform.machine()}, {os.cpu_count()} cores, {memory} memory, shared by everything above "
        "and the load generator;",
        f"- load average (1/5/15 min) at the start {fmt_load(load_start)}, at the end {fmt_load(load_end)}. "
        "Another session's `make test` may have been running on the same cores at the same time.",
        "",
        "## Command",
        "",
        "```",
        shorten(command),
        "```",
        "",
        "## Results per kind of journey",
        "",
        "From every request the load generator made (`requests.jsonl`; a write journey's requests "
        "include its page views, sign-in and form posts). Requests/s over the run time.",
        "",
        *kind_lines,
        "",
        "## Results per request (locust's stats CSV)",
        "",
        "| kind | requests | failures | requests/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in stats:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        lines.append(
            f"| {row['Type']} {name} | {row['Request Count']} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} | "
            f"{float(row['Max Response Time']):.0f} |"
        )
    lines += [
        "",
        "## Where the reads went",
        "",
        "Transactions per server (`pg_stat_database.xact_commit`; the anonymous public reads are "
        "routed to the replica, writes and signed-in requests to the primary; the counts include "
        "the servers' own background work and the task worker's polling):",
        "",
        *database_lines,
    ]
    lines += ["", "## Errors", ""]
    if failures:
        lines += ["| kind | error | occurrences |", "|---|---|---:|"]
        for row in failures:
            error = row["Error"].replace("|", "\\|").replace("\n", " ")[:200]
            lines.append(f"| {row['Method']} {row['Name']} | {error} | {row['Occurrences']} |")
    else:
        lines.append("None: every request answered as the journey expected.")
    if window:
        first, last, count = window
        lines += [
            "",
            f"nginx answered {count} requests with a 5xx, from "
            f"{datetime.fromtimestamp(first, UTC):%H:%M:%S.%f}"[:-3]
            + f" to {datetime.fromtimestamp(last, UTC):%H:%M:%S.%f}"[:-3]
            + f" UTC ({last - first:.1f} s).",
        ]
    if failed_times:
        first, last = min(failed_times), max(failed_times)
        lines += [
            "",
            f"Failed requests seen by the clients: {len(failed_times)}, the first at "
            f"{datetime.fromtimestamp(first, UTC):%H:%M:%S} and the last at "
            f"{datetime.fromtimestamp(last, UTC):%H:%M:%S} UTC ({last - first:.1f} s apart).",
        ]
    if args.failover:
        lines += ["", "## Failover events", ""]
        lines += [f"- {datetime.fromtimestamp(moment, UTC):%H:%M:%S} UTC: {what}" for moment, what in events]
    lines += ["", "## Consistency check: what the clients were told against the database", ""]
    lines += check
    return lines


def shorten(command):
    parts = ["locust"]
    skip = False
    for index, part in enumerate(command[1:], start=1):
        if skip:
            skip = False
            continue
        if part == "-f":
            parts += ["-f", "benchmarks/load/locustfile.py"]
            skip = True
        elif part == "--csv":
            parts += ["--csv", "<run dir>/locust"]
            skip = True
        else:
            parts.append(part)
        del index
    return " ".join(parts)


def fmt_load(load):
    return " / ".join(f"{value:.2f}" for value in load)


if __name__ == "__main__":
    main()
