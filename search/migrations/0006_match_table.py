"""The narrow matching table (issue 14, ``docs/performance.md``): PostgreSQL only.

The counts' sample of a common word reads the table until ``SEARCH_COUNT_CAP`` + 1 matches are
found: about 8,000 rows at a million entries. An entry is about 2,200 bytes wide (its text, its
tokens, two stored tsvectors), so those rows filled about 2,000 pages. ``search_searchmatch``
holds only what that read needs: the entry's id, type, languages and stored ``tokens_tsv``,
about half the width, so the same read touches about half the pages.

It is never written by Django. Triggers on ``search_searchentry`` keep it in step within the
same transaction: an insert or an update of the type, languages or tokens writes the entry's
row (``INSERT … ON CONFLICT DO UPDATE``, so the upsert's conflicts are covered), a delete
removes it, and a ``TRUNCATE`` of the entries (the tests' flush) truncates it too. An update
that changes none of those columns (a reindex of an unchanged record) does not touch it.

The table has no GIN index: the backend reads it only when the planner expects the word in at
least ``SEARCH_WALK_SHARE`` of the entries, where reading the table in its order beats the
index (``search.backends.database.sample``); a rarer word is found through the entries' GIN
index as before. SQLite and other databases get nothing here (the model is unmanaged).
"""

from django.db import migrations, models

POSTGRES = [
    "CREATE TABLE search_searchmatch ("
    " id bigint PRIMARY KEY,"
    " doc_type varchar(40) NOT NULL,"
    " languages varchar(60) NOT NULL,"
    " tokens_tsv tsvector NOT NULL)",
    # As the entries' column (migration 0004): kept in the row, never toasted.
    "ALTER TABLE search_searchmatch ALTER COLUMN tokens_tsv SET STORAGE MAIN",
    "CREATE FUNCTION search_searchmatch_write() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    # An entry whose id changed leaves no row under its old id.
    "IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN DELETE FROM search_searchmatch WHERE id = OLD.id; END IF; "
    "INSERT INTO search_searchmatch (id, doc_type, languages, tokens_tsv) "
    "VALUES (NEW.id, NEW.doc_type, NEW.languages, NEW.tokens_tsv) "
    "ON CONFLICT (id) DO UPDATE SET doc_type = EXCLUDED.doc_type, "
    "languages = EXCLUDED.languages, tokens_tsv = EXCLUDED.tokens_tsv; "
    "RETURN NULL; "
    "END $$",
    "CREATE FUNCTION search_searchmatch_delete() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN DELETE FROM search_searchmatch WHERE id = OLD.id; RETURN NULL; END $$",
    "CREATE FUNCTION search_searchmatch_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN TRUNCATE search_searchmatch; RETURN NULL; END $$",
    # AFTER row triggers see the stored generated column (tokens_tsv) already computed.
    "CREATE TRIGGER search_searchmatch_insert AFTER INSERT ON search_searchentry "
    "FOR EACH ROW EXECUTE FUNCTION search_searchmatch_write()",
    "CREATE TRIGGER search_searchmatch_update AFTER UPDATE ON search_searchentry FOR EACH ROW "
    "WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.doc_type IS DISTINCT FROM NEW.doc_type "
    "OR OLD.languages IS DISTINCT FROM NEW.languages OR OLD.tokens IS DISTINCT FROM NEW.tokens) "
    "EXECUTE FUNCTION search_searchmatch_write()",
    "CREATE TRIGGER search_searchmatch_delete AFTER DELETE ON search_searchentry "
    "FOR EACH ROW EXECUTE FUNCTION search_searchmatch_delete()",
    "CREATE TRIGGER search_searchmatch_truncate AFTER TRUNCATE ON search_searchentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_searchmatch_truncate()",
    # The existing entries, in their order (the sample reads the table in its physical order).
    "INSERT INTO search_searchmatch (id, doc_type, languages, tokens_tsv) "
    "SELECT id, doc_type, languages, tokens_tsv FROM search_searchentry ORDER BY id",
    "ANALYZE search_searchmatch",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS search_searchmatch_truncate ON search_searchentry",
    "DROP TRIGGER IF EXISTS search_searchmatch_delete ON search_searchentry",
    "DROP TRIGGER IF EXISTS search_searchmatch_update ON search_searchentry",
    "DROP TRIGGER IF EXISTS search_searchmatch_insert ON search_searchentry",
    "DROP FUNCTION IF EXISTS search_searchmatch_truncate()",
    "DROP FUNCTION IF EXISTS search_searchmatch_delete()",
    "DROP FUNCTION IF EXISTS search_searchmatch_write()",
    "DROP TABLE IF EXISTS search_searchmatch",
]


def create_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES:
            schema_editor.execute(statement)


def drop_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_sqlite_title_index")]

    operations = [
        migrations.CreateModel(
            name="SearchMatch",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("doc_type", models.CharField(max_length=40)),
                ("languages", models.CharField(max_length=60)),
            ],
            options={"managed": False, "db_table": "search_searchmatch"},
        ),
        migrations.RunPython(create_table, drop_table),
    ]
