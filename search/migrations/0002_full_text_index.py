"""The embedded search's full-text index (issue 14): a ``tokens`` column, and each database's
own index over it.

- PostgreSQL: a GIN index over ``to_tsvector('simple', COALESCE(tokens, ''))``, the expression
  ``django.contrib.postgres.search.SearchVector("tokens", config="simple")`` compiles to, so
  the query in ``search.backends.database`` uses it.
- SQLite: an FTS5 table with external content (``content='search_searchentry'``) and the three
  triggers SQLite's FTS5 documentation gives for keeping such a table in step with its content
  table (inserts, deletes, and updates including ``INSERT … ON CONFLICT DO UPDATE``). A SQLite
  built without FTS5 gets no table; the backend then answers with ``icontains`` alone.

Existing entries get their tokens here, in batches.
"""

from django.db import migrations, models

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_searchentry_fts USING fts5("
    "tokens, content='search_searchentry', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER search_searchentry_fts_insert AFTER INSERT ON search_searchentry BEGIN "
    "INSERT INTO search_searchentry_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER search_searchentry_fts_delete AFTER DELETE ON search_searchentry BEGIN "
    "INSERT INTO search_searchentry_fts(search_searchentry_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); END",
    "CREATE TRIGGER search_searchentry_fts_update AFTER UPDATE ON search_searchentry BEGIN "
    "INSERT INTO search_searchentry_fts(search_searchentry_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO search_searchentry_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "INSERT INTO search_searchentry_fts(search_searchentry_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_searchentry_fts_insert",
    "DROP TRIGGER IF EXISTS search_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS search_searchentry_fts_update",
    "DROP TABLE IF EXISTS search_searchentry_fts",
]
POSTGRES_INDEX = (
    "CREATE INDEX search_entry_tokens_fts ON search_searchentry "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(tokens, '')))"
)


def fill_tokens(apps, schema_editor):
    from search.text import index_tokens

    SearchEntry = apps.get_model("search", "SearchEntry")
    batch = []
    for entry in SearchEntry.objects.only("pk", "title", "extra", "body").iterator(chunk_size=2000):
        entry.tokens = index_tokens(entry.title, entry.extra, entry.body)
        batch.append(entry)
        if len(batch) >= 2000:
            SearchEntry.objects.bulk_update(batch, ["tokens"])
            batch = []
    if batch:
        SearchEntry.objects.bulk_update(batch, ["tokens"])


def sqlite_has_fts5(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
        if cursor.fetchone()[0]:
            return True
        try:  # some builds load FTS5 without the compile option being reported
            cursor.execute("CREATE VIRTUAL TABLE temp.search_fts5_probe USING fts5(x)")
            cursor.execute("DROP TABLE temp.search_fts5_probe")
            return True
        except Exception:  # noqa: BLE001 - no FTS5 in this SQLite
            return False


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_INDEX)
    elif connection.vendor == "sqlite" and sqlite_has_fts5(connection):
        for statement in SQLITE_FTS:
            schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_tokens_fts")
    elif connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="tokens",
            field=models.TextField(blank=True, editable=False, verbose_name="检索词"),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
