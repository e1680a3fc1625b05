"""A small GIN index over the narrow matching table's entries of the types that are few
(issue 14, ``docs/performance.md``): PostgreSQL only.

A walk along the ranking index (``search.backends.database.walk``) reads the types in the
registry's order. For a common word that the first types never hold (``yanglao``: no provider
name or description has it), the walk first read all 5,000 providers' rows, to find none,
before the organisations that fill the page: about 5,200 rows for 20 at city scale.

This index answers "does this type hold the word at all" from the index alone, in a fraction
of a millisecond: one GIN over ``(doc_type, tokens_tsv)`` (``btree_gin`` lets a GIN index a
plain column), so the type's and the word's posting lists meet inside the index and an empty
answer reads no row. The walk then starts after the leading types that hold no match
(``walk_start``).

Only the types whose entries are few are in it: those not declared ``numerous`` in the registry
(``search.registry.DocumentType``). A donation, a review or a memorial pays nothing on write,
and the index stays a few megabytes at a million entries. A test compares this list with the
registry; a type added later and left out is only never skipped, and its results are unchanged.
"""

from django.db import migrations

FEW_TYPES = ("provider", "organization", "charity_project", "guide", "news", "page")
CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX search_match_few ON search_searchmatch USING gin (doc_type, tokens_tsv) "
    "WHERE doc_type IN (" + ", ".join(f"'{key}'" for key in FEW_TYPES) + ")",
]
DROP = ["DROP INDEX IF EXISTS search_match_few"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0006_match_table")]

    operations = [migrations.RunPython(create, drop)]
