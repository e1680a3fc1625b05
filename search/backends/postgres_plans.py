"""PostgreSQL's planner settings for the embedded search backend: the search's own plan
through the GIN indexes (``index_plans``), and the two reads allowed to walk instead
(``sample_plans``, ``ordered_plans``); ``docs/search.md`` says why each exists."""

import json
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connection, transaction

from ..models import SearchEntry

_ENTRIES = {}  # database alias -> (the planner's count of index entries, when read)


def index_entries():
    """The planner's own count of index entries (``pg_class.reltuples``, kept by ANALYZE), read
    at most once every ``SEARCH_ENTRIES_REFRESH`` seconds per process."""
    alias, now = connection.alias, time.monotonic()
    known = _ENTRIES.get(alias)
    if known is None or now - known[1] > settings.SEARCH_ENTRIES_REFRESH:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [SearchEntry._meta.db_table]
            )
            known = _ENTRIES[alias] = (cursor.fetchone()[0], now)
    return known[0]


def estimated_rows(rows):
    """The planner's estimate of how many entries ``rows`` holds (PostgreSQL; ``None`` when the
    index was never analysed, when the planner has nothing to estimate from)."""
    entries = index_entries()
    if not entries or entries <= 0:  # never analysed
        return None
    sql, params = rows.order_by().values_list("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]


def _estimated_share(rows):
    """The planner's estimate of the share of the index that ``rows`` holds (PostgreSQL)."""
    estimate = estimated_rows(rows)
    return 0.0 if estimate is None else estimate / index_entries()


def _set_plans(cursor, settings_, remember=True):
    """Set planner settings for the rest of the transaction; the settings they replace, to set
    back (``None`` with ``remember=False``: the transaction's end sets them back itself). One
    statement either way: the subquery reads the settings before the outer query sets them."""
    names = [name for name, _value in settings_]
    setting = ", ".join(["set_config(%s, %s, true)"] * len(settings_))
    values = [part for pair in settings_ for part in pair]
    if not remember:
        cursor.execute(f"SELECT {setting}", values)
        return None
    reading = ", ".join(f"current_setting(%s) AS s{n}" for n in range(len(names)))
    sql = f"SELECT previous.*, {setting} FROM (SELECT {reading} OFFSET 0) AS previous"  # noqa: S608 - placeholders only
    cursor.execute(sql, [*values, *names])
    return list(zip(names, cursor.fetchone()[: len(names)], strict=True))


# The search's own plan (``index_plans``): every setting the walks below change is set, so that
# each walk sets back exactly these values without first reading them.
INDEX_PLANS = (
    ("enable_seqscan", "off"),
    ("enable_indexscan", "off"),
    ("enable_bitmapscan", "on"),
    ("enable_sort", "on"),
    # One search is one process's work: parallel workers only made the other requests wait.
    ("max_parallel_workers_per_gather", "0"),
)


_INDEX_PLANS_ACTIVE = ContextVar("search_index_plans", default=False)


@contextmanager
def index_plans(indexed):
    """On PostgreSQL, answer through the GIN indexes, never by a scan that reads every row: a
    type with no match for a common word made the planner expect an early stop and read the
    whole table (seconds at a million entries). Measured in ``benchmarks/results/public.md``.
    ``work_mem`` is raised for the search (``SEARCH_WORK_MEM``) so the bitmap of a common
    word's matches stays exact: a lossy bitmap made PostgreSQL check every row of its lossy
    pages again. The only reads that walk are ``sample_plans``' (a word the planner expects in
    at least ``SEARCH_WALK_SHARE`` of the entries) and ``ordered_plans``' (a tier known to
    hold more than the cap's entries)."""
    if not indexed or connection.vendor != "postgresql":
        yield
        return
    plans = [*INDEX_PLANS, ("work_mem", settings.SEARCH_WORK_MEM)]
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        before = _set_plans(cursor, plans, remember=nested)
        active = _INDEX_PLANS_ACTIVE.set(True)
        try:
            yield
        finally:  # within a caller's transaction too, only this search is planned so
            _INDEX_PLANS_ACTIVE.reset(active)
            if nested:
                _set_plans(cursor, before, remember=False)


@contextmanager
def _within_index_plans(changes):
    """Within ``index_plans``: ``changes`` for the statements inside, then the search's own plan
    again (two statements)."""
    names = {name for name, _value in changes}
    with connection.cursor() as cursor:
        _set_plans(cursor, changes, remember=False)
        try:
            yield
        finally:
            _set_plans(
                cursor, [(name, value) for name, value in INDEX_PLANS if name in names], remember=False
            )


def planning():
    """Whether this is a search within ``index_plans`` (PostgreSQL, an indexed query)."""
    return _INDEX_PLANS_ACTIVE.get()


@contextmanager
def sample_plans(rows, share=None):
    """On PostgreSQL, within ``index_plans``: read the table until enough matches are found
    (no bitmap) when the planner expects at least ``SEARCH_WALK_SHARE`` of it to match.
    ``share``: that estimate, when the caller already has it (no second ``EXPLAIN``). Yields
    whether the table is read."""
    if not _INDEX_PLANS_ACTIVE.get():
        yield False
        return
    if (_estimated_share(rows) if share is None else share) < settings.SEARCH_WALK_SHARE:
        yield False
        return
    with _within_index_plans([("enable_seqscan", "on"), ("enable_bitmapscan", "off")]):
        yield True


@contextmanager
def ordered_plans():
    """On PostgreSQL, within ``index_plans``: read a dense tier along the ranking index, in its
    order, checking each row (the stored ``tokens_tsv``), with no bitmap and no sort: the walk
    stops after the page's rows."""
    if not _INDEX_PLANS_ACTIVE.get():
        yield
        return
    with _within_index_plans(
        [("enable_indexscan", "on"), ("enable_bitmapscan", "off"), ("enable_sort", "off")]
    ):
        yield
