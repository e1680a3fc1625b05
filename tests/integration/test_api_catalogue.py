"""The catalogue in the open data API (issue 19): providers, items, price versions and packages.

Contents and privacy of each endpoint, filters equal to the HTML page's, pagination stable under
inserts, flat query counts, and the offline chain-verification script of docs/api.md run against
a live server."""

import datetime
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import pagecache
from marketplace.catalogue import services
from marketplace.catalogue.models import PriceVersion
from marketplace.catalogue.services.posting import earliest_effective_date
from tests.factories.catalogue import ProviderFactory, make_item, make_priced_funeral_home

pytestmark = pytest.mark.django_db

API = "/api/v1"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture
def catalogue():
    cheap = make_priced_funeral_home(Decimal("0.9"), name="甲殡仪馆", slug="jia", district="chaoyang")
    dear = make_priced_funeral_home(Decimal("1.2"), name="乙殡仪馆", slug="yi", district="haidian")
    cemetery = ProviderFactory(name="丙公墓", slug="bing", type="cemetery", district="chaoyang")
    make_item(cemetery, "plot-use", name="卧式墓位", price="22000", unit="座")
    hidden = ProviderFactory(name="丁殡仪馆（未公开）", slug="ding", is_published=False)
    make_item(hidden, "urn", name="秘密骨灰盒", price="1")
    return cheap, dear, cemetery, hidden


def every_row(client, url, params=None):
    """Follow ``next`` to the end; the rows in order."""
    rows, response = [], client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"])


# --- Providers -----------------------------------------------------------------------------------


def test_providers_lists_published_providers_with_f3_fields_and_package_price(client, catalogue):
    rows = every_row(client, f"{API}/providers/")
    assert [row["slug"] for row in rows] == ["bing", "jia", "yi"]  # by slug; "ding" is unpublished
    jia = rows[1]
    assert jia["name"] == "甲殡仪馆" and jia["district"] == "chaoyang" and jia["type"] == "funeral_home"
    for field in (
        "licence_number",
        "supervising_authority",
        "complaint_hotline",
        "service_area",
        "procedure",
    ):
        assert field in jia  # F3
    assert jia["standard_package_price"] == "756.00"  # (200 + 3×60 + 100 + 150 + 150 + 60) × 0.9
    assert rows[0]["standard_package_price"] is None  # the cemetery prices no package
    assert jia["url"].endswith("/api/v1/providers/jia/") and jia["html_url"].endswith(
        "/funeral/providers/jia/"
    )


def test_provider_record_has_the_current_price_list_upcoming_changes_and_package(client, catalogue):
    cheap = catalogue[0]
    urn = cheap.items.get(name="骨灰盒")
    upcoming_day = earliest_effective_date() + datetime.timedelta(days=10)
    services.publish_price(urn, price=Decimal("600"), effective_from=upcoming_day, reason="成本上涨")
    body = client.get(f"{API}/providers/jia/").json()
    by_name = {row["name"]: row for row in body["price_list"]}
    assert by_name["骨灰盒"]["price"] == "540.00"
    assert by_name["骨灰盒"]["upcoming"] == [
        {
            "price": "600.00",
            "basis": "market",
            "effective_from": upcoming_day.isoformat(),
            "reason_code": "",
            "reason": "成本上涨",
        }
    ]
    package = body["standard_package"]
    assert package["code"] == "basic" and package["complete"] is True and package["total"] == "756.00"
    assert {line["category"] for line in package["lines"]} >= {"collection", "cremation"}


def test_unpublished_provider_is_absent_everywhere_and_answers_404(client, catalogue):
    hidden = catalogue[3]
    assert client.get(f"{API}/providers/ding/").status_code == 404
    assert client.get(f"{API}/packages/ding/").status_code == 404
    item = hidden.items.get()
    assert client.get(f"{API}/items/{item.pk}/").status_code == 404
    version = PriceVersion.objects.get(item=item)
    assert client.get(f"{API}/price-versions/{version.pk}/").status_code == 404
    for resource in ("providers", "items", "price-versions", "packages"):
        text = str(every_row(client, f"{API}/{resource}/"))
        assert "ding" not in text and "秘密骨灰盒" not in text and "丁殡仪馆" not in text, resource
    assert every_row(client, f"{API}/price-versions/", {"provider": "ding"}) == []


# --- Filters: the HTML page's FilterSet, the same results -------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"district": "chaoyang"},
        {"type": "cemetery"},
        {"category": "__urn__", "max_price": "600"},
        {"category": "__urn__", "max_price": "700"},
        {"has_package": "true"},
        {"has_package": "false", "district": "chaoyang"},
    ],
)
def test_provider_filters_give_the_html_pages_results(client, catalogue, query, settings):
    settings.PAGE_CACHE_ENABLED = False
    from tests.factories.catalogue import category

    query = {key: (str(category("urn").pk) if value == "__urn__" else value) for key, value in query.items()}
    html = client.get("/funeral/", query)
    assert html.status_code == 200
    on_page = {provider.slug for provider in html.context["providers"]}
    in_api = {row["slug"] for row in every_row(client, f"{API}/providers/", query)}
    assert in_api == on_page


def test_invalid_filter_answers_400_with_the_pages_message(client, catalogue):
    response = client.get(f"{API}/providers/", {"max_price": "500"})
    assert response.status_code == 400
    assert "按最高价格筛选时，请先选择服务类别" in str(response.json())
    english = client.get(f"{API}/providers/", {"max_price": "500"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and "按最高价格" not in str(english.json())


# --- Items, price versions, packages ---------------------------------------------------------------


def test_items_carry_the_current_price_and_filter_by_provider_and_category(client, catalogue):
    rows = every_row(client, f"{API}/items/", {"provider": "jia", "category": "urn"})
    assert [(row["name"], row["current_price"], row["provider"]) for row in rows] == [
        ("骨灰盒", "540.00", "jia")
    ]
    record = client.get(rows[0]["url"]).json()
    assert record == rows[0]
    history = every_row(client, record["price_versions"])
    assert [version["price"] for version in history] == ["540.00"]
    withdrawn = catalogue[0].items.get(name="骨灰盒")
    withdrawn.is_active = False
    withdrawn.save()
    assert (
        every_row(client, f"{API}/items/", {"provider": "jia", "is_active": "false"})[0]["id"] == withdrawn.pk
    )


def test_price_versions_expose_the_hash_chain(client, catalogue):
    urn = catalogue[0].items.get(name="骨灰盒")
    later = earliest_effective_date() + datetime.timedelta(days=10)
    services.publish_price(urn, price=Decimal("560"), effective_from=later, reason="调价")
    chain = every_row(client, f"{API}/price-versions/", {"provider": "jia"})
    assert [version["sequence"] for version in chain] == list(range(1, len(chain) + 1))
    for before, after in zip(chain, chain[1:], strict=False):
        assert after["previous_hash"] == before["chain_hash"]
    assert chain[0]["previous_hash"] == ""
    last = chain[-1]
    stored = PriceVersion.objects.get(pk=last["id"])
    assert last["chain_hash"] == stored.chain_hash == stored.compute_hash()
    assert last["status"] == "upcoming" and chain[0]["status"] == "effective"


def test_packages_list_complete_packages_as_the_packages_page(client, catalogue, settings):
    settings.PAGE_CACHE_ENABLED = False
    rows = every_row(client, f"{API}/packages/")
    assert [(row["provider"], row["price"]) for row in rows] == [("jia", "756.00"), ("yi", "1008.00")]
    page = client.get("/funeral/packages/")
    assert {provider.slug for provider, _breakdown in page.context["rows"]} == {
        row["provider"] for row in rows
    }
    jia = client.get(f"{API}/packages/jia/").json()
    assert jia["package"]["code"] == "basic"
    assert sum(Decimal(line["amount"]) for line in jia["lines"]) == Decimal("756.00")
    assert client.get(f"{API}/packages/bing/").status_code == 404  # no complete package


# --- Pagination ----------------------------------------------------------------------------------------


def test_pagination_is_stable_when_rows_are_inserted_between_pages(client):
    for slug in ("b", "d", "f", "h", "j"):
        ProviderFactory(slug=f"p-{slug}")
    first = client.get(f"{API}/providers/", {"page_size": 2}).json()
    assert [row["slug"] for row in first["results"]] == ["p-b", "p-d"]
    assert first["previous"] is None
    # Rows arrive before and after the cursor while the caller pages.
    for slug in ("a", "c", "e", "k"):
        ProviderFactory(slug=f"p-{slug}")
    second = client.get(first["next"]).json()
    assert [row["slug"] for row in second["results"]] == ["p-e", "p-f"]
    rest = every_row(client, second["next"])
    assert [row["slug"] for row in rest] == ["p-h", "p-j", "p-k"]
    # Going back from the second page gives the rows just before it, in order.
    back = client.get(second["previous"]).json()
    assert [row["slug"] for row in back["results"]] == ["p-c", "p-d"]


def test_page_size_is_capped_and_a_bad_cursor_is_refused(client, settings):
    settings.API_MAX_PAGE_SIZE = 3
    for n in range(5):
        ProviderFactory(slug=f"p-{n}")
    assert len(client.get(f"{API}/providers/", {"page_size": 100}).json()["results"]) == 3
    bad = client.get(f"{API}/providers/", {"cursor": "not-a-cursor"})
    assert bad.status_code == 404 and "无效的翻页游标" in bad.json()["detail"]


# --- Query counts ---------------------------------------------------------------------------------------


def _queries(client, url):
    client.get(url)  # warm the per-day caches (package prices, section versions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_IF_NONE_MATCH="")
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("resource", ["providers", "items", "price-versions", "packages"])
def test_list_query_counts_do_not_grow_with_rows(client, resource, settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.API_RESPONSE_CACHE_SECONDS = 0  # measure the view, not the cached body
    make_priced_funeral_home(slug="only")
    url = f"{API}/{resource}/?page_size=50"
    one = _queries(client, url)
    for n in range(6):
        make_priced_funeral_home(slug=f"more-{n}")
    many = _queries(client, url)
    assert many <= one, (resource, one, many)
    assert len(client.get(url).json()["results"]) > 1


# --- The docs' offline verification script -----------------------------------------------------------


def chain_script():
    match = re.search(
        r"<!-- chain-verification-script -->\s*```python\n(.*?)```\s*<!-- /chain-verification-script -->",
        DOCS.read_text(encoding="utf-8"),
        re.S,
    )
    return match.group(1)


def test_docs_script_is_at_most_20_lines():
    assert len(chain_script().strip().splitlines()) <= 20


@pytest.mark.django_db(transaction=True)
def test_docs_script_verifies_a_chain_and_catches_a_forged_price(live_server, tmp_path, settings):
    settings.API_PAGE_SIZE = 3  # several pages: the script follows `next`
    provider = make_priced_funeral_home(slug="jia")
    urn = provider.items.get(name="骨灰盒")
    # A coded reason with the provider's own words: the code is part of the hash (issue 18, point 12).
    services.publish_price(
        urn,
        price=Decimal("650"),
        effective_from=earliest_effective_date(),
        reason_code="costs",
        reason="调价",
    )
    script = tmp_path / "verify_chain.py"
    script.write_text(chain_script(), encoding="utf-8")
    url = f"{live_server.url}{API}/price-versions/?provider=jia"

    good = subprocess.run([sys.executable, str(script), url], capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stderr
    assert good.stdout.count(" ok") == PriceVersion.objects.filter(provider=provider).count() == 8

    # A forged price, written behind the model's back: the script names the broken link.
    forged = PriceVersion.objects.get(provider=provider, sequence=3)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalogue_priceversion SET price = %s WHERE id = %s", [Decimal("1.00"), forged.pk]
        )
    # Raw SQL sends no signal: the API keeps serving the bodies it cached until the catalogue's
    # next change (or API_RESPONSE_CACHE_SECONDS) renews them; stand in for that change here.
    pagecache.bump("funeral")
    bad = subprocess.run([sys.executable, str(script), url], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "jia 3 " in bad.stdout and "BROKEN" in bad.stdout.splitlines()[2]
    assert "1 broken link(s)" in bad.stderr


# --- The docs' quick start against the demo data ----------------------------------------------------


def test_docs_quick_start_examples_answer_with_demo_data(client, settings):
    import io

    from django.core.management import call_command

    call_command("load_demo_data", stdout=io.StringIO())
    urls = re.findall(
        r"curl -s[i]? (?:-H '[^']*' )?'?http://127\.0\.0\.1:8000(/api/v1/[^' \n]*)'?", DOCS.read_text()
    )
    catalogue_urls = [url for url in urls if "<" not in url]
    assert len(catalogue_urls) >= 7
    for url in catalogue_urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        if "results" in body:
            assert body["results"], url  # the demo data gives every example something to show
    chain = every_row(client, "/api/v1/price-versions/", {"provider": "demo-jingxi-funeral-home"})
    assert len(chain) > 1
