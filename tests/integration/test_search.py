"""The site-wide search: /search/?q=, the registry of document types, index sync, both backends.

Index updates run on transaction commit; inside a test's transaction they are run with
``django_capture_on_commit_callbacks(execute=True)`` (the ``committed`` fixture).
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from orgs.charity.models import Donation
from orgs.registry.models import OrgType
from search import registry
from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend
from search.index import entries, index_objects, rebuild
from search.models import SearchEntry
from search.text import terms
from tests.factories.catalogue import ProviderFactory, make_item
from tests.factories.charity import CharityFactory, CharityProjectFactory, DonationFactory
from tests.factories.cms import make_guide, make_home_page, make_news
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db

SECRET_DONOR = "钱多多隐名"


@pytest.fixture(autouse=True)
def _site():
    return make_home_page()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the index updates scheduled with on_commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def results(response):
    """(type label, title, url) of each result on a results page."""
    html = response.content.decode()
    return [
        (label, re.sub(r"<[^>]+>", "", title), url)
        for url, title, label in re.findall(
            r'<li class="search-result">\s*<h2><a href="([^"]+)">(.*?)</a></h2>\s*<p class="meta">\s*'
            r'<span class="badge badge-guide">([^<]+)</span>',
            html,
            re.S,
        )
    ]


def titles(response):
    return [title for _label, title, _url in results(response)]


def test_finds_a_provider_by_name_and_by_a_service_it_posts(client, committed):
    with committed():
        provider = ProviderFactory(name="京北示例殡仪馆", slug="jingbei", address="昌平区示例路8号")
        make_item(provider, "urn", name="环保骨灰盒")
    response = client.get("/search/", {"q": "京北示例殡仪馆"})
    assert results(response) == [("殡葬服务机构", "京北示例殡仪馆", "/funeral/providers/jingbei/")]
    assert titles(client.get("/search/", {"q": "环保骨灰盒"})) == ["京北示例殡仪馆"]
    assert titles(client.get("/search/", {"q": "昌平区示例路"})) == ["京北示例殡仪馆"]


def test_finds_an_organisation_by_name_and_by_uscc(client, committed):
    with committed():
        org = OrganizationFactory(name="北京市朝阳区养老服务协会")
        OrganizationFactory(name="北京市西城区志愿服务联合会")
    assert results(client.get("/search/", {"q": "朝阳区养老服务协会"})) == [
        ("社会组织", "北京市朝阳区养老服务协会", f"/orgs/{org.uscc}/")
    ]
    assert titles(client.get("/search/", {"q": org.uscc})) == ["北京市朝阳区养老服务协会"]
    assert titles(client.get("/search/", {"q": org.uscc.lower()})) == ["北京市朝阳区养老服务协会"]


def test_chinese_multi_word_query_is_split_by_jieba(client, committed):
    with committed():
        OrganizationFactory(name="北京市朝阳区养老服务协会")
        OrganizationFactory(name="北京市海淀区智慧养老研究院", org_type=OrgType.SOCIAL_SERVICE)
    # Neither query occurs as such in the name; every jieba word does.
    assert set(terms("朝阳区养老协会")) >= {"朝阳区", "养老", "协会"}
    assert titles(client.get("/search/", {"q": "朝阳区养老协会"})) == ["北京市朝阳区养老服务协会"]
    assert titles(client.get("/search/", {"q": "协会 朝阳"})) == ["北京市朝阳区养老服务协会"]
    assert sorted(titles(client.get("/search/", {"q": "养老"}))) == [
        "北京市朝阳区养老服务协会",
        "北京市海淀区智慧养老研究院",
    ]
    assert titles(client.get("/search/", {"q": "火星 养老"})) == []


def test_finds_a_charity_project_and_a_named_donor(client, committed):
    with committed():
        project = CharityProjectFactory(
            name="困境儿童助学计划",
            organization=CharityFactory(name="北京敬老助老基金会"),
            description="资助学费",
        )
        DonationFactory(project=project, donor_name="赵明远", amount=Decimal("800.00"))
    assert ("慈善项目", "困境儿童助学计划", f"/charity/projects/{project.pk}/") in results(
        client.get("/search/", {"q": "助学计划"})
    )
    assert titles(client.get("/search/", {"q": "困境儿童助学计划"}))[0] == "困境儿童助学计划"
    found = results(client.get("/search/", {"q": "赵明远"}))
    assert found == [("慈善捐赠", "赵明远 捐赠 · 困境儿童助学计划", f"/charity/projects/{project.pk}/")]
    # The organisation's name finds its projects too.
    assert "困境儿童助学计划" in titles(client.get("/search/", {"q": "敬老助老基金会"}))


def test_finds_a_live_guide_page_by_its_body_text(client, committed, _site):
    with committed():
        guide = make_guide(_site, search_description="开具火化证明的办事指南")
    response = client.get("/search/", {"q": "居民死亡医学证明书"})
    assert results(response) == [("办事指南", "火化证明开具", guide.url)]
    assert "<mark>居民死亡医学证明书</mark>" in response.content.decode()
    assert titles(client.get("/search/", {"q": "开具火化证明的办事指南"})) == ["火化证明开具"]


def test_page_text_comes_from_rich_text_and_blocks_without_choice_codes(client, committed, _site):
    with committed():
        make_guide(
            _site, faqs=[("faq", {"question": "要带什么？", "answer": "<p>请带<b>身份证原件</b>。</p>"})]
        )
    assert titles(client.get("/search/", {"q": "请带身份证原件"})) == ["火化证明开具"]
    # The materials' choice values are codes, not words: not indexed.
    assert titles(client.get("/search/", {"q": "original_and_copy"})) == []


def test_c4_anonymous_donor_name_never_in_search(client, committed):
    with committed():
        project = CharityProjectFactory(name="社区助老餐桌")
        DonationFactory(project=project, donor_name=SECRET_DONOR, anonymous=True, receipt_number="NM0001")
        DonationFactory(project=project, donor_name="公开捐赠人甲", anonymous=False)
    # Not in the embedded index, in any field.
    assert SearchEntry.objects.filter(doc_type="donation").count() == 2
    for row in SearchEntry.objects.values("title", "body", "extra", "url"):
        assert SECRET_DONOR not in json.dumps(row, ensure_ascii=False)
    assert not SearchEntry.objects.filter(Q(title__contains="钱多多") | Q(body__contains="钱多多")).exists()
    # Not in results: searching the real name finds nothing.
    assert results(client.get("/search/", {"q": SECRET_DONOR})) == []
    assert results(client.get("/search/", {"q": "钱多多"})) == []
    # Searching 匿名 finds the donation, shown as 匿名, never with the real name.
    response = client.get("/search/", {"q": "匿名"})
    assert ("慈善捐赠", "匿名 捐赠 · 社区助老餐桌", f"/charity/projects/{project.pk}/") in results(response)
    assert "钱多多" not in response.content.decode()
    # Not in what the Elasticsearch backend would send either.
    donation_type = registry.get_type("donation")
    rows = entries(donation_type, donation_type.public_queryset())
    bodies = [
        d.to_dict(include_meta=True)
        for d in ElasticsearchBackend().documents(donation_type, rows, timezone.now())
    ]
    assert len(bodies) == 2
    assert "钱多多" not in json.dumps(bodies, ensure_ascii=False, default=str)
    assert {b["_source"]["title"] for b in bodies} == {
        "匿名 捐赠 · 社区助老餐桌",
        "公开捐赠人甲 捐赠 · 社区助老餐桌",
    }
    # And a rebuild reads the same public fields.
    rebuild()
    assert not SearchEntry.objects.filter(Q(title__contains="钱多多") | Q(body__contains="钱多多")).exists()


def test_a_correction_supersedes_the_old_donation_in_the_index(client, committed):
    with committed():
        original = DonationFactory(donor_name="李四海", anonymous=False, amount=Decimal("500.00"))
    assert titles(client.get("/search/", {"q": "李四海"})) == [f"李四海 捐赠 · {original.project.name}"]
    # The donor asked to be anonymous: a correction row replaces the public record (append-only).
    with committed():
        correction = DonationFactory(
            project=original.project,
            donor_name="李四海",
            anonymous=True,
            amount=Decimal("500.00"),
            receipt_number=original.receipt_number,
            corrects=original,
        )
    assert not SearchEntry.objects.filter(object_key=f"charity.donation:{original.pk}").exists()
    assert SearchEntry.objects.filter(object_key=f"charity.donation:{correction.pk}").exists()
    assert results(client.get("/search/", {"q": "李四海"})) == []
    assert not SearchEntry.objects.filter(body__contains="李四海").exists()
    rebuild()
    assert list(SearchEntry.objects.filter(doc_type="donation").values_list("object_key", flat=True)) == [
        f"charity.donation:{correction.pk}"
    ]


def test_unpublished_provider_and_non_live_page_are_not_found(client, committed, _site):
    with committed():
        ProviderFactory(name="未公开示例殡仪馆", is_published=False)
        shown = ProviderFactory(name="已公开示例殡仪馆")
        make_guide(_site, title="草稿示例指南", slug="draft-guide", service_name="草稿示例指南", live=False)
        live = make_guide(_site, title="已发布示例指南", slug="live-guide", service_name="已发布示例指南")
    assert titles(client.get("/search/", {"q": "示例殡仪馆"})) == ["已公开示例殡仪馆"]
    assert titles(client.get("/search/", {"q": "示例指南"})) == ["已发布示例指南"]
    # Withdrawing either takes it out of the index.
    with committed():
        shown.is_published = False
        shown.save()
        live.unpublish()
    assert titles(client.get("/search/", {"q": "示例殡仪馆"})) == []
    assert titles(client.get("/search/", {"q": "示例指南"})) == []


def test_index_objects_indexes_bulk_created_rows(client, committed):
    project = CharityProjectFactory(name="批量导入示例项目")
    rows = [
        Donation(
            organization=project.organization,
            project=project,
            donor_name=name,
            anonymous=anonymous,
            amount=Decimal("100.00"),
            donated_on=datetime.date(2026, 2, 1),
            channel=Donation.Channel.BANK,
            receipt_number=f"BULK{n:04d}",
        )
        for n, (name, anonymous) in enumerate([("导入捐赠人甲", False), ("导入隐名乙", True)])
    ]
    with committed():
        created = Donation.objects.bulk_create(rows)
    # bulk_create sends no signals ...
    assert not SearchEntry.objects.filter(doc_type="donation").exists()
    with committed():
        index_objects(created)
    assert SearchEntry.objects.filter(doc_type="donation").count() == 2
    assert titles(client.get("/search/", {"q": "导入捐赠人甲"})) == ["导入捐赠人甲 捐赠 · 批量导入示例项目"]
    assert results(client.get("/search/", {"q": "导入隐名乙"})) == []


def _bulk_donations(project, count):
    return Donation.objects.bulk_create(
        Donation(
            organization=project.organization,
            project=project,
            # No digit in the name: "2" would also match any token starting with it, such as a
            # factory sequence number in the organisation's name, which depends on test order.
            donor_name=f"后台索引捐赠人{'甲乙丙'[n]}",
            amount=Decimal("100.00"),
            donated_on=timezone.localdate(),
            channel=Donation.Channel.BANK,
            receipt_number=f"BG{n:04d}",
        )
        for n in range(count)
    )


def test_a_large_bulk_write_is_indexed_by_background_tasks_not_in_the_request(client, committed, settings):
    from django.tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.SEARCH_INLINE_INDEX_LIMIT = 2
    settings.SEARCH_REINDEX_BATCH_SIZE = 2
    project = CharityProjectFactory(name="后台索引示例项目")
    with committed():
        created = _bulk_donations(project, 3)
        index_objects(created)
    # The request is done, and nothing was indexed in it: three records, above the limit.
    assert not SearchEntry.objects.filter(doc_type="donation").exists()
    queued = [r for r in default_task_backend.results if r.task.name == "index_records"]
    pks = sorted(donation.pk for donation in created)
    assert [(r.task.name, r.args) for r in queued] == [
        ("index_records", ["donation", pks[:2]]),
        ("index_records", ["donation", pks[2:]]),
    ]
    for result in queued:  # what the task worker does
        result.task.call(*result.args)
    assert SearchEntry.objects.filter(doc_type="donation").count() == 3
    assert titles(client.get("/search/", {"q": "后台索引捐赠人丙"})) == [
        "后台索引捐赠人丙 捐赠 · 后台索引示例项目"
    ]


def test_a_small_bulk_write_is_indexed_when_it_commits(committed, settings):
    from django.tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.SEARCH_INLINE_INDEX_LIMIT = 3
    project = CharityProjectFactory(name="即时索引示例项目")
    with committed():
        index_objects(_bulk_donations(project, 3))
    assert SearchEntry.objects.filter(doc_type="donation").count() == 3
    assert [r for r in default_task_backend.results if r.task.name == "index_records"] == []


def test_a_bulk_write_is_indexed_inline_when_no_task_queue_takes_it(committed, settings):
    project = CharityProjectFactory(name="无队列示例项目")
    settings.TASKS = {}  # no backend: queuing fails, and the records must not be lost to search
    settings.SEARCH_INLINE_INDEX_LIMIT = 1
    with committed():
        index_objects(_bulk_donations(project, 2))
    assert SearchEntry.objects.filter(doc_type="donation").count() == 2


def test_rebuild_search_index_is_idempotent(client, _site):
    ProviderFactory(name="重建示例殡仪馆")
    OrganizationFactory(name="重建示例协会")
    DonationFactory(donor_name="重建捐赠人", anonymous=True)
    make_guide(_site)
    make_news(_site, title="重建示例通知")
    SearchEntry.objects.all().delete()
    SearchEntry.objects.create(
        doc_type="provider",
        object_key="catalogue.provider:999999",
        title="早已删除",
        url="/x/",
        updated=timezone.now(),
    )
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = sorted(SearchEntry.objects.values_list("doc_type", "object_key", "title"))
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    second = sorted(SearchEntry.objects.values_list("doc_type", "object_key", "title"))
    assert first == second
    assert {row[0] for row in first} == {
        "provider",
        "organization",
        "charity_project",
        "donation",
        "guide",
        "news",
    }
    assert "早已删除" not in [row[2] for row in first]
    assert titles(client.get("/search/", {"q": "重建示例通知"})) == ["重建示例通知"]


def test_results_are_grouped_by_type_with_counts_and_paginated(client, settings, committed):
    settings.SEARCH_PAGE_SIZE = 2
    with committed():
        for n in range(3):
            OrganizationFactory(name=f"北京市长青示例协会{n}")
        project = CharityProjectFactory(name="长青示例助老项目")
    html = client.get("/search/", {"q": "长青示例"}).content.decode()
    assert "共找到 4 条结果" in html
    assert re.search(r'aria-current="true">全部 <span class="count">4</span>', html)
    assert '社会组织 <span class="count">3</span>' in html
    assert '慈善项目 <span class="count">1</span>' in html
    # Filtered by type: only that type, pagination keeps the query and the type.
    response = client.get("/search/", {"q": "长青示例", "type": "organization"})
    assert [label for label, _t, _u in results(response)] == ["社会组织", "社会组织"]
    assert (
        "q=%E9%95%BF%E9%9D%92%E7%A4%BA%E4%BE%8B&amp;type=organization&amp;page=2" in response.content.decode()
    )
    page2 = client.get("/search/", {"q": "长青示例", "type": "organization", "page": 2})
    assert len(results(page2)) == 1
    only = client.get("/search/", {"q": "长青示例", "type": "charity_project"})
    assert results(only) == [("慈善项目", "长青示例助老项目", f"/charity/projects/{project.pk}/")]


def test_titles_rank_before_body_matches(client, committed):
    with committed():
        OrganizationFactory(name="北京市示例社区服务中心", business_scope="组织松柏示例活动")
        OrganizationFactory(name="北京市松柏示例协会")
    assert titles(client.get("/search/", {"q": "松柏示例"})) == [
        "北京市松柏示例协会",
        "北京市示例社区服务中心",
    ]


def test_within_a_rank_organisations_come_before_the_donations_that_share_the_word(client, committed):
    with committed():
        project = CharityProjectFactory(name="青松助学项目")
        for n in range(3):
            DonationFactory(project=project, donor_name=f"捐赠人{n}", receipt_number=f"QS-{n}")
        OrganizationFactory(name="北京青松助学促进会")
    found = results(client.get("/search/", {"q": "青松助学"}))
    # The project's title starts with the query (a better rank); the organisation's title and
    # the donations' titles contain it (the same rank), and there the organisation comes first.
    assert [label for label, _title, _url in found] == [
        "慈善项目",
        "社会组织",
        "慈善捐赠",
        "慈善捐赠",
        "慈善捐赠",
    ]


def test_empty_and_no_result_states_guide_the_user(client):
    html = client.get("/search/").content.decode()
    assert 'role="search"' in html
    assert '<label for="id_q">搜索内容</label>' in html
    assert "输入关键词后按“搜索”" in html
    assert 'class="search-result"' not in html
    none = client.get("/search/", {"q": "不存在的内容"}).content.decode()
    assert "没有找到与“不存在的内容”相关的公开信息" in none
    assert "用空格分开多个词" in none
    # The query is echoed escaped.
    assert "&lt;script&gt;" in client.get("/search/", {"q": "<script>"}).content.decode()


def test_header_search_box_is_labelled_and_works_without_javascript(client):
    html = client.get("/search/", {"q": "养老"}).content.decode()
    form = re.search(r'<form class="header-search" action="(/search/)" method="get" role="search"', html)
    assert form
    assert '<label for="header-search-q" class="visually-hidden">搜索关键词</label>' in html
    assert 'id="header-search-q" type="search" name="q"' in html
    english = client.get("/en/search/").content.decode()
    assert 'action="/en/search/"' in english


@pytest.mark.parametrize("count", [3, 30])
def test_query_count_is_flat(client, committed, django_assert_max_num_queries, count):
    with committed():
        for n in range(count):
            OrganizationFactory(name=f"北京市常青示例养老协会{n}")
            ProviderFactory(name=f"常青示例殡仪馆{n}")
    if connection.vendor == "postgresql":
        # The planner's statistics are this test's rows, not those another test analysed
        # (ANALYZE outlives a test's rollback): every match is then in the title tier, the
        # densest case, which samples and walks (search.backends.database): 13 of its queries
        # are the search's, 6 of them the planner settings around each sample and walk.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchentry")
    client.get("/search/", {"q": "常青示例"})  # warm caches (site, locales)
    with django_assert_max_num_queries(20 if connection.vendor == "postgresql" else 12):
        response = client.get("/search/", {"q": "常青示例"})
    assert f"共找到 {2 * count} 条结果" in response.content.decode()


def test_english_page_renders_translated_labels(client, committed):
    with committed():
        org = OrganizationFactory(name="北京市朝阳区养老服务协会")
    html = client.get("/en/search/", {"q": "养老"}).content.decode()
    assert '<html lang="en"' in html
    assert "Search" in html
    assert '<label for="id_q">Search for</label>' in html
    assert "Social organisations" in html
    assert "1 result" in html
    # Language-neutral records link to their English page.
    assert f'href="/en/orgs/{org.uscc}/"' in html
    empty = client.get("/en/search/", {"q": "不存在的内容"}).content.decode()
    assert "Nothing public matches" in empty


def test_english_search_shows_translated_pages_and_falls_back_to_chinese(client, committed, _site):
    from wagtail.models import Locale

    with committed():
        guide = make_guide(_site, title="火化证明开具")
        untranslated = make_news(_site, title="清明节祭扫示例通知")
        english = guide.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
        english.title = "Cremation certificate"
        english.save_revision().publish()
    assert titles(client.get("/search/", {"q": "火化证明"})) == ["火化证明开具"]
    assert titles(client.get("/en/search/", {"q": "Cremation"})) == ["Cremation certificate"]
    # The Chinese guide has an English translation, so English search shows that one only ...
    assert titles(client.get("/en/search/", {"q": "居民死亡医学证明书"})) == ["Cremation certificate"]
    # ... while an untranslated notice stands in for itself.
    assert titles(client.get("/en/search/", {"q": "清明节祭扫"})) == [untranslated.title]


# --- Elasticsearch: what the backend would send (no server runs here) ---------------------


def test_elasticsearch_documents_from_real_rows(committed, settings):
    settings.SEARCH_ELASTICSEARCH_INDEX = "platform-search-test"
    with committed():
        org = OrganizationFactory(name="北京市朝阳区养老服务协会")
    backend = ElasticsearchBackend()
    mapping = backend.document._index.to_dict()
    title = mapping["mappings"]["properties"]["title"]
    assert (title["analyzer"], title["search_analyzer"]) == ("ik_max_word", "ik_smart")
    assert mapping["mappings"]["properties"]["doc_type"] == {"type": "keyword"}
    org_type = registry.get_type("organization")
    stamp = timezone.now()
    [body] = [
        d.to_dict(include_meta=True) for d in backend.documents(org_type, entries(org_type, [org]), stamp)
    ]
    assert body["_index"] == "platform-search-test"
    assert body["_id"] == f"organization|registry.organization:{org.pk}"
    source = body["_source"]
    assert source["title"] == "北京市朝阳区养老服务协会"
    assert org.uscc in source["body"]
    assert source["url"] == f"/orgs/{org.uscc}/"
    assert source["languages"] == ["*"]
    # The same fields as the database backend's row.
    row = SearchEntry.objects.get(doc_type="organization", object_key=f"registry.organization:{org.pk}")
    assert (row.title, row.body, row.url, row.date) == (
        source["title"],
        source["body"],
        source["url"],
        datetime.date.fromisoformat(str(source["date"])[:10]),
    )


def test_elasticsearch_query_body(settings):
    settings.SEARCH_ELASTICSEARCH_INDEX = "platform-search-test"
    body = (
        ElasticsearchBackend()
        .build_search("朝阳区养老协会", doc_type="organization", offset=20, per_page=10, language="en")
        .to_dict()
    )
    should = body["query"]["bool"]["should"]
    assert body["query"]["bool"]["minimum_should_match"] == 1
    assert should[0] == {
        "multi_match": {
            "query": "朝阳区养老协会",
            "fields": ["title^3", "body", "extra"],
            "type": "phrase",
            "boost": 4,
        }
    }
    assert should[1]["multi_match"]["operator"] == "and"
    words = [clause["multi_match"]["query"] for clause in should[2]["bool"]["must"]]
    assert words == terms("朝阳区养老协会")
    filters = body["query"]["bool"]["filter"]
    assert {"terms": {"languages": ["en", "*"]}} in filters
    assert {"terms": {"doc_type": [t.key for t in registry.document_types()]}} in filters
    assert body["sort"] == ["_score", {"date": {"order": "desc", "missing": "_last"}}]
    assert body["post_filter"] == {"term": {"doc_type": "organization"}}
    assert body["aggs"] == {"types": {"terms": {"field": "doc_type", "size": 50}}}
    assert (body["from"], body["size"]) == (20, 10)
    assert body["highlight"]["fields"] == {
        "body": {"fragment_size": 80, "number_of_fragments": 1, "no_match_size": 80}
    }


def test_elasticsearch_index_sync_sends_bulk_actions(committed, settings, monkeypatch):
    """With the Elasticsearch backend configured, saves send bulk index/delete actions."""
    import elasticsearch.helpers

    sent = []
    monkeypatch.setattr(elasticsearch.helpers, "bulk", lambda client, actions, **kw: sent.extend(actions))
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.SEARCH_ELASTICSEARCH_URL = "http://elasticsearch.invalid:9200"
    with committed():
        original = DonationFactory(donor_name=SECRET_DONOR, anonymous=False)
    with committed():
        DonationFactory(
            project=original.project,
            donor_name=SECRET_DONOR,
            anonymous=True,
            receipt_number=original.receipt_number,
            corrects=original,
        )
    indexed = [a for a in sent if "_source" in a and a["_source"]["doc_type"] == "donation"]
    deleted = [a for a in sent if a.get("_op_type") == "delete"]
    assert deleted == [
        {"_op_type": "delete", "_index": "platform-search", "_id": f"donation|charity.donation:{original.pk}"}
    ]
    assert indexed[-1]["_source"]["title"].startswith("匿名 捐赠")
    assert SearchEntry.objects.count() == 0  # the database backend was not used


def test_backends_share_the_document_registry():
    keys = [t.key for t in registry.document_types()]
    assert keys == [
        "provider",
        "review",
        "memorial",
        "organization",
        "charity_project",
        "donation",
        "guide",
        "news",
        "page",
    ]
    assert isinstance(DatabaseBackend(), DatabaseBackend)


def test_confirmed_donation_import_is_searchable_and_keeps_anonymity(client, committed):
    from orgs.charity import imports
    from tests.factories.orgs import MembershipFactory

    project = CharityProjectFactory(name="导入检索示例项目")
    user = MembershipFactory(organization=project.organization).user
    data = (
        "\ufeff票据号,捐赠人,是否匿名,捐赠类型,金额或估值（元）,物资说明,捐赠日期,捐赠渠道\n"
        "IMP-1,导入具名丙,否,资金,100.00,,2026-02-01,银行转账\n"
        f"IMP-2,{SECRET_DONOR},是,资金,200.00,,2026-02-02,现金\n"
    ).encode()
    with committed():
        result = imports.confirm(project, imports.read_rows("d.csv", data), user=user)
    assert result.created == 2
    assert titles(client.get("/search/", {"q": "导入具名丙"})) == ["导入具名丙 捐赠 · 导入检索示例项目"]
    assert results(client.get("/search/", {"q": SECRET_DONOR})) == []
    assert not SearchEntry.objects.filter(Q(title__contains=SECRET_DONOR) | Q(body__contains=SECRET_DONOR))


def test_only_saves_that_change_indexed_fields_reindex_dependants(committed):
    project = CharityProjectFactory(name="依赖字段示例项目")
    with committed():
        for n in range(5):
            DonationFactory(project=project, receipt_number=f"DEP-{n}")
    stamps = dict(SearchEntry.objects.filter(doc_type="donation").values_list("object_key", "updated"))
    organization = project.organization
    organization.contact_phone = "010-12345678"  # not in any donation entry
    with committed():
        organization.save()
    project.status = "running"  # not in any donation entry either
    with committed():
        project.save()
    assert (
        dict(SearchEntry.objects.filter(doc_type="donation").values_list("object_key", "updated")) == stamps
    )
    organization.name = "改名后的示例基金会"
    with committed():
        organization.save()
    donations = SearchEntry.objects.filter(doc_type="donation")
    assert all("改名后的示例基金会" in entry.body for entry in donations) and donations.count() == 5


def test_a_web_worker_loads_the_segmenter_as_it_starts_not_in_the_first_search():
    """config/wsgi.py: jieba's dictionary (about a second) is loaded when the WSGI application
    is imported, so no visitor's first search waits for it."""
    import os
    import subprocess
    import sys

    code = "import config.wsgi, jieba; print(jieba.dt.initialized)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test"),
    }
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)  # noqa: S603
    assert result.stdout.strip().splitlines()[-1] == "True"
