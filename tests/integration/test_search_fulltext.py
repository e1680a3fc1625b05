"""The embedded search's full-text index (issue 14, goal 2): pinyin, two-character Chinese,
exact codes, and each database's own index actually in the query (PostgreSQL GIN over
``to_tsvector``; SQLite FTS5 kept in step by triggers).

Runs on both databases; each test says which database's mechanism it proves."""

import pytest
from django.db import connection

from search.backends.database import DatabaseBackend
from search.models import SearchEntry
from search.text import index_tokens, query_phrases
from tests.factories.charity import CharityFactory, CharityProjectFactory
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def found(query):
    page = DatabaseBackend().search(query, language="zh-hans").page_obj
    return [hit.title for hit in page] if page else []


@pytest.fixture
def orgs(committed):
    with committed():
        tongzhou = OrganizationFactory(name="北京市通州区养老服务中心")
        haidian = OrganizationFactory(name="北京市海淀区青少年助学促进会")
        OrganizationFactory(name="北京市西城区志愿服务联合会")
    return tongzhou, haidian


def test_tokens_are_plain_ascii_words_so_every_database_keeps_them_whole():
    tokens = index_tokens("通州区养老", "USCC 91110112MA01ABCD1X").split()
    assert all(token.isascii() and token.isalnum() and token == token.lower() for token in tokens)
    assert {"tongzhou", "tz", "yanglao", "yl", "91110112ma01abcd1x"} <= set(tokens)
    # Each adjacent pair of Chinese characters: 通州 州区 区养 养老.
    assert [t for t in tokens if t.startswith("z")] == index_tokens("通州区养老").split()[:4]
    # A single character has no bigram: the index can't decide it (the text is checked).
    assert query_phrases("王") == ([], [], False)
    assert query_phrases("养老 tz") == ([["z0517b08001"]], ["tz"], True)


@pytest.mark.parametrize("query", ["yanglao", "tongzhou", "yl", "tz", "YangLao", "tongzhou yanglao"])
def test_full_pinyin_and_initials_find_the_chinese_name(orgs, query):
    assert found(query) == ["北京市通州区养老服务中心"]


def test_pinyin_that_no_name_has_finds_nothing(orgs):
    assert found("yueqiu") == [] and found("yqzx") == []  # 月球, 月球中心


def test_two_character_chinese_is_found_inside_a_longer_word(committed):
    with committed():
        CharityProjectFactory(
            name="乡村学生资助学费项目",
            organization=CharityFactory(name="北京示例教育基金会"),
            description="为乡村学生提供学费",
        )
        OrganizationFactory(name="北京市海淀区青少年助学促进会")
    # 助学 is not a jieba word of 资助学费, but it is a substring, as before the index.
    assert set(found("助学")) == {"北京市海淀区青少年助学促进会", "乡村学生资助学费项目"}
    assert found("学助") == []


def test_a_uscc_finds_exactly_its_organisation(orgs):
    tongzhou, haidian = orgs
    assert found(tongzhou.uscc) == ["北京市通州区养老服务中心"]
    assert found(haidian.uscc.lower()) == ["北京市海淀区青少年助学促进会"]
    assert found(tongzhou.uscc[:-1] + "Z" if tongzhou.uscc[-1] != "Z" else tongzhou.uscc[:-1] + "Y") == []


def test_a_longer_word_is_found_only_where_its_characters_are_adjacent(committed):
    with committed():
        OrganizationFactory(name="北京市青少年示例中心")
        # Both bigrams of 青少年 (青少, 少年) occur, but in two runs of text: not the word.
        OrganizationFactory(name="北京市青少·少年示例协会")
    assert found("青少年") == ["北京市青少年示例中心"]
    assert set(found("少年")) == {"北京市青少年示例中心", "北京市青少·少年示例协会"}


def test_counts_stop_at_the_cap_and_say_there_are_more(committed, client, settings):
    settings.SEARCH_COUNT_CAP = 2
    with committed():
        for district in ("东城区", "西城区", "朝阳区"):
            OrganizationFactory(name=f"北京市{district}封顶示例协会")
        CharityProjectFactory(name="封顶示例项目")
    results = DatabaseBackend().search("封顶示例", language="zh-hans")
    # The counts come from the first cap + 1 matches: each is a lower bound ("n+").
    assert results.capped and results.total == 3
    assert all(count.capped for count in results.counts)
    html = client.get("/search/", {"q": "封顶示例"}).content.decode()
    assert "“封顶示例”找到超过 3 条结果" in html and "+</span>" in html
    # Under the cap the counts are exact and nothing says "more".
    settings.SEARCH_COUNT_CAP = 10
    results = DatabaseBackend().search("封顶示例", language="zh-hans")
    counts = {count.key: (count.count, count.capped) for count in results.counts}
    assert counts == {"organization": (3, False), "charity_project": (1, False)}
    html = client.get("/search/", {"q": "封顶示例"}).content.decode()
    assert "“封顶示例”共找到 4 条结果" in html and "+</span>" not in html


def test_single_character_query_still_answers_without_the_index(orgs):
    assert "北京市通州区养老服务中心" in found("养")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's GIN index")
def test_postgresql_answers_through_the_gin_index(orgs):
    from search.backends.database import full_text

    phrases, prefixes, _exact = query_phrases("养老 tz")
    narrowed, decided = full_text(SearchEntry.objects.all(), phrases, prefixes)
    assert decided
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would otherwise be scanned
        sql, params = narrowed.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_entry_tokens_tsv" in plan, plan


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's planner settings")
def test_postgresql_search_selects_no_tsvector_and_plans_with_its_own_settings(orgs, settings):
    from django.test.utils import CaptureQueriesContext

    settings.SEARCH_WORK_MEM = "48MB"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '8MB'")
        with CaptureQueriesContext(connection) as captured:
            assert "北京市通州区养老服务中心" in found("养老")
        cursor.execute("SELECT current_setting('work_mem'), current_setting('enable_seqscan')")
        assert cursor.fetchone() == ("8MB", "on")  # the caller's settings are back
    sql = [query["sql"] for query in captured.captured_queries]
    assert any("48MB" in query for query in sql)  # an exact bitmap for a common word
    searches = [query for query in sql if "search_searchentry" in query and "tokens_tsv" in query]
    # The stored tsvector (migration 0004) is only ever in the WHERE clause, never selected or
    # computed per row: a selected tsvector was computed for every match before sorting them.
    assert searches and not any("to_tsvector" in query for query in searches), searches
    assert not any("tokens_tsv" in query.split(" FROM ")[0] for query in searches), searches


def _fts5_count(table, word):
    """Entries the SQLite FTS5 ``table`` finds for ``word`` (one Chinese word or Latin token)."""
    phrases, prefixes, _exact = query_phrases(word)
    match = " ".join([*(f'"{" ".join(bigrams)}"' for bigrams in phrases), *(f'"{p}"' for p in prefixes)])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH %s", [match])  # noqa: S608 - a fixed table
        return cursor.fetchone()[0]


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's FTS5 tables")
def test_sqlite_fts5_tables_follow_inserts_updates_and_deletes(committed):
    """Both FTS5 tables (the tokens', migration 0002, and the title's, migration 0005) are
    kept in step with the index by their triggers."""
    tokens, title = "search_searchentry_fts", "search_searchentry_title_fts"
    with committed():
        org = OrganizationFactory(name="北京市通州区养老服务中心")
    assert found("tongzhou") == ["北京市通州区养老服务中心"]
    assert _fts5_count(title, "通州") == 1
    with committed():
        org.name = "北京市顺义区养老服务中心"
        org.save()
    assert found("tongzhou") == [] and found("shunyi") == ["北京市顺义区养老服务中心"]
    assert (_fts5_count(tokens, "shunyi"), _fts5_count(title, "顺义"), _fts5_count(title, "通州")) == (
        1,
        1,
        0,
    )
    # The title's table holds the title only: no pinyin, no body.
    assert _fts5_count(title, "shunyi") == 0
    with committed():
        org.delete()
    assert found("shunyi") == []
    assert (_fts5_count(tokens, "shunyi"), _fts5_count(title, "顺义")) == (0, 0)


def _narrow_rows():
    """The narrow matching table (migration 0006) beside the entries, as comparable tuples."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, doc_type, languages, tokens_tsv::text FROM search_searchmatch ORDER BY id")
        narrow = cursor.fetchall()
        cursor.execute("SELECT id, doc_type, languages, tokens_tsv::text FROM search_searchentry ORDER BY id")
        return narrow, cursor.fetchall()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's narrow matching table")
def test_postgresql_narrow_match_table_follows_inserts_updates_deletes_and_truncate(committed):
    """Its triggers keep it equal to the entries' matching columns in the same transaction, so
    the counts it answers are never of a deleted or changed entry."""
    with committed():
        org = OrganizationFactory(name="北京市通州区养老服务中心")
        OrganizationFactory(name="北京市西城区志愿服务联合会")
    narrow, entries = _narrow_rows()
    assert len(entries) == 2 and narrow == entries
    with committed():
        org.name = "北京市顺义区养老服务中心"
        org.save()
    narrow, entries = _narrow_rows()
    assert narrow == entries and any("shunyi" in row[3] for row in narrow)
    assert not any("tongzhou" in row[3] for row in narrow)
    SearchEntry.objects.filter(pk=entries[0][0]).update(languages=" en ")
    narrow, entries = _narrow_rows()
    assert narrow == entries and narrow[0][2] == " en "
    with committed():
        org.delete()
    narrow, entries = _narrow_rows()
    assert len(entries) == 1 and narrow == entries
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_searchentry")
    assert _narrow_rows() == ([], [])


def test_elasticsearch_mapping_indexes_pinyin_and_initials_of_ik_words(settings):
    from search.backends.elasticsearch import ElasticsearchBackend

    settings.SEARCH_ELASTICSEARCH_PINYIN = True
    mapping = ElasticsearchBackend().document._index.to_dict()
    analysis = mapping["settings"]["analysis"]
    assert analysis["analyzer"]["platform_pinyin"] == {
        "type": "custom",
        "tokenizer": "ik_max_word",
        "filter": ["platform_pinyin_forms"],
    }
    forms = analysis["filter"]["platform_pinyin_forms"]
    assert forms["type"] == "pinyin"
    assert forms["keep_joined_full_pinyin"] and forms["keep_first_letter"]  # tongzhou, tz
    assert not forms["keep_full_pinyin"] and not forms["keep_original"]
    for field in ("title", "body", "extra"):
        pinyin = mapping["mappings"]["properties"][field]["fields"]["pinyin"]
        assert pinyin == {"type": "text", "analyzer": "platform_pinyin", "search_analyzer": "standard"}


def test_elasticsearch_asks_the_pinyin_fields_only_for_a_latin_query(settings):
    from search.backends.elasticsearch import PINYIN_FIELDS, ElasticsearchBackend

    settings.SEARCH_ELASTICSEARCH_PINYIN = True

    def pinyin_clauses(query):
        should = ElasticsearchBackend().build_search(query).to_dict()["query"]["bool"]["should"]
        return [c for c in should if c.get("multi_match", {}).get("fields") == PINYIN_FIELDS]

    assert pinyin_clauses("tongzhou yl") == [
        {
            "multi_match": {
                "query": "tongzhou yl",
                "fields": ["title.pinyin^3", "body.pinyin", "extra.pinyin"],
                "type": "bool_prefix",
                "operator": "and",
            }
        }
    ]
    assert pinyin_clauses("通州 养老") == []


def test_elasticsearch_without_the_pinyin_plugin_has_no_pinyin_fields(settings):
    from search.backends.elasticsearch import ElasticsearchBackend

    settings.SEARCH_ELASTICSEARCH_PINYIN = False
    mapping = ElasticsearchBackend().document._index.to_dict()
    assert "analysis" not in mapping["settings"]
    assert "pinyin" not in mapping["mappings"]["properties"]["title"]["fields"]
    assert "fields" not in mapping["mappings"]["properties"]["body"]
    should = ElasticsearchBackend().build_search("tongzhou").to_dict()["query"]["bool"]["should"]
    assert all("title.pinyin^3" not in c.get("multi_match", {}).get("fields", []) for c in should)


def test_a_query_mixing_chinese_and_pinyin_needs_both(orgs):
    assert found("通州 yanglao") == ["北京市通州区养老服务中心"]
    assert found("海淀 yanglao") == []
