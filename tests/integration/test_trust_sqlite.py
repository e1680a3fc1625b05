"""The embedded SQLite default under concurrent writes (issue 12, point 8).

pytest-django's own SQLite test database is in memory, where locking works differently,
so these tests open a real file database in ``tmp_path`` with the options the settings
build from a ``sqlite:///`` DATABASE_URL, and drive it through Django's connection
handling (``django.db.connections`` and ``transaction.atomic``) from several threads.
"""

import threading

import pytest
from django.db import OperationalError, connections, transaction

from config.settings.base import database_settings

THREADS = 8
TRANSACTIONS_PER_THREAD = 25


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    """An extra database alias backed by a file, removed again after the test."""
    alias = "trust_sqlite_file"
    configured = connections.configure_settings(
        {"default": {}, alias: database_settings(f"sqlite:///{tmp_path / 'concurrent.sqlite3'}")}
    )
    connections.settings[alias] = configured[alias]
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, worker INTEGER, n INTEGER)")
        yield alias
        connections[alias].close()
    del connections.settings[alias]
    del connections[alias]


def test_sqlite_concurrent_writes_do_not_lock(file_database):
    """Eight threads each run read-then-write transactions (the shape of a session save,
    a cache set or an order placement) at the same time; none sees "database is locked"
    and no write is lost."""
    alias = file_database
    start = threading.Barrier(THREADS)
    errors = []

    def worker(number):
        try:
            start.wait(timeout=60)
            for _ in range(TRANSACTIONS_PER_THREAD):
                with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM ledger WHERE worker = %s", [number])
                    (count,) = cursor.fetchone()
                    cursor.execute("INSERT INTO ledger (worker, n) VALUES (%s, %s)", [number, count + 1])
        except OperationalError as exc:  # "database is locked" and friends
            errors.append(str(exc))
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT worker, COUNT(*), MAX(n) FROM ledger GROUP BY worker ORDER BY worker")
        rows = cursor.fetchall()
    assert rows == [(n, TRANSACTIONS_PER_THREAD, TRANSACTIONS_PER_THREAD) for n in range(THREADS)]


def test_sqlite_database_runs_in_wal_mode_with_immediate_transactions(file_database):
    connection = connections[file_database]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL
    assert connection.transaction_mode == "IMMEDIATE"


def test_non_sqlite_urls_get_no_sqlite_options():
    config = database_settings("postgres://platform@db.example:5432/platform")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert "transaction_mode" not in config.get("OPTIONS", {})
    assert "init_command" not in config.get("OPTIONS", {})
