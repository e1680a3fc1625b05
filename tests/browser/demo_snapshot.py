"""The demo site once per test process, restored row for row before each browser test.

A browser test runs against ``live_server`` with a transactional database, which is
flushed after every test, so each test needs the demo site rebuilt. ``load_demo_data``
takes about 20 seconds on PostgreSQL (it prices, signs and seals); restoring the rows it
left takes well under one. On PostgreSQL the first test in a process loads the demo data
and copies every table out with ``COPY … TO STDOUT (FORMAT BINARY)``; each later test
empties the tables the way Django's flush does, copies the rows back in one transaction
and sets every sequence back to where the load left it, so ids are the same each time.

The files the load wrote (sealed PDFs, images, the platform's keys) stay in the run's
throwaway directory, which no flush touches, so the restored rows find them again.
On other databases every test runs ``load_demo_data`` as before.
"""

import os

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction


class DemoSnapshot:
    def __init__(self):
        self.rows = None  # table name -> binary COPY data, for the tables that had rows
        self.sequences = None  # (sequence name, last value or None)

    def build(self):
        """The demo site in the test database: loaded the first time, restored after."""
        if connection.vendor != "postgresql":
            _load_demo_data()
        elif self.rows is None:
            _load_demo_data()
            self._capture()
        else:
            self._restore()

    @staticmethod
    def _tables():
        return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))

    def _capture(self):
        quote = connection.ops.quote_name
        rows = {}
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for table in self._tables():
                with raw.copy(f"COPY {quote(table)} TO STDOUT (FORMAT BINARY)") as copy:
                    data = b"".join(bytes(block) for block in copy)
                if raw.rowcount:
                    rows[table] = data
            cursor.execute(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            )
            self.sequences = cursor.fetchall()
        self.rows = rows

    def _restore(self):
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in connection.ops.sql_flush(no_style(), self._tables()):
                cursor.execute(statement)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            raw = cursor.cursor
            for table, data in self.rows.items():
                with raw.copy(f"COPY {quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)
            for sequence, last_value in self.sequences:
                if last_value is None:
                    cursor.execute("SELECT setval(%s, 1, false)", [sequence])
                else:
                    cursor.execute("SELECT setval(%s, %s, true)", [sequence, last_value])
        # Ids cached in the process before the restore (a flush recreates the content types
        # with new ids; the reference data fixtures cache pages and sites) are stale now.
        ContentType.objects.clear_cache()
        cache.clear()


def _load_demo_data():
    with open(os.devnull, "w") as devnull:
        call_command("load_demo_data", stdout=devnull)
