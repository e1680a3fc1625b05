"""The public catalogue pages, price lists and open data, over HTTP."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import Site

from cms.models import BureauSettings
from marketplace.catalogue import services
from marketplace.catalogue.models import PriceBasis, PriceFlag, Quote
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.catalogue import ProviderFactory, make_item, make_priced_funeral_home

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def text(response):
    return response.content.decode()


def names_in_order(html, names):
    positions = [html.index(name) for name in names]
    return positions == sorted(positions)


# --- Catalogue ------------------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    cheap = make_priced_funeral_home(Decimal("0.9"), name="甲殡仪馆", slug="jia", district="chaoyang")
    dear = make_priced_funeral_home(Decimal("1.2"), name="乙殡仪馆", slug="yi", district="haidian")
    cemetery = ProviderFactory(name="丙公墓", slug="bing", type="cemetery", district="chaoyang")
    make_item(cemetery, "plot-use", name="卧式墓位", price="22000", unit="座")
    ProviderFactory(name="丁殡仪馆（未公开）", slug="ding", is_published=False)
    return cheap, dear, cemetery


def test_catalogue_lists_published_providers_sorted_by_package_price(client, catalogue):
    html = text(client.get("/funeral/"))
    assert names_in_order(html, ["甲殡仪馆", "乙殡仪馆", "丙公墓"])
    assert "丁殡仪馆" not in html
    assert "¥756.00" in html  # (200 + 3×60 + 100 + 150 + 150 + 60) × 0.9
    assert "未标价标准服务包" in html


def test_catalogue_filters_by_district_type_category_price_and_package(client, catalogue):
    def shown(query):
        html = text(client.get("/funeral/", query))
        return {name for name in ("甲殡仪馆", "乙殡仪馆", "丙公墓") if name in html}

    assert shown({"district": "chaoyang"}) == {"甲殡仪馆", "丙公墓"}
    assert shown({"type": "cemetery"}) == {"丙公墓"}
    assert shown(
        {"category": services.standard_package().components.get(category__code="storage").category_id}
    ) == {
        "甲殡仪馆",
        "乙殡仪馆",
    }
    urn = catalogue[0].items.get(category__code="urn").category_id
    assert shown({"category": urn, "max_price": "600"}) == {"甲殡仪馆"}  # 540 vs 720
    assert shown({"has_package": "true"}) == {"甲殡仪馆", "乙殡仪馆"}
    assert shown({"has_package": "false"}) == {"丙公墓"}


def test_catalogue_sorts_by_name_and_keeps_filters_in_pagination_links(client, catalogue, settings):
    settings.CATALOGUE_PAGE_SIZE = 1
    html = text(client.get("/funeral/", {"district": "chaoyang", "sort": "name"}))
    assert "第 1 / 2 页" in html
    assert re.search(r'href="\?district=chaoyang&amp;sort=name&amp;page=2"', html)
    second = text(client.get("/funeral/", {"district": "chaoyang", "sort": "name", "page": 2}))
    first_names = [n for n in ("丙公墓", "甲殡仪馆") if n in html]
    second_names = [n for n in ("丙公墓", "甲殡仪馆") if n in second]
    assert len(first_names) == len(second_names) == 1 and first_names != second_names


def test_catalogue_max_price_without_category_is_explained(client, catalogue):
    html = text(client.get("/funeral/", {"max_price": "100"}))
    assert "按最高价格筛选时，请先选择服务类别。" in html
    html = text(client.get("/funeral/", {"max_price": "abc"}))
    assert 'value="abc"' in html or "请输入" in html or "Enter a number" in html


# --- Provider page -----------------------------------------------------------------------------------


def test_provider_page_is_the_full_price_notice(client):
    provider = make_priced_funeral_home(name="京东殡仪馆", slug="jingdong")
    urn = provider.items.get(category__code="urn")
    services.publish_price(
        urn, price=Decimal("650"), effective_from=TODAY() + datetime.timedelta(days=14), reason="木材涨价"
    )
    html = text(client.get("/funeral/providers/jingdong/"))
    for expected in (
        provider.licence_number,
        provider.supervising_authority,
        provider.complaint_hotline,
        provider.deposit_terms,
        provider.cancellation_terms,
        provider.refund_terms,
        provider.ownership_disclosure,
        "政府指导价",
        "市场调节价",
        "遗体火化",
        "¥650.00",
        "木材涨价",
        (TODAY() + datetime.timedelta(days=14)).isoformat(),
        (TODAY() - datetime.timedelta(days=30)).isoformat(),  # last change
        "¥840.00",  # the standard package: 200 + 3×60 + 100 + 150 + 150 + 60
        urn.get_history_url(),
    ):
        assert expected in html, expected


def test_provider_page_shows_an_open_flag_to_visitors(client):
    for _ in range(3):
        make_item(ProviderFactory(), "urn", price="100")
    provider = ProviderFactory(slug="flagged")
    item = make_item(provider, "urn", name="精品骨灰盒", price="100")
    services.publish_price(item, price=Decimal("500"), effective_from=TODAY(), reason="精品")
    html = text(client.get("/funeral/providers/flagged/"))
    assert "价格复核提示" in html and "5.00 倍" in html and "待复核" in html


def test_unpublished_provider_and_its_files_answer_404(client):
    provider = ProviderFactory(slug="hidden", is_published=False)
    item = make_item(provider, "urn", price="100")
    for url in (
        "/funeral/providers/hidden/",
        "/funeral/providers/hidden/prices.pdf",
        "/funeral/providers/hidden/prices.csv",
        item.get_history_url(),
    ):
        assert client.get(url).status_code == 404


def test_cemetery_page_shows_f5_totals(client):
    cemetery = ProviderFactory(slug="cem", type="cemetery")
    maintenance = make_item(cemetery, "maintenance", name="维护费", price="120", unit="年")
    make_item(cemetery, "plot-use", name="立式墓位", price="38000", unit="座", maintenance_item=maintenance)
    html = text(client.get("/funeral/providers/cem/"))
    assert "墓位总价" in html and "40,400.00" in html


# --- History ---------------------------------------------------------------------------------------------


def test_item_history_shows_chart_and_table_of_every_version(client):
    item = make_item(
        ProviderFactory(), "urn", price="100", effective_from=TODAY() - datetime.timedelta(days=400)
    )
    services.publish_price(
        item,
        price=Decimal("110"),
        effective_from=TODAY() - datetime.timedelta(days=10),
        reason="成本上涨",
        announced_at=timezone.now() - datetime.timedelta(days=10),
    )
    services.publish_price(
        item, price=Decimal("130"), effective_from=TODAY() + datetime.timedelta(days=20), reason="下月调价"
    )
    html = text(client.get(item.get_history_url()))
    assert "<svg" in html and 'role="img"' in html and html.count('class="chart-point') == 3
    assert "<table" in html
    for expected in ("100.00", "110.00", "130.00", "成本上涨", "下月调价", "即将生效", "现行"):
        assert expected in html
    assert client.get("/funeral/items/999999/history/").status_code == 404


# --- Compare ---------------------------------------------------------------------------------------------


def test_compare_shows_city_stats_cheapest_and_not_offered(client, catalogue):
    cheap, dear, cemetery = catalogue
    html = text(client.get("/funeral/compare/", {"p": ["jia", "yi", "bing"]}))
    assert html.count("不提供") >= 3  # the funeral homes offer no plots, the cemetery no urns
    urn_row = re.search(
        r"<tr class=\"compare-category-row\"><th scope=\"row\">骨灰盒</th>(.*?)</tr>", html, re.S
    ).group(1)
    cells = re.findall(r"<td(?: class=\"([^\"]*)\")?>(.*?)</td>", urn_row, re.S)
    assert "540.00" in cells[0][1] and "/个" in cells[0][1]
    assert "720.00" in cells[1][1] and "不提供" in cells[2][1]
    assert [c[1].strip() for c in cells[3:]] == ["540.00", "630.00", "720.00"]  # city min / median / max
    # The package total (F6) is marked cheapest in text, and the city's package prices beside it.
    total_row = re.search(r"<tr class=\"compare-total-row\">(.*?)</tr>", html, re.S).group(1)
    total_cells = re.findall(r"<td(?: class=\"([^\"]*)\")?>(.*?)</td>", total_row, re.S)
    assert "highlight" in total_cells[0][0] and "最低" in total_cells[0][1] and "¥756.00" in total_cells[0][1]
    assert "未标价标准服务包" in total_cells[2][1]
    assert [c[1].strip() for c in total_cells[3:]] == ["756.00", "882.00", "1,008.00"]


def test_compare_needs_two_to_four_providers(client, catalogue):
    assert "请选择 2 至 4 家机构进行比较。" in text(client.get("/funeral/compare/", {"p": "jia"}))
    for i in range(3):
        ProviderFactory(slug=f"extra-{i}")
    html = text(client.get("/funeral/compare/", {"p": ["jia", "yi", "bing", "extra-0", "extra-1"]}))
    assert "最多可同时比较 4 家机构" in html


# --- Packages ---------------------------------------------------------------------------------------


def test_packages_page_sorts_every_priced_package_with_breakdown(client, catalogue):
    html = text(client.get("/funeral/packages/"))
    assert names_in_order(html, ["甲殡仪馆", "乙殡仪馆"]) and "丙公墓" not in html
    assert "¥756.00" in html and "¥1,008.00" in html
    assert html.count("<details>") == 2


# --- Quote ---------------------------------------------------------------------------------------


def test_visitor_quote_is_kept_in_the_session(client):
    provider = make_priced_funeral_home(slug="q")
    urn = provider.items.get(category__code="urn")
    storage = provider.items.get(category__code="storage")
    response = client.post(
        "/funeral/quote/",
        {
            "provider": "q",
            "item": [urn.pk, storage.pk],
            f"qty_{urn.pk}": "1",
            f"qty_{storage.pk}": "3",
            "burial_choice": "ordinary",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("catalogue:quote_statement")
    html = text(client.get(response["Location"]))
    assert "¥780.00" in html and "骨灰盒" in html and "3 次" in html
    assert Quote.objects.count() == 0
    form = text(client.get("/funeral/quote/", {"provider": "q"}))
    assert re.search(rf'id="item-{storage.pk}"[^>]* checked>', form)
    assert f'name="qty_{storage.pk}" id="qty-{storage.pk}" value="3"' in form


def test_bad_quantity_is_refused_with_a_clear_error_and_keeps_the_choices(client):
    provider = make_priced_funeral_home(slug="q")
    urn = provider.items.get(category__code="urn")
    response = client.post("/funeral/quote/", {"provider": "q", "item": [urn.pk], f"qty_{urn.pk}": "两个"})
    assert response.status_code == 400
    html = text(response)
    assert "“两个”不是有效的数量" in html
    assert re.search(rf'id="item-{urn.pk}"[^>]* checked>', html)
    response = client.post("/funeral/quote/", {"provider": "q"})
    assert "请至少勾选一个项目。" in text(response)


def test_signed_in_quote_is_saved_and_private(client):
    provider = make_priced_funeral_home(slug="q")
    urn = provider.items.get(category__code="urn")
    owner = UserFactory()
    client.force_login(owner)
    response = client.post("/funeral/quote/", {"provider": "q", "item": [urn.pk], f"qty_{urn.pk}": "2"})
    quote = Quote.objects.get(user=owner)
    assert response["Location"] == quote.get_absolute_url()
    assert quote.total == Decimal("1200.00") and quote.lines.get().price_version == urn.versions.get()
    assert "¥1,200.00" in text(client.get(quote.get_absolute_url()))
    client.force_login(UserFactory())
    assert client.get(quote.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(quote.get_absolute_url()).status_code == 404


def test_f7_sea_burial_quote_shows_the_free_basic_services_and_policy(client):
    provider = make_priced_funeral_home(slug="q")
    selection = {str(item.pk): "1" for item in provider.items.all()}
    response = client.post(
        "/funeral/quote/",
        {
            "provider": "q",
            "item": list(selection),
            **{f"qty_{k}": v for k, v in selection.items()},
            "burial_choice": "sea",
            "beijing_resident": "1",
        },
    )
    html = text(client.get(response["Location"]))
    assert settings.F7_POLICY_REFERENCE in html
    assert "海葬免费基本殡葬服务" in html
    for name in ("遗体接运", "遗体存放（冷藏）", "遗体整容", "遗体告别", "遗体火化", "骨灰寄存"):
        assert f"<li>{name}</li>" in html
    assert "¥600.00" in html  # only the urn is paid
    assert html.count("政策免费") == 6


# --- Price lists -------------------------------------------------------------------------------------


def test_price_list_pdf_has_the_items_and_prices_in_chinese_with_an_embedded_font(client):
    provider = make_priced_funeral_home(name="京北殡仪馆", slug="jingbei")
    response = client.get("/funeral/providers/jingbei/prices.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    content = "".join(page.extract_text() for page in reader.pages)
    for expected in (
        "京北殡仪馆",
        "殡葬服务价格公示",
        "骨灰盒",
        "600.00",
        "遗体火化",
        "150.00",
        provider.licence_number,
        "投诉电话",
        "12345",
        "退款条款",
    ):
        assert expected in content, expected
    embedded = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                embedded.append(any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert embedded and all(embedded)


def test_price_list_csv(client):
    make_priced_funeral_home(slug="csvhome")
    response = client.get("/funeral/providers/csvhome/prices.csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "类别" and len(rows) == 8
    urn = next(row for row in rows if row[1] == "骨灰盒")
    assert urn[3] == "市场调节价" and urn[4] == "600.00"


# --- Open data -------------------------------------------------------------------------------------


def test_open_data_lists_the_catalogue_datasets(client):
    html = text(client.get("/open-data/"))
    for url in (
        "/funeral/open-data/current-prices.csv",
        "/funeral/open-data/current-prices.json",
        "/funeral/open-data/price-history.csv",
        "/funeral/open-data/price-history.json",
    ):
        assert url in html
    assert "殡葬服务现行价格" in html and "殡葬服务价格历史" in html


def test_open_data_current_prices_and_history(client):
    provider = make_priced_funeral_home(slug="od")
    hidden = ProviderFactory(slug="od-hidden", is_published=False)
    make_item(hidden, "urn", price="1")
    urn = provider.items.get(category__code="urn")
    upcoming = services.publish_price(
        urn, price=Decimal("700"), effective_from=TODAY() + datetime.timedelta(days=5), reason="下月调价"
    )
    records = json.loads(b"".join(client.get("/funeral/open-data/current-prices.json").streaming_content))[
        "records"
    ]
    assert len(records) == 7 and {r["provider_slug"] for r in records} == {"od"}
    urn_record = next(r for r in records if r["item_id"] == urn.pk)
    assert urn_record["price"] == "600.00" and urn_record["basis"] == PriceBasis.MARKET

    history = json.loads(b"".join(client.get("/funeral/open-data/price-history.json").streaming_content))
    assert history["meta"]["publisher"] == "北京市民政局"
    by_id = {r["version_id"]: r for r in history["records"]}
    assert (
        by_id[upcoming.pk]["status"] == "upcoming" and by_id[upcoming.pk]["chain_hash"] == upcoming.chain_hash
    )
    assert len(history["records"]) == 8

    body = b"".join(client.get("/funeral/open-data/price-history.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 8 and {row["provider_slug"] for row in rows} == {"od"}
    assert next(r for r in rows if r["version_id"] == str(upcoming.pk))["reason"] == "下月调价"
    body = b"".join(client.get("/funeral/open-data/current-prices.csv").streaming_content).decode()
    assert len(list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))) == 7


# --- Query counts ---------------------------------------------------------------------------------


def _build(n):
    for i in range(n):
        provider = make_priced_funeral_home(Decimal("1") + Decimal(i % 7) / 10, slug=f"p{n}-{i}")
        item = provider.items.get(category__code="urn")
        services.publish_price(
            item,
            price=item.versions.get().price + 1,
            effective_from=TODAY() + datetime.timedelta(days=3),
            reason="调价",
        )


@pytest.mark.parametrize("count", [5, 50])
def test_query_counts_stay_flat_as_providers_grow(client, django_assert_max_num_queries, count):
    _build(count)
    for _ in range(3):
        make_item(ProviderFactory(), "urn", price="100")
    flagged = ProviderFactory(slug=f"flag-{count}")
    services.publish_price(
        make_item(flagged, "urn", price="100"), price=Decimal("900"), effective_from=TODAY(), reason="精品"
    )
    assert PriceFlag.objects.count() >= 1
    slugs = [f"p{count}-0", f"p{count}-1", f"p{count}-2", f"flag-{count}"]
    # A running site has its bureau settings row (Wagtail inserts it on the first request that
    # asks, and that insert is itself a change of the page chrome).
    BureauSettings.for_site(Site.objects.get(is_default_site=True))
    client.get("/funeral/compare/", {"p": slugs})  # warm the city statistics cache
    # Each is the first render of its page (no page cache holds it). The chrome's site and
    # bureau settings come from the cache (cms.chrome) and the menu from its own: issue 14's
    # goal is at most 10 queries a page, flat as the data grows.
    with django_assert_max_num_queries(8):
        assert client.get("/funeral/", {"district": "chaoyang"}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/funeral/providers/p{count}-0/").status_code == 200
    with django_assert_max_num_queries(6):  # + the standard package and its F6 mappings
        assert client.get("/funeral/compare/", {"p": slugs}).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/funeral/packages/").status_code == 200


def test_login_keeps_working_with_the_test_password(client):
    user = UserFactory()
    assert client.login(mobile=user.mobile, password=PASSWORD)


def _package_heading(html, provider):
    match = re.search(rf"<h2><a href=\"{re.escape(provider.get_absolute_url())}\">.*?</h2>", html, re.S)
    assert match, f"{provider.name} is not on the packages page"
    return match.group(0)


def test_f6_a_package_priced_over_the_ceiling_is_flagged_on_the_pages(client, settings):
    """F6: the standard package is compared against the Beijing 2011 ceiling (a setting);
    a funeral home whose package costs more is still listed, with a visible flag."""
    from tests.factories.cms import make_home_page

    make_home_page()
    settings.F6_BASIC_PACKAGE_CEILING = Decimal("1000.00")
    within = make_priced_funeral_home(name="平价殡仪馆")  # 840.00
    over = make_priced_funeral_home(Decimal("1.5"), name="高价殡仪馆")  # 1260.00
    html = client.get(reverse("catalogue:packages")).content.decode()
    assert "¥1,260.00" in _package_heading(html, over) and "高于参考上限" in _package_heading(html, over)
    assert "¥840.00" in _package_heading(html, within)
    assert "高于参考上限" not in _package_heading(html, within)

    page = client.get(over.get_absolute_url()).content.decode()
    assert "标准服务包合计 <strong>¥1,260.00</strong>" in page
    assert re.search(r"高于北京2011年基本服务包参考上限 ¥1,?000\.00", page)
    assert "参考上限 ¥" not in client.get(within.get_absolute_url()).content.decode()

    # The ceiling is a setting: raised above the package price, the flag goes.
    settings.F6_BASIC_PACKAGE_CEILING = Decimal("1300.00")
    html = client.get(reverse("catalogue:packages")).content.decode()
    assert "高于参考上限" not in _package_heading(html, over)
    assert "参考上限 ¥" not in client.get(over.get_absolute_url()).content.decode()
