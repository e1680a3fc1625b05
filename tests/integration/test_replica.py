"""The read replica (issue 22, part 2): anonymous public reads from a real streaming replica,
read-your-writes under a replica that lags, the fall-back when it is down, and the router.

The replica is made for this module from the running test server, as in production: a base
backup with ``pg_basebackup -R`` (the test database already exists on the primary, so it is in
the backup and every later commit streams to it), started on a free port as the user that runs
the server under ``scripts/with-postgres.sh``. A lagging replica is a replica whose replay is
paused (``pg_wal_replay_pause()``): the most delayed replica there is, with no sleeping.
The tests are transactional: only committed rows are streamed.
"""

import copy
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, router
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from wagtail.models import Site

from accounts.models import User
from cms.models import BureauSettings
from core import replica
from core.db_router import ReplicaRouter, Route, current_route
from marketplace.catalogue.models import Provider
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import ProviderFactory

ALIAS = django_settings.REPLICA_DATABASE_ALIAS
ROUTER = "core.db_router.ReplicaRouter"

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a streaming replica needs PostgreSQL (run under scripts/with-postgres.sh)",
)
on_both = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, ALIAS])


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ReplicaServer:
    """A hot standby of the test server, in a temporary directory."""

    def __init__(self, pg_bin, run_as, directory, port, max_connections):
        self.pg_bin, self.run_as, self.directory, self.port = pg_bin, run_as, directory, port
        # A hot standby needs at least the primary's max_connections.
        self.max_connections = max_connections
        self.data = directory / "data"

    def _run(self, *args, password=""):
        env = {**os.environ, "PGPASSWORD": password} if password else None
        done = subprocess.run(
            [*self.run_as, *args], capture_output=True, text=True, timeout=120, check=False, env=env
        )
        if done.returncode:
            log = self.directory / "replica.log"
            raise AssertionError(
                f"{args[0]} failed: {done.stderr}\n{log.read_text() if log.exists() else ''}"
            )

    def start(self):
        options = f"-h 127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off -c max_connections={self.max_connections}"
        log = self.directory / "replica.log"
        self._run(
            str(self.pg_bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def stop(self):
        connections[ALIAS].close()
        self._run(str(self.pg_bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def query(self, sql, params=()):
        with connections[ALIAS].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def wait_for_replay(self, timeout=30):
        """Until the replica has replayed everything the primary has written so far."""
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()")
            target = cursor.fetchone()[0]
        deadline = time.monotonic() + timeout
        while not self.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)

    def pause(self):
        self.query("SELECT pg_wal_replay_pause()::text")

    def resume(self):
        self.query("SELECT pg_wal_replay_resume()::text")


def _server_binaries():
    major = connection.pg_version // 10000
    debian = Path(f"/usr/lib/postgresql/{major}/bin")
    if (debian / "pg_basebackup").exists():
        return debian
    found = shutil.which("pg_basebackup")
    if found is None:
        pytest.skip("pg_basebackup not found (install the 'postgresql' package)")
    return Path(found).parent


@pytest.fixture(scope="module")
def replica_server(django_db_setup, django_db_blocker):
    """A streaming replica of the test server with the ``replica`` alias pointing at the current
    (xdist worker's) test database; removed with the alias at the end of the module."""
    if connection.vendor != "postgresql":
        pytest.skip("a streaming replica needs PostgreSQL")
    with django_db_blocker.unblock():
        primary = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
        pg_bin = _server_binaries()
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SHOW max_connections")
            max_connections = int(cursor.fetchone()[0])
    directory = Path(tempfile.mkdtemp(prefix="platform-test-replica-"))
    directory.chmod(0o755)
    run_as = []
    if os.geteuid() == 0:  # the server runs as "postgres" (scripts/with-postgres.sh)
        shutil.chown(directory, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    server = ReplicaServer(pg_bin, run_as, directory, _free_port(), max_connections)
    try:
        server._run(
            str(pg_bin / "pg_basebackup"),
            *(
                "-h",
                primary["HOST"] or "127.0.0.1",
                "-p",
                str(primary["PORT"] or 5432),
                "-U",
                primary["USER"],
            ),
            *("-D", str(server.data), "-R", "-X", "stream", "-c", "fast", "--no-sync"),
            password=primary["PASSWORD"] or "",
        )
        server.start()
        alias_settings = {
            **primary,
            "HOST": "127.0.0.1",
            "PORT": str(server.port),
            "TEST": {"MIRROR": DEFAULT_DB_ALIAS},
        }
        django_settings.DATABASES[ALIAS] = alias_settings
        connections.configure_settings(
            {DEFAULT_DB_ALIAS: django_settings.DATABASES[DEFAULT_DB_ALIAS], ALIAS: alias_settings}
        )
        with django_db_blocker.unblock():
            assert server.query("SELECT pg_is_in_recovery()") is True
        yield server
    finally:
        with django_db_blocker.unblock():
            if ALIAS in connections.settings:
                connections[ALIAS].close()
                del connections[ALIAS]
            django_settings.DATABASES.pop(ALIAS, None)
        subprocess.run(
            [*run_as, str(pg_bin / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def cluster(replica_server, settings):
    """The router and the middleware active, a short window, the page cache off (a test about it
    turns it on), and replay running again and the back-off forgotten after each test."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.READ_YOUR_WRITES_SECONDS = 5
    settings.PAGE_CACHE_ENABLED = False
    # The test server commits with synchronous_commit=off: its WAL is written every 200 ms.
    settings.REPLICA_CATCH_UP_WAIT_SECONDS = 1.0
    replica.reset()
    # The bureau's settings row exists, as in a deployment (a transactional test flushed it, and
    # the first page would create it: a write, which sends its request to the primary).
    for site in Site.objects.all():
        BureauSettings.for_site(site)
    replica_server.wait_for_replay()
    yield replica_server
    replica.reset()
    replica_server.resume()
    replica_server.wait_for_replay()


def provider_url(provider):
    return reverse("catalogue:provider", args=[provider.slug])


def reads(captured, table):
    return [query["sql"] for query in captured.captured_queries if table in query["sql"]]


@needs_postgres
@on_both
def test_anonymous_public_reads_come_from_the_replica(cluster, client):
    replicated = ProviderFactory(name="已同步殡仪馆")
    cluster.wait_for_replay()
    cluster.pause()
    not_yet = ProviderFactory(name="尚未同步殡仪馆")  # committed on the primary only

    with (
        CaptureQueriesContext(connections[ALIAS]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        response = client.get(provider_url(replicated))
    assert response.status_code == 200 and "已同步殡仪馆" in response.content.decode()
    assert reads(on_replica, "catalogue_provider") and not reads(on_primary, "catalogue_provider")
    # A visitor reads what the replica has replayed, nothing newer.
    assert client.get(provider_url(not_yet)).status_code == 404

    cluster.resume()
    cluster.wait_for_replay()
    assert client.get(provider_url(not_yet)).status_code == 200

    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["replica"]["status"] == "ok"
    # Caught up with this test's writes; the other xdist worker's test database is on the same
    # server and may be writing, so the lag is small, not necessarily zero (less than one WAL
    # segment).
    assert 0 <= health["replica"]["lag_bytes"] < 16 * 1024 * 1024


@needs_postgres
@on_both
def test_a_page_for_the_page_cache_is_never_rendered_from_a_replica_behind_the_primary(
    cluster, client, settings
):
    settings.PAGE_CACHE_ENABLED = True
    cluster.pause()
    provider = ProviderFactory(name="新登记殡仪馆")  # its section version is new; the replica lags

    with CaptureQueriesContext(connections[ALIAS]) as on_replica:
        response = client.get(provider_url(provider))
    # Rendered from the primary and stored: the cached page is as new as its version.
    assert response.status_code == 200 and "新登记殡仪馆" in response.content.decode()
    assert not reads(on_replica, "catalogue_provider")

    cluster.resume()
    cluster.wait_for_replay()
    with CaptureQueriesContext(connections[ALIAS]) as on_replica:
        response = client.get(provider_url(provider), {"tab": "prices"})  # another page, not cached yet
    assert response.status_code == 200 and reads(on_replica, "catalogue_provider")


@needs_postgres
@on_both
def test_a_writer_reads_its_own_writes_at_once_under_a_lagging_replica(cluster, client, settings):
    user = UserFactory(display_name="旧称呼")
    cluster.wait_for_replay()
    cluster.pause()  # from now on the replica shows nothing new

    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"display_name": "新称呼", "email": ""})
    assert response.status_code == 302
    assert settings.READ_YOUR_WRITES_COOKIE in response.cookies
    assert "新称呼" in client.get(reverse("accounts:profile")).content.decode()
    assert User.objects.using(ALIAS).get(pk=user.pk).display_name == "旧称呼"  # the replica lags

    # Signed out, the same client still reads from the primary within the window.
    client.post(reverse("accounts:logout"))
    provider = ProviderFactory()  # committed after the replica stopped replaying
    with CaptureQueriesContext(connections[ALIAS]) as on_replica:
        assert client.get(provider_url(provider)).status_code == 200
    assert not on_replica.captured_queries
    # Another visitor, who wrote nothing, reads from the replica.
    assert Client().get(provider_url(provider)).status_code == 404

    # A marker made by marker_value() is the middleware's own: within the window, the primary.
    client.cookies[settings.READ_YOUR_WRITES_COOKIE] = replica.marker_value(at=time.time() - 1)
    assert client.get(provider_url(provider)).status_code == 200
    # After the window (the marker says the write was longer ago), back to the replica.
    written_at = time.time() - settings.READ_YOUR_WRITES_SECONDS - 1
    client.cookies[settings.READ_YOUR_WRITES_COOKIE] = replica.marker_value(at=written_at)
    assert client.get(provider_url(provider)).status_code == 404
    # A forged marker counts for nothing: the signature is checked.
    client.cookies[settings.READ_YOUR_WRITES_COOKIE] = f"{time.time():.3f}"
    assert client.get(provider_url(provider)).status_code == 404


@needs_postgres
@on_both
def test_public_pages_survive_the_replica_going_down(cluster, client, caplog):
    provider = ProviderFactory(name="主库殡仪馆")
    cluster.stop()
    try:
        with caplog.at_level(logging.WARNING, logger="core.replica"):
            response = client.get(provider_url(provider))
            assert response.status_code == 200 and "主库殡仪馆" in response.content.decode()
            again = client.get(provider_url(provider))  # within the back-off: no new attempt
            assert again.status_code == 200
        warnings = [r for r in caplog.records if r.name == "core.replica" and r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()

        health = client.get("/healthz")
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "degraded"
        assert body["database"]["status"] == "ok" and body["replica"]["status"] == "down"
    finally:
        cluster.start()


@needs_postgres
@on_both
def test_writes_and_migrations_go_to_the_primary(cluster, client):
    assert router.db_for_write(Provider) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(ALIAS, "catalogue", model_name="provider") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "catalogue", model_name="provider") is True
    # An anonymous write (switching the text size) marks the client: its next reads are primary.
    response = client.post("/preferences/large-text/", {"large_text": "1", "next": "/"})
    assert django_settings.READ_YOUR_WRITES_COOKIE in response.cookies


def test_the_router_reads_from_the_replica_only_inside_a_chosen_request(monkeypatch):
    router_ = ReplicaRouter()
    assert router_.db_for_read(Provider) == DEFAULT_DB_ALIAS  # a task, a command, the shell
    route = Route()
    token = current_route.set(route)
    try:
        assert router_.db_for_read(Provider) == DEFAULT_DB_ALIAS  # not chosen
        route.use_replica = True
        assert router_.db_for_read(Provider) == ALIAS
        assert router_.db_for_write(Provider) == DEFAULT_DB_ALIAS
        # Inside a transaction on the primary, the reads stay there.
        monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "in_atomic_block", True)
        assert router_.db_for_read(Provider) == DEFAULT_DB_ALIAS
    finally:
        current_route.reset(token)
    assert router_.allow_relation(Provider(), User()) is True
    assert router_.allow_migrate(ALIAS, "accounts") is False and router_.allow_migrate(
        DEFAULT_DB_ALIAS, "accounts"
    )


def test_the_database_cache_is_never_read_from_the_replica_nor_a_write_of_the_client():
    from django.core.cache.backends.db import DatabaseCache

    entry = DatabaseCache("platform_cache", {}).cache_model_class
    route = Route()
    route.use_replica = True
    token = current_route.set(route)
    try:
        assert ReplicaRouter().db_for_read(Provider) == ALIAS
        assert ReplicaRouter().db_for_read(entry) == DEFAULT_DB_ALIAS
    finally:
        current_route.reset(token)
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "platform_cache"}
    }
    with override_settings(CACHES=caches):
        assert not replica._writes_data('INSERT INTO "platform_cache" ("cache_key", "value") VALUES (%s, %s)')
        assert not replica._writes_data('DELETE FROM "platform_cache" WHERE "cache_key" IN (%s)')
        assert replica._writes_data('UPDATE "accounts_user" SET "display_name" = %s WHERE "id" = %s')
        assert not replica._writes_data('SELECT "id" FROM "catalogue_provider"')


@pytest.mark.django_db
def test_without_the_router_the_middleware_does_nothing(client):
    assert not django_settings.DATABASE_ROUTERS  # the test settings: no replica unless a test makes one
    response = client.post("/preferences/large-text/", {"large_text": "1", "next": "/"})
    assert django_settings.READ_YOUR_WRITES_COOKIE not in response.cookies
