"""The search that stops early (issue 14, ``docs/search.md``): what lets the ranking read a
common word's first page without reading every match.

- ``type_order``: the registry's order of the entry's type, written at indexing.
- ``title_tokens``: the title's bigrams and Latin words (``search.text.title_tokens``).
- The ranking index, in the order of the results within a tier: (type, date newest first with
  empty dates last, title, id). A tier with more matches than ``SEARCH_COUNT_CAP`` is read
  along it, stopping after the page's rows.
- PostgreSQL only:
  - ``tokens_tsv`` and ``title_tsv``, stored generated ``tsvector`` columns of ``tokens`` and
    ``title_tokens``, each with its GIN index (the old expression index moves onto the
    column): checking a row read along the ranking index costs no ``to_tsvector``, and the
    planner's estimates of a word's matches come from the columns' own statistics;
  - a btree over ``UPPER(title)`` with ``text_pattern_ops``, for the exact and prefix tiers
    (Django's ``iexact`` and ``istartswith``).

SQLite keeps its FTS5 table (migration 0002) for the candidates; its ranking index has no
``NULLS LAST`` (SQLite's descending order puts empty dates last by itself). Adding a column
makes Django rebuild a SQLite table, which drops its triggers: the FTS5 table's three triggers
are created again here, and the FTS5 index rebuilt.

Existing entries get their new columns here, in batches, after the columns and indexes exist
(rewriting each row also stores its tsvectors in the row); a reindex writes them too.
"""

import importlib

from django.db import migrations, models

POSTGRES = [
    # Stored, so that a row read along the ranking index is checked without to_tsvector, and so
    # that the planner has the columns' own statistics (an expression index's are not used for
    # a tsvector's elements). MAIN keeps them in the row: a toasted tsvector cost three more
    # buffer reads per row checked.
    "ALTER TABLE search_searchentry ADD COLUMN tokens_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(tokens, ''))) STORED",
    "ALTER TABLE search_searchentry ADD COLUMN title_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(title_tokens, ''))) STORED",
    "ALTER TABLE search_searchentry ALTER COLUMN tokens_tsv SET STORAGE MAIN",
    "ALTER TABLE search_searchentry ALTER COLUMN title_tsv SET STORAGE MAIN",
    "DROP INDEX IF EXISTS search_entry_tokens_fts",
    "CREATE INDEX search_entry_tokens_tsv ON search_searchentry USING gin (tokens_tsv)",
    "CREATE INDEX search_entry_title_tsv ON search_searchentry USING gin (title_tsv)",
    "CREATE INDEX search_entry_title_upper ON search_searchentry (UPPER(title) text_pattern_ops)",
    "CREATE INDEX search_entry_ranking ON search_searchentry (type_order, date DESC NULLS LAST, title, id)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_entry_ranking",
    "DROP INDEX IF EXISTS search_entry_title_upper",
    "DROP INDEX IF EXISTS search_entry_title_tsv",
    "DROP INDEX IF EXISTS search_entry_tokens_tsv",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS title_tsv",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS tokens_tsv",
    "CREATE INDEX search_entry_tokens_fts ON search_searchentry "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(tokens, '')))",
]
SQLITE = ["CREATE INDEX search_entry_ranking ON search_searchentry (type_order, date DESC, title, id)"]
SQLITE_REVERSE = ["DROP INDEX IF EXISTS search_entry_ranking"]


def fill_columns(apps, schema_editor):
    from search import registry
    from search.text import title_tokens

    SearchEntry = apps.get_model("search", "SearchEntry")
    for document_type in registry.document_types():
        SearchEntry.objects.filter(doc_type=document_type.key).update(type_order=document_type.order)
    batch = []
    for entry in SearchEntry.objects.only("pk", "title").iterator(chunk_size=2000):
        entry.title_tokens = title_tokens(entry.title)
        batch.append(entry)
        if len(batch) >= 2000:
            SearchEntry.objects.bulk_update(batch, ["title_tokens"])
            batch = []
    if batch:
        SearchEntry.objects.bulk_update(batch, ["title_tokens"])
    if schema_editor.connection.vendor == "postgresql":
        # The planner's estimates decide how each search reads: from the new columns at once.
        schema_editor.execute("ANALYZE search_searchentry")


def sqlite_fts_triggers():
    """Migration 0002's statements that make the FTS5 table's triggers and rebuild it."""
    full_text = importlib.import_module("search.migrations.0002_full_text_index")
    return [
        *(statement for statement in full_text.SQLITE_DROP if "TRIGGER" in statement),
        *(statement for statement in full_text.SQLITE_FTS if "TRIGGER" in statement or "'rebuild'" in statement),
    ]


def create_indexes(apps, schema_editor):
    connection = schema_editor.connection
    statements = POSTGRES if connection.vendor == "postgresql" else SQLITE if connection.vendor == "sqlite" else []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_searchentry_fts'")
            if cursor.fetchone():
                statements = [*statements, *sqlite_fts_triggers()]
    for statement in statements:
        schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE if vendor == "sqlite" else []:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_reindex_runs")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="title_tokens",
            field=models.TextField(blank=True, editable=False, verbose_name="标题检索词"),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="type_order",
            field=models.PositiveSmallIntegerField(default=1000, editable=False, verbose_name="类型顺序"),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(fill_columns, migrations.RunPython.noop),
    ]
