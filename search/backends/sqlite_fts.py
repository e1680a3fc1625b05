"""SQLite's FTS5 tables for the embedded search backend (migrations 0002 and 0005): the
entries' tokens, and the titles' own (``search.backends.database`` asks them through here)."""

from django.db import connection
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In

# The query's tokens, and the title's own.
TOKENS, TITLE = "search_searchentry_fts", "search_searchentry_title_fts"
_TABLES = {}


def fts_tables():
    """The FTS5 tables this SQLite database has (a SQLite built without FTS5 has none, and the
    backend then reads every entry); asked once per database."""
    name = connection.settings_dict["NAME"]
    if name not in _TABLES:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (%s, %s)",
                [TOKENS, TITLE],
            )
            _TABLES[name] = frozenset(row[0] for row in cursor.fetchall())
    return _TABLES[name]


def tiered():
    """Whether this SQLite database has both FTS5 tables the search that stops early reads."""
    return connection.vendor == "sqlite" and fts_tables() >= {TOKENS, TITLE}


def _match_string(phrases, prefixes):
    # Tokens are [a-z0-9]+ (search.text), so they are safe in an FTS5 query string.
    return " AND ".join(
        [*(f'"{" ".join(bigrams)}"' for bigrams in phrases), *(f'"{word}"*' for word in prefixes)]
    )


_MATCH = {  # the FTS5 tables' fixed SQL; the query's tokens go in as a parameter
    TOKENS: (
        "search_searchentry_fts.rowid = search_searchentry.id",
        "search_searchentry_fts MATCH %s",
        "SELECT rowid FROM search_searchentry_fts WHERE search_searchentry_fts MATCH %s",
    ),
    TITLE: (
        "search_searchentry_title_fts.rowid = search_searchentry.id",
        "search_searchentry_title_fts MATCH %s",
        "SELECT rowid FROM search_searchentry_title_fts WHERE search_searchentry_title_fts MATCH %s",
    ),
}


def narrow(queryset, table, phrases, prefixes, ordered):
    """SQLite: ``queryset`` narrowed to the entries the FTS5 ``table`` finds for the query.

    Unordered (a sample, a count), the FTS5 table is joined: SQLite reads its matches one by one
    and stops with the ``LIMIT``, where ``id IN (...)`` would first collect every match of a
    common word. ``ordered`` (a walk along the ranking index), the matches are an ``IN`` list
    on ``id + 0``: the ``+ 0`` keeps SQLite from starting at the list and sorting it, so it
    reads the ranking index in order and stops after the page's rows."""
    if ordered:
        return queryset.filter(holds(table, phrases, prefixes))
    join, where, _rows = _MATCH[table]
    match = _match_string(phrases, prefixes)
    return queryset.extra(tables=[table], where=[join, where], params=[match])  # noqa: S610 - fixed SQL


def holds(table, phrases, prefixes):
    """A condition: the FTS5 ``table`` finds the entry for the query. An ``IN`` list of its
    matches, which SQLite collects once for the statement, on ``id + 0``, so the condition
    never leads SQLite away from the ranking index a walk reads (``narrow``, ordered)."""
    _join, _where, rows = _MATCH[table]
    matches = RawSQL(rows, [_match_string(phrases, prefixes)])  # noqa: S611 - fixed SQL, tokens a parameter
    return Q(In(F("pk") + 0, matches))
