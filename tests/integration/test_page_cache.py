"""The public page cache (issue 14, goal 3): pages are shared only where that is safe, and
every kind of change shows on the next request.

The invalidation tests run against the local-memory cache and, where ``redis-server`` is
installed (``make test`` installs it), against a real Redis through Django's ``RedisCache``."""

import datetime
import os
import shutil
import socket
import subprocess
import time
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from core import pagecache
from marketplace.catalogue import services as catalogue
from orgs.charity import imports
from orgs.credit import services as credit
from orgs.credit.models import Proposal
from orgs.reports.services import accept_report
from search.backends.database import DatabaseBackend
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import ProviderFactory, make_item
from tests.factories.charity import CharityProjectFactory
from tests.factories.cms import make_home_page
from tests.factories.credit import at, officer
from tests.factories.orgs import MembershipFactory, OrganizationFactory, submitted_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    from wagtail.models import Site

    from cms.models import BureauSettings

    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    make_home_page()
    # Wagtail creates the site settings on the first page that reads them (a write of the
    # cms section, which makes that first page unreachable); here they exist beforehand.
    BureauSettings.for_site(Site.objects.get(is_default_site=True))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (make test installs it)")
    port = _free_port()
    # Under `make test-future` the tests run with libfaketime preloaded; Redis can't start with
    # it (and needs no fake clock: the cache's expiries are relative), so it runs on real time.
    environment = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}
    process = subprocess.Popen(  # noqa: S603 - a local binary with fixed arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    try:
        for _attempt in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The cache the pages are shared through: local memory, or a real Redis server."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        settings.CACHES = {
            **settings.CACHES,
            "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url},
        }
        settings.PAGE_CACHE_ALIAS = "pages"
    cache = caches[settings.PAGE_CACHE_ALIAS]
    cache.clear()
    yield cache
    cache.clear()


def get(path, client=None, **extra):
    response = (client or Client()).get(path, **extra)
    assert response.status_code == 200, (path, response.status_code)
    return response


def served_from_cache(response):
    return response.get("X-Page-Cache") == "hit"


# --- What is shared, and with whom -------------------------------------------------------------


def test_a_public_page_is_shared_between_visitors_with_an_etag(page_cache, django_assert_max_num_queries):
    provider = ProviderFactory(name="京西示例殡仪馆", slug="jingxi")
    make_item(provider, "urn", name="环保骨灰盒", price="800.00")
    first = get("/funeral/providers/jingxi/")
    assert first["X-Page-Cache"] == "miss" and not served_from_cache(first)
    with django_assert_max_num_queries(0):
        second = get("/funeral/providers/jingxi/")
    assert served_from_cache(second) and second.content == first.content
    assert second["ETag"] == first["ETag"] and second["Cache-Control"] == "max-age=0, must-revalidate"
    assert "Cookie" in second["Vary"]
    # The security headers are added to a cached page as to a fresh one.
    assert second["Content-Security-Policy"] and second["X-Request-ID"] != first["X-Request-ID"]
    not_modified = Client().get("/funeral/providers/jingxi/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""


def test_language_large_text_and_query_string_are_separate_pages(page_cache):
    ProviderFactory(name="京西示例殡仪馆", slug="jingxi")
    chinese = get("/funeral/")
    english = get("/en/funeral/")
    assert not served_from_cache(english) and english.content != chinese.content
    assert 'lang="en"' in english.content.decode()
    large = Client()
    large.cookies["platform_large_text"] = "1"
    page = get("/funeral/", large)
    assert not served_from_cache(page) and 'class="large-text"' in page.content.decode()
    assert served_from_cache(get("/funeral/", large))
    # The same query in another order is the same page; another query is another page.
    get("/funeral/?district=朝阳区&type=funeral_home")
    assert served_from_cache(get("/funeral/?type=funeral_home&district=朝阳区"))
    assert not served_from_cache(get("/funeral/?district=海淀区"))


def test_a_signed_in_visitor_is_never_served_or_stored(page_cache):
    ProviderFactory(name="京西示例殡仪馆", slug="jingxi")
    member = Client()
    member.force_login(UserFactory(real_name="张三"))
    for _visit in range(2):
        response = get("/funeral/providers/jingxi/", member)
        assert "X-Page-Cache" not in response and "ETag" not in response
    # What the member saw was not kept for anyone else.
    anonymous = get("/funeral/providers/jingxi/")
    assert anonymous["X-Page-Cache"] == "miss" and "张三" not in anonymous.content.decode()


def test_a_page_with_a_waiting_message_is_neither_served_nor_stored(page_cache, client):
    ProviderFactory(name="京西示例殡仪馆", slug="jingxi")
    get("/funeral/providers/jingxi/")  # now cached
    # An anonymous visitor asks for a sign-up code: "验证码已发送…" waits for the next page.
    assert client.post("/accounts/signup/", {"mobile": "13800138000"}).status_code == 302
    response = get("/funeral/providers/jingxi/", client)
    assert "X-Page-Cache" not in response and "验证码已发送" in response.content.decode()
    assert served_from_cache(get("/funeral/providers/jingxi/"))
    assert "验证码已发送" not in get("/funeral/providers/jingxi/").content.decode()


def test_a_page_with_a_form_that_posts_is_not_shared(page_cache):
    """The quote page carries a per-visitor CSRF token: sharing it would break everyone else's."""
    response = get("/funeral/quote/")
    assert "csrfmiddlewaretoken" in response.content.decode() or "X-Page-Cache" not in response
    assert "X-Page-Cache" not in get("/funeral/quote/")


def test_the_header_preference_forms_still_work_without_a_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/preferences/large-text/", {"large_text": "1", "next": "/funeral/"})
    assert response.status_code == 302 and response.cookies["platform_large_text"].value == "1"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/funeral/"})
    assert response.status_code == 302 and response["Location"] == "/en/funeral/"
    # Every other form keeps its CSRF check.
    assert client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 403


def test_a_new_day_is_a_new_page(page_cache, settings):
    provider = ProviderFactory(name="京西示例殡仪馆", slug="jingxi")
    item = make_item(provider, "urn", name="环保骨灰盒", price="800.00")
    today = timezone.localdate()
    catalogue.publish_price(
        item, price=Decimal("880.00"), effective_from=today + datetime.timedelta(days=1), reason="调价"
    )
    assert "880.00" in get("/funeral/providers/jingxi/").content.decode()  # shown as upcoming
    from freezegun import freeze_time

    with freeze_time(timezone.now() + datetime.timedelta(days=1)):
        tomorrow = get("/funeral/providers/jingxi/")
    assert not served_from_cache(tomorrow)


# --- Every kind of change shows on the next request ----------------------------------------------


def test_a_published_price_shows_on_the_next_request(page_cache):
    provider = ProviderFactory(name="京西示例殡仪馆", slug="jingxi")
    item = make_item(provider, "urn", name="环保骨灰盒", price="800.00")
    for path in ("/funeral/providers/jingxi/", "/funeral/"):
        get(path)
        assert served_from_cache(get(path))
    catalogue.publish_price(item, price=Decimal("760.00"), effective_from=timezone.localdate(), reason="降价")
    page = get("/funeral/providers/jingxi/")
    assert not served_from_cache(page) and "760.00" in page.content.decode()
    assert not served_from_cache(get("/funeral/"))


def test_an_accepted_report_shows_on_the_next_request(page_cache):
    organization = OrganizationFactory(name="北京市朝阳区养老服务协会")
    report, _ = submitted_report(organization, timezone.localdate().year - 1)
    url = f"/orgs/{organization.uscc}/"
    assert "暂无已审核的年度报告" in get(url).content.decode()
    assert served_from_cache(get(url))
    accept_report(report, conclusion="qualified", comment="", user=UserFactory())
    page = get(url)
    assert not served_from_cache(page) and "已审核的年度报告摘要" in page.content.decode()


def test_a_confirmed_credit_listing_shows_on_the_next_request(page_cache):
    organization = OrganizationFactory(name="北京市朝阳区逾期协会")
    url = f"/credit/{organization.uscc}/"
    assert "未被列入活动异常名录" in get(url).content.decode()
    assert served_from_cache(get(url))
    year = timezone.localdate().year
    credit.run_rules(datetime.date(year, 6, 1))
    proposal = Proposal.objects.get(organization=organization, report_year=year - 1)
    from freezegun import freeze_time

    with freeze_time(at(datetime.date(year, 6, 3))):
        credit.confirm_proposal(
            proposal, user=officer(), reason="逾期未报", document_number="京民异〔2026〕8号"
        )
    page = get(url)
    assert not served_from_cache(page) and "京民异〔2026〕8号" in page.content.decode()


def import_one_donation(project, receipt, donor):
    """A one-row donation import, confirmed by a member of the project's organisation."""
    rows = imports.read_rows(
        "donations.csv",
        (
            "\ufeff票据号,捐赠人,是否匿名,捐赠类型,金额或估值（元）,物资说明,捐赠日期,捐赠渠道\n"
            f"{receipt},{donor},否,资金,800.00,,{timezone.localdate().isoformat()},银行转账\n"
        ).encode(),
    )
    return imports.confirm(project, rows, user=MembershipFactory(organization=project.organization).user)


def test_an_imported_donation_shows_on_the_next_request(page_cache):
    """The import writes with bulk_create, which sends no signal: it bumps the section itself."""
    project = CharityProjectFactory(name="困境儿童助学计划")
    url = f"/charity/projects/{project.pk}/"
    assert "IMP-000001" not in get(url).content.decode()
    assert served_from_cache(get(url))
    assert import_one_donation(project, "IMP-000001", "赵明远").created == 1
    page = get(url)
    assert not served_from_cache(page) and "赵明远" in page.content.decode()


def test_a_donation_lookup_finds_an_imported_donation_on_the_next_request(page_cache):
    """The lookup page is cached per query string: a receipt looked up before its donation was
    imported must be found right after the import, not answered from the cache."""
    project = CharityProjectFactory(name="困境儿童助学计划")
    url = f"/charity/lookup/?organization={project.organization_id}&receipt_number=IMP-000002"
    assert "钱佳怡" not in get(url).content.decode()
    assert served_from_cache(get(url))
    assert import_one_donation(project, "IMP-000002", "钱佳怡").created == 1
    page = get(url)
    assert not served_from_cache(page) and "钱佳怡" in page.content.decode()


def test_a_published_cms_page_shows_on_the_next_request(page_cache):
    home = make_home_page()
    get("/")
    assert served_from_cache(get("/"))
    home.hero_title = "清明祭扫预约服务上线"
    home.save_revision().publish()
    page = get("/")
    assert not served_from_cache(page) and "清明祭扫预约服务上线" in page.content.decode()


def test_a_change_in_another_section_keeps_the_page(page_cache):
    ProviderFactory(name="京西示例殡仪馆", slug="jingxi")
    get("/funeral/providers/jingxi/")
    OrganizationFactory(name="北京市朝阳区养老服务协会")  # an organisation: not a funeral page
    assert served_from_cache(get("/funeral/providers/jingxi/"))


def test_a_write_bumps_at_once_and_again_on_commit_with_one_callback(page_cache):
    """The writer's own next read is fresh at once; the commit sets new tokens again, so a page
    another request rendered from the data before the commit is unreachable too. All the
    sections a transaction touches share one commit callback."""
    from django.db import transaction

    key = pagecache.VERSION_KEY.format("funeral")
    pagecache.versions(("funeral",))
    before = page_cache.get(key)
    pagecache.bump("funeral")
    at_once = page_cache.get(key)
    pagecache.bump("funeral", "orgs")
    assert at_once != before
    flushes = [
        func
        for _sids, func, _robust in transaction.get_connection().run_on_commit
        if hasattr(func, "sections")
    ]
    assert len(flushes) == 1 and {"funeral", "orgs"} <= flushes[0].sections
    flushes[0]()  # what the commit runs
    assert page_cache.get(key) not in (before, at_once)


def test_a_changed_rule_setting_or_a_new_release_is_a_new_page(page_cache, settings):
    ProviderFactory(name="京西示例殡仪馆", slug="jingxi")
    get("/funeral/packages/")
    assert served_from_cache(get("/funeral/packages/"))
    settings.F6_BASIC_PACKAGE_CEILING = settings.F6_BASIC_PACKAGE_CEILING + 1  # set in the environment
    assert not served_from_cache(get("/funeral/packages/"))
    assert served_from_cache(get("/funeral/packages/"))
    pagecache.release.cache_clear()
    settings.PAGE_CACHE_RELEASE = "image-2027-01"  # a deploy
    try:
        assert not served_from_cache(get("/funeral/packages/"))
    finally:
        pagecache.release.cache_clear()


def test_a_migrations_historical_model_bumps_nothing_so_a_fresh_migrate_needs_no_cache_table():
    """`make run` migrates before `createcachetable`: a data migration's save must not reach
    the cache (a new release changes every page key instead)."""
    from django.apps import apps
    from django.db.migrations.state import ProjectState

    historical = ProjectState.from_apps(apps).apps.get_model("catalogue", "Provider")
    assert historical.__module__ == "__fake__"
    assert pagecache._sections_for(historical) == ()
    assert pagecache._sections_for(apps.get_model("catalogue", "Provider")) == ("funeral",)


# --- The search page ---------------------------------------------------------------------------


class SlowToShowBackend(DatabaseBackend):
    """A backend whose writes become searchable only later (Elasticsearch without
    ``SEARCH_ELASTICSEARCH_REFRESH``)."""

    writes_visible_at_once = False


def test_search_results_are_shared_and_a_newly_indexed_record_shows_on_the_next_request(
    page_cache, django_capture_on_commit_callbacks
):
    """Index writes reach the search backends after the record's transaction commits; the
    backend bumps the "search" section after each write, so no page outlives the index."""
    with django_capture_on_commit_callbacks(execute=True):
        first_org = OrganizationFactory(name="北京市缓存示例第一协会")
    first = get("/search/?q=缓存示例")
    assert "北京市缓存示例第一协会" in first.content.decode() and not served_from_cache(first)
    assert served_from_cache(get("/search/?q=缓存示例"))
    with django_capture_on_commit_callbacks(execute=True):
        OrganizationFactory(name="北京市缓存示例第二协会")
    page = get("/search/?q=缓存示例")
    assert not served_from_cache(page) and "北京市缓存示例第二协会" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        first_org.delete()
    page = get("/search/?q=缓存示例")
    assert not served_from_cache(page) and "北京市缓存示例第一协会" not in page.content.decode()


def test_search_results_are_never_cached_when_the_engine_shows_writes_later(page_cache, settings):
    settings.SEARCH_BACKEND = f"{__name__}.SlowToShowBackend"
    first = get("/search/?q=缓存示例")
    assert "no-cache" in first["Cache-Control"] and "X-Page-Cache" not in first
    assert not served_from_cache(get("/search/?q=缓存示例"))
