"""What every benchmark script shares: a throwaway PostgreSQL, bench settings and URLs with a bare
Django view, gunicorn on 127.0.0.1, wrk (or a small Python load generator) and the results table.

A script calls ``ensure_postgres()`` first (it re-runs the script under
``scripts/with-postgres.sh`` when ``DATABASE_URL`` is not PostgreSQL), then
``Workspace(name, args).activate()``, ``migrate()``, generates its data, and measures pages with
``Server`` and ``measure_pages()``. Only 127.0.0.1 is ever contacted.
"""

import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

SETTINGS_TEMPLATE = """
from {base} import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "{urlconf}"
# Wagtail's PostgreSQL search index needs this app for `migrate`'s system checks.
if "django.contrib.postgres" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.postgres"]  # noqa: F405
# The shared cache production uses (Redis through Django's RedisCache) when the bench started one.
import os as _bench_os  # noqa: E402

if _bench_os.environ.get("BENCH_CACHE_URL"):
    CACHES = {{"default": {{"BACKEND": "django.core.cache.backends.redis.RedisCache",
                           "LOCATION": _bench_os.environ["BENCH_CACHE_URL"]}}}}
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

BARE_PATH = "/bench/bare/"


def quote(path):
    """Percent-encode what HTTP clients won't send raw; leave the URL's own syntax alone."""
    return urllib.parse.quote(path, safe="/?=&%:+,;@")


def out(message):
    print(message, flush=True)


def add_common_arguments(parser, output, duration=20):
    """--duration, --connections, --workers, --base-settings, --base-urlconf and --output."""
    parser.add_argument("--duration", type=int, default=duration, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--base-settings", default=os.environ.get("BENCH_BASE_SETTINGS", "config.settings.base")
    )
    parser.add_argument("--base-urlconf", default=os.environ.get("BENCH_BASE_URLCONF", "config.urls"))
    parser.add_argument("--output", default=str(output))
    parser.add_argument(
        "--database-cache",
        action="store_true",
        help="keep the base settings' database cache even when redis-server is installed",
    )


def ensure_postgres():
    """Re-run this script under scripts/with-postgres.sh unless DATABASE_URL is PostgreSQL."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        script = str(ROOT / "scripts" / "with-postgres.sh")
        os.execv(script, [script, PYTHON, *sys.argv])  # noqa: S606 - re-run under a throwaway PostgreSQL


class Workspace:
    """A temporary directory with the bench settings, URLs and wrk script, and the environment."""

    def __init__(self, name, base_settings, base_urlconf):
        self.dir = Path(tempfile.mkdtemp(prefix=f"{name}-bench-"))
        settings_module, urls_module = f"{name}_bench_settings", f"{name}_bench_urls"
        (self.dir / f"{settings_module}.py").write_text(
            SETTINGS_TEMPLATE.format(base=base_settings, urlconf=urls_module)
        )
        (self.dir / f"{urls_module}.py").write_text(URLS_TEMPLATE.format(base=base_urlconf))
        self.lua = self.dir / "p95.lua"
        self.lua.write_text(WRK_SCRIPT)
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(self.dir), str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "DJANGO_SETTINGS_MODULE": settings_module,
        }

    def activate(self):
        """Use the bench settings in this process too (for data generation)."""
        os.environ.update(self.env)
        sys.path[:0] = [str(self.dir), str(ROOT)]
        return self

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def migrate(workspace):
    """The cache table first (data migrations' signals may already use the database cache), then
    ``migrate``."""
    env = workspace.env
    subprocess.run([PYTHON, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def start_redis():
    """A throwaway ``redis-server`` on a free local port (no persistence) and its URL, or ``None``
    when Redis isn't installed; the caller terminates the process."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a local binary with fixed arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _attempt in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0"


class ProductionCache:
    """The page cache where production keeps it: Redis through Django's ``RedisCache``
    (``CACHE_URL``), in a throwaway ``redis-server``, when Redis is installed and
    ``--database-cache`` isn't given; otherwise the base settings' database cache, where a
    page-cache hit costs two small SQL queries (and, without persistent connections, a new
    database connection per request). ``line`` describes the choice for the results file."""

    def __init__(self, workspace, database_cache=False):
        self.redis = None if database_cache else start_redis()
        if self.redis is not None:
            workspace.env["BENCH_CACHE_URL"] = self.redis[1]
            os.environ["BENCH_CACHE_URL"] = self.redis[1]  # for this process's own Django too
        self.line = (
            "- Cache: Redis through Django's `RedisCache`, as production's `CACHE_URL` (a throwaway "
            "`redis-server` on 127.0.0.1)."
            if self.redis is not None
            else "- Cache: the database cache of the base settings (Redis not installed, or "
            "`--database-cache`); a page-cache hit costs two small SQL queries there."
        )

    def stop(self):
        if self.redis is not None:
            self.redis[0].terminate()
            self.redis[0].wait(timeout=10)
            self.redis = None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


class Server:
    """gunicorn (sync workers) serving config.wsgi (or ``app`` from ``cwd``, e.g. another Django
    project) with the workspace's environment on 127.0.0.1."""

    def __init__(
        self,
        workspace,
        workers=2,
        timeout=60,
        log_name="gunicorn.log",
        app="config.wsgi:application",
        cwd=ROOT,
    ):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
        self.process = subprocess.Popen(
            [
                gunicorn,
                app,
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "/dev/null",
                "--error-logfile",
                str(workspace.dir / log_name),
                "--timeout",
                str(timeout),
            ],
            cwd=cwd,
            env=workspace.env,
        )
        self.pid = self.process.pid

    def url(self, path):
        """The absolute URL of ``path``; non-ASCII characters (a Chinese query) are percent-encoded."""
        return self.base + quote(path)

    def wait(self, path=BARE_PATH):
        wait_for(self.url(path))
        return self

    def worker_pids(self):
        """The worker processes (children of the gunicorn master)."""
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
            return [int(pid) for pid in text.split()]
        except OSError:
            pids = []
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.pid:
                    pids.append(int(stat.parent.name))
            return pids

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


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


def use_wrk():
    return shutil.which("wrk") is not None


def tool_name():
    return "wrk (2 threads)" if use_wrk() else "built-in Python load generator"


def warm_concurrently(url, connections):
    """One request on each of ``connections`` parallel connections (lazy imports, caches)."""

    def get():
        urllib.request.urlopen(url, timeout=120).read()

    threads = [threading.Thread(target=get) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure_pages(server, workspace, pages, duration, connections, warmups=5):
    """Load each (label, path) for ``duration`` seconds after ``warmups`` requests.

    Returns [(label, path, result)]; the first page should be the bare view (the ratio's base)."""
    results = []
    for label, path in pages:
        for _ in range(warmups):  # warm any caches
            urllib.request.urlopen(server.url(path), timeout=60).read()
        warm_concurrently(server.url(path), connections)  # so that every worker has served it
        out(f"loading {label} for {duration}s …")
        if use_wrk():
            result = run_wrk(server.url(path), duration, connections, str(workspace.lua))
        else:
            result = run_python(server.url(path), duration, connections)
        out(f"  p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, {result['rps']:.1f} req/s")
        results.append((label, path, result))
    return results


def page_table(results, extra_columns=()):
    """Markdown rows: page, path, p50, p95, req/s, ratio to the first (bare) page, errors, extras.

    ``extra_columns`` is [(heading, function(label, path, result) -> str)]."""
    bare_rps = results[0][2]["rps"] if results else 0
    headings = ["page", "path", "p50 (ms)", "p95 (ms)", "requests/s", "ratio to bare view", "errors"]
    headings += [heading for heading, _function in extra_columns]
    align = ["---", "---", "---:", "---:", "---:", "---:", "---:"] + ["---:"] * len(extra_columns)
    lines = ["| " + " | ".join(headings) + " |", "|" + "|".join(align) + "|"]
    for label, path, result in results:
        ratio = result["rps"] / bare_rps if bare_rps else 0
        cells = [
            label,
            f"`{path}`",
            f"{result['p50_ms']:.1f}",
            f"{result['p95_ms']:.1f}",
            f"{result['rps']:.1f}",
            f"{ratio:.3f}",
            str(result["errors"]),
        ]
        cells += [function(label, path, result) for _heading, function in extra_columns]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def machine_line(load_before, load_after=None):
    """The machine bullet: architecture, CPUs and the load average around the run."""
    load_after = os.getloadavg() if load_after is None else load_after
    return (
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with the load generator and "
        f"PostgreSQL; load average {load_before[0]:.1f} before the run and {load_after[0]:.1f} after it."
    )


def write_results(path, lines):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("\n".join(lines), encoding="utf-8")
    out(f"wrote {path}")
