"""The search that stops early on the embedded SQLite database too (issue 14, ``docs/search.md``).

PostgreSQL already has what it needs (migration 0004); on SQLite this adds:

- ``search_entry_title_nocase``, a btree over the title with SQLite's ``NOCASE`` collation:
  Django's ``iexact`` and ``istartswith`` are ``LIKE`` on SQLite, which this index answers, so
  the exact and prefix tiers of the ranking find their few entries without reading the matches;
- ``search_searchentry_title_fts``, an FTS5 table over ``title_tokens`` (the title's bigrams and
  Latin words), kept in step by its own triggers: a title tier's entries are found through it
  instead of through every match of the query (a common word's thousands);
- the FTS5 table of migration 0002 made again with prefix indexes for two and three letters, as
  the title's table has: pinyin initials (``yl``, ``tz``, ``bjs``) are a prefix query, which
  otherwise merges the lists of every token starting with them.

Both FTS5 tables are external-content tables of ``search_searchentry``. A later migration that
adds a column to ``SearchEntry`` makes Django rebuild the SQLite table, which drops every
trigger on it: such a migration must create both tables' triggers again, as 0004 did for 0002's
(``sqlite_statements`` below gives them).
"""

import importlib

from django.db import migrations

TOKENS = "search_searchentry_fts"
TITLE = "search_searchentry_title_fts"


def _fts(table, column):
    """An external-content FTS5 table over ``column`` of the index, its three triggers, and the
    statement that fills it from the rows already there."""
    return [
        f"CREATE VIRTUAL TABLE {table} USING fts5({column}, content='search_searchentry', "
        "content_rowid='id', tokenize='unicode61', prefix='2 3')",
        f"CREATE TRIGGER {table}_insert AFTER INSERT ON search_searchentry BEGIN "
        f"INSERT INTO {table}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"CREATE TRIGGER {table}_delete AFTER DELETE ON search_searchentry BEGIN "
        f"INSERT INTO {table}({table}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END",
        f"CREATE TRIGGER {table}_update AFTER UPDATE ON search_searchentry BEGIN "
        f"INSERT INTO {table}({table}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
        f"INSERT INTO {table}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",
    ]


def _drop(table):
    return [
        f"DROP TRIGGER IF EXISTS {table}_insert",
        f"DROP TRIGGER IF EXISTS {table}_delete",
        f"DROP TRIGGER IF EXISTS {table}_update",
        f"DROP TABLE IF EXISTS {table}",
    ]


def sqlite_statements():
    """Both FTS5 tables with their triggers, filled from the rows already there; the title index."""
    return [
        *_fts(TOKENS, "tokens"),
        *_fts(TITLE, "title_tokens"),
        "CREATE INDEX IF NOT EXISTS search_entry_title_nocase ON search_searchentry (title COLLATE NOCASE)",
    ]


def _has_fts5(schema_editor):
    """Whether migration 0002 made its FTS5 table (a SQLite built without FTS5 has none; the
    backend then reads every entry, and there is nothing to add here)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [TOKENS])
        return cursor.fetchone() is not None


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite" or not _has_fts5(schema_editor):
        return
    for statement in [*_drop(TOKENS), *sqlite_statements(), "ANALYZE search_searchentry"]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite" or not _has_fts5(schema_editor):
        return
    full_text = importlib.import_module("search.migrations.0002_full_text_index")
    statements = [
        "DROP INDEX IF EXISTS search_entry_title_nocase",
        *_drop(TITLE),
        *full_text.SQLITE_DROP,
        *full_text.SQLITE_FTS,
    ]
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_ranking_index")]

    operations = [migrations.RunPython(create, drop)]
