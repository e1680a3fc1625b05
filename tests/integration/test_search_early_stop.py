"""The search that stops early (issue 14, goal 2; ``docs/search.md``): the page of a common
word is taken tier by tier, each tier sorted whole when it has at most ``SEARCH_COUNT_CAP``
entries and read along the ranking index otherwise. Whatever the path, every page must hold
exactly the entries the ranking puts there: an exact title, a title starting with the query,
containing it, containing all its words, then the body; within a tier the registry's type
order, newer records first (an entry without a date last), the title, then the entry.

The reference below sorts every match in Python; the backend must agree with it on every page
shown, with a cap so small that each tier takes the dense path, and with the default cap.
Runs on both databases."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from search import registry
from search.backends import postgres_plans
from search.backends.database import DatabaseBackend, _raw_tsquery, matching
from search.models import SearchEntry
from search.registry import Entry
from search.text import query_phrases, terms, title_tokens

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)

# (type, title, body, days before TODAY or None for no date)
ROWS = [
    ("donation", "养老", "捐赠人：王*", 3),
    ("organization", "养老", "社会团体", None),
    ("organization", "养老服务中心", "业务范围：养老", 40),
    ("provider", "养老殡葬服务站", "遗体接运", 2),
    ("charity_project", "养老计划", "受益地区：朝阳区", 9),
    ("charity_project", "养老计划", "受益地区：通州区", 9),
    ("donation", "王* 捐赠 · 养老计划", "捐赠人：王*", 1),
    ("donation", "李* 捐赠 · 养老计划", "捐赠人：李*", 1),
    ("donation", "匿名 捐赠 · 养老行动", "捐赠人：匿名", None),
    ("organization", "北京市朝阳区养老服务协会", "社会团体", 100),
    ("organization", "北京市通州区养老服务协会", "社会团体", 100),
    ("provider", "朝阳区殡葬服务公司", "附设养老床位", 5),
    ("organization", "北京市朝阳区助学促进会", "与养老机构合作", 7),
    ("donation", "赵* 捐赠 · 助学基金", "北京市朝阳区养老服务协会", 4),
    ("donation", "钱* 捐赠 · 助学基金", "北京市朝阳区养老服务协会", None),
    ("donation", "孙* 捐赠 · 助学基金", "北京市朝阳区养老服务协会", 4),
    ("charity_project", "助学行动", "北京市通州区养老服务协会 朝阳", 30),
    ("organization", "北京市西城区志愿服务联合会", "志愿服务", 8),
    # "yl" inside a word of the title: no title tier (a Latin word starts a token); the body's.
    ("organization", "Taylor 养老院", "社会福利", 6),
]
QUERIES = ["养老", "养老计划", "养老服务", "朝阳 养老", "yanglao", "yl", "助学", "服务"]


@pytest.fixture
def entries(settings):
    stamp = timezone.now()
    backend = DatabaseBackend()
    for number, (key, title, body, days) in enumerate(ROWS, start=1):
        date = None if days is None else TODAY - datetime.timedelta(days=days)
        backend.upsert(
            registry.get_type(key),
            [(number, Entry(title=title, body=body, url=f"/e/{number}/", date=date))],
            stamp,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchentry")
        # The planner's count of entries, as this process last read it, is of an earlier test's
        # table: read it again.
        postgres_plans._ENTRIES.clear()


def reference(query):
    """Every match of ``query`` in the ranking's order, sorted in Python."""
    words = terms(query)
    cjk = any("\u4e00" <= ch <= "\u9fff" for word in words for ch in word)
    order = {t.key: t.order for t in registry.document_types()}
    latin = query_phrases(query)[1]

    def rank(title):
        upper, wanted = title.upper(), query.upper()
        tokens = title_tokens(title).split()
        if not all(any(token.startswith(word) for token in tokens) for word in latin):
            return 4  # a Latin word of the query starts none of the title's words
        if upper == wanted:
            return 0
        if upper.startswith(wanted):
            return 1
        if wanted in upper:
            return 2
        if len(words) > 1 and cjk and all(word.upper() in upper for word in words):
            return 3
        return 4

    rows = list(matching(SearchEntry.objects.all(), query, words))
    return [
        row.title + " " + row.url
        for row in sorted(
            rows,
            key=lambda row: (
                rank(row.title),
                order[row.doc_type],
                row.date is None,
                -(row.date.toordinal() if row.date else 0),
                row.title,
                row.pk,
            ),
        )
    ]


def shown(query, per_page, doc_type=None):
    """Every page's hits, as the backend returns them, until the total it reports."""
    backend = DatabaseBackend()
    first = backend.search(query, language="zh-hans", per_page=per_page, doc_type=doc_type)
    if not first.page_obj:
        return [], 0, 0
    pages = first.page_obj.paginator.num_pages
    hits = []
    for number in range(1, pages + 1):
        page = backend.search(query, language="zh-hans", per_page=per_page, page=number, doc_type=doc_type)
        hits += [hit.title + " " + hit.url for hit in page.page_obj]
    return hits, first.page_obj.paginator.count, pages


@pytest.mark.parametrize("per_page", [2, 5])
@pytest.mark.parametrize("cap", [1, 2, 3, 1000])
@pytest.mark.parametrize("query", QUERIES)
def test_every_page_holds_what_the_ranking_puts_there_on_either_path(entries, settings, query, cap, per_page):
    """A tier just above the cap may end within the last page (养老计划 with a cap of 1 and 5
    a page: two exact titles, then two that contain it): the page goes on into the next tiers."""
    settings.SEARCH_COUNT_CAP = cap
    expected = reference(query)
    assert expected, query  # every query of the list matches something
    hits, total, pages = shown(query, per_page=per_page)
    # The total shown stops at cap + 1, and the pages it makes hold the ranking's first entries.
    assert total == min(len(expected), cap + 1)
    assert hits == expected[: pages * per_page]


@pytest.mark.parametrize("cap", [2, 1000])
def test_a_type_tab_keeps_the_ranking_within_its_type(entries, settings, cap):
    settings.SEARCH_COUNT_CAP = cap
    donations = {f"/e/{number}/" for number, row in enumerate(ROWS, start=1) if row[0] == "donation"}
    expected = [hit for hit in reference("养老") if hit.split(" ")[-1] in donations]
    hits, _total, pages = shown("养老", per_page=2, doc_type="donation")
    assert hits and hits == expected[: pages * 2]


def test_the_exact_title_comes_first_and_an_undated_entry_last_within_its_tier(entries):
    hits, _total, _pages = shown("养老", per_page=50)
    titles = [hit.split(" /")[0] for hit in hits]
    # Exact titles first; within that tier the type order decides, so the organisation (20)
    # comes before the donation (40) although the donation is dated and newer.
    assert titles[:2] == ["养老", "养老"]
    assert hits[0].endswith("/e/2/") and hits[1].endswith("/e/1/")
    # Within the body tier, the donation without a date comes after the dated ones.
    body = [hit for hit in hits if "助学基金" in hit]
    assert body[-1].startswith("钱*")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's plans")
def test_postgresql_reads_a_dense_tier_along_the_ranking_index(entries, settings):
    """With a cap below the tier's size, the tier is read along the ranking index, with the
    stored tsvector as the filter: no sort, no to_tsvector per row."""
    from django.test.utils import CaptureQueriesContext

    settings.SEARCH_COUNT_CAP = 2
    with CaptureQueriesContext(connection) as captured:
        DatabaseBackend().search("yanglao", language="zh-hans", per_page=2)
    walks = [
        q["sql"] for q in captured.captured_queries if "ORDER BY" in q["sql"] and "tokens_tsv" in q["sql"]
    ]
    assert walks
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {walks[-1]}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_entry_ranking" in plan and "Sort" not in plan, plan


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's plans")
# Not analysed first: SQLite keeps the statistics it loaded in memory after a test's rollback.
@pytest.mark.parametrize("analysed", [False, True])
def test_sqlite_reads_a_dense_tier_along_the_ranking_index_and_titles_through_their_index(
    entries, settings, analysed
):
    """Migration 0005: with a cap below the tiers' sizes, each walk reads the ranking index in
    order (no sort of the matches), the exact and prefix tiers use the title's ``NOCASE``
    index, and a title tier is sampled through the title's FTS5 table. The same without
    statistics (a database never analysed): the type is compared so that no index serves it
    (``of_types``), which would otherwise have been SQLite's choice."""
    from django.test.utils import CaptureQueriesContext

    if analysed:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchentry")
    settings.SEARCH_COUNT_CAP = 2
    plans = {}
    for query in ("养老", "yanglao"):
        with CaptureQueriesContext(connection) as captured:
            DatabaseBackend().search(query, language="zh-hans", per_page=2)
        for sql in (q["sql"] for q in captured.captured_queries):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                plans[sql] = " | ".join(row[-1] for row in cursor.fetchall())
    # The walks: read in the ranking's order, not a sort of primary keys already found.
    ranked = [
        plan
        for sql, plan in plans.items()
        if '"search_searchentry"."type_order" ASC' in sql and '"search_searchentry"."id" IN (' not in sql
    ]
    # "yanglao" has no title tier (titles hold no pinyin): its body tier is walked, the matches
    # an IN list that SQLite checks row by row along the index.
    assert ranked, plans
    for plan in ranked:
        assert "search_entry_ranking" in plan and "TEMP B-TREE" not in plan, plan
    # The exact tier's sample: the title index, not the matches.
    exact = [
        plan
        for sql, plan in plans.items()
        if sql.startswith('SELECT "search_searchentry"."id" AS "pk" FROM "search_searchentry" WHERE')
        and "search_searchentry_fts" not in sql
        and " LIKE '养老' ESCAPE" in sql
        and "NOT" not in sql
    ]
    assert exact and all("search_entry_title_nocase" in plan for plan in exact), plans
    assert any(
        "search_searchentry_title_fts" in sql and "VIRTUAL TABLE" in plan for sql, plan in plans.items()
    )


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's narrow matching table")
@pytest.mark.parametrize("cap", [1, 3, 1000])
@pytest.mark.parametrize("query", QUERIES)
def test_postgresql_counts_read_the_narrow_table_when_the_table_is_read(entries, settings, query, cap):
    """``SEARCH_WALK_SHARE`` 0: every sample reads the table instead of the GIN index, and the
    counts' sample reads the narrow table (migration 0006) instead of the wide entries. The
    counts, the total and every page are the same as the reference's."""
    from django.test.utils import CaptureQueriesContext

    settings.SEARCH_COUNT_CAP = cap
    settings.SEARCH_WALK_SHARE = 0
    expected = reference(query)
    with CaptureQueriesContext(connection) as captured:
        hits, total, pages = shown(query, per_page=2)
    assert total == min(len(expected), cap + 1)
    assert hits == expected[: pages * 2]
    assert any('FROM "search_searchmatch"' in q["sql"] for q in captured.captured_queries)
    if cap == 1000:
        by_type = {}
        for number, row in enumerate(ROWS, start=1):
            if any(hit.endswith(f" /e/{number}/") for hit in expected):
                by_type[row[0]] = by_type.get(row[0], 0) + 1
        counts = DatabaseBackend().search(query, language="zh-hans").counts
        assert {count.key: count.count for count in counts} == by_type


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's estimates")
@pytest.mark.parametrize("per_page", [2, 5])
@pytest.mark.parametrize("cap", [1, 2, 3, 1000])
@pytest.mark.parametrize("query", [query for query in QUERIES if len(terms(query)) == 1])
def test_a_tier_the_planner_wrongly_expects_dense_still_gives_every_page_the_ranking(
    entries, settings, query, cap, per_page
):
    """``SEARCH_DENSE_FACTOR`` 0 trusts every estimate: the "title contains" tier is read along
    the ranking index without a sample even when it holds a single entry or none, so a page may
    start after the tier's end. The pages must not change."""
    settings.SEARCH_COUNT_CAP = cap
    settings.SEARCH_DENSE_FACTOR = 0
    expected = reference(query)
    hits, total, pages = shown(query, per_page=per_page)
    assert total == min(len(expected), cap + 1)
    assert hits == expected[: pages * per_page]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's estimates")
@pytest.mark.parametrize("factor, sampled", [(0, False), (10**9, True)])
def test_a_tier_the_planner_expects_dense_is_walked_without_a_sample(entries, settings, factor, sampled):
    """A one-word query's "title contains" tier that the planner expects to hold at least
    ``SEARCH_DENSE_FACTOR`` times the cap is not sampled first: one read of the table fewer."""
    from django.test.utils import CaptureQueriesContext

    settings.SEARCH_DENSE_FACTOR = factor
    with CaptureQueriesContext(connection) as captured:
        DatabaseBackend().search("养老", language="zh-hans", per_page=5)
    contains_samples = [
        q["sql"]
        for q in captured.captured_queries
        if "LIKE UPPER('%养老%')" in q["sql"] and "LIMIT 1001" in q["sql"] and "EXPLAIN" not in q["sql"]
    ]
    assert bool(contains_samples) is sampled, "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's narrow matching table")
def test_postgresql_a_walk_starts_past_the_leading_types_that_hold_no_match(entries, settings):
    """No provider holds 助学: the walk along the ranking index starts at the first type after
    them that may hold it (migration 0007's index answers for the providers without reading a
    row), and every page is still the reference's."""
    from django.test.utils import CaptureQueriesContext

    settings.SEARCH_COUNT_CAP = 1  # every tier with more than one entry is walked
    expected = reference("助学")
    with CaptureQueriesContext(connection) as captured:
        hits, total, pages = shown("助学", per_page=2)
    assert hits == expected[: pages * 2]
    assert total == 2
    walks = [  # the reads along the ranking index (a sorted tier is read by its ids)
        q["sql"]
        for q in captured.captured_queries
        if "ORDER BY" in q["sql"] and "type_order" in q["sql"] and '"id" IN (' not in q["sql"]
    ]
    first_numerous = min(t.order for t in registry.document_types() if t.numerous)
    assert walks, "no walk along the ranking index"
    assert all(f'"type_order" >= {first_numerous}' in sql for sql in walks), walks
    asked = [q["sql"] for q in captured.captured_queries if 'FROM "search_searchmatch"' in q["sql"]]
    assert any("'provider'" in sql and "LIMIT 1" in sql for sql in asked), asked


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's narrow matching table")
def test_postgresql_walk_start_skips_only_types_that_hold_no_match(entries):
    from search.backends.database import walk_start

    few = [t for t in registry.document_types() if not t.numerous]
    order = {t.key: t.order for t in few}
    phrases, prefixes, _exact = query_phrases("助学")
    # No provider holds 助学; an organisation does (北京市朝阳区助学促进会).
    assert walk_start(few, phrases, prefixes) == order["organization"]
    # The providers hold 养老 (and its pinyin): nothing is skipped.
    for query in ("养老", "yanglao"):
        phrases, prefixes, _exact = query_phrases(query)
        assert walk_start(few, phrases, prefixes) is None
    # A word no entry holds: every type is skipped.
    phrases, prefixes, _exact = query_phrases("殡仪馆")
    assert walk_start(few, phrases, prefixes) == few[-1].order + 1
    # A type declared numerous is never asked: the walk may start there.
    everything = list(registry.document_types())
    phrases, prefixes, _exact = query_phrases("助学")
    assert walk_start(everything, phrases, prefixes) == min(t.order for t in everything if t.numerous)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's indexes")
def test_postgresql_the_few_types_index_lists_exactly_the_types_not_declared_numerous(entries):
    """Migration 0007's partial index holds the registry's types that are not ``numerous``, and a
    type's question is answered from it alone (no row read for a type without the word)."""
    import importlib

    few_index = importlib.import_module("search.migrations.0007_few_types_index")
    assert set(few_index.FEW_TYPES) == {t.key for t in registry.document_types() if not t.numerous}
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_match_few'")
        (definition,) = cursor.fetchone()
    assert all(f"'{key}'" in definition for key in few_index.FEW_TYPES)
    assert not any(f"'{t.key}'" in definition for t in registry.document_types() if t.numerous)
    phrases, prefixes, _exact = query_phrases("助学")
    with postgres_plans.index_plans(True), connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1 FROM search_searchmatch WHERE doc_type = 'provider' "
            "AND tokens_tsv @@ to_tsquery('simple'::regconfig, %s) LIMIT 1",
            [_raw_tsquery(phrases, prefixes)],
        )
        (plan,) = cursor.fetchone()[0]
    assert "search_match_few" in str(plan)
    assert plan["Plan"]["Actual Rows"] == 0
