"""Issue 18, point 3: the comparison compares like with like (F6) and leads to a quote.

The standard-package total comes first, then the package's components item by item (the item
each provider maps to the component, never the category's cheapest item, so a per-kilometre
surcharge can't stand in for the base transport), then every other category as a list of
items with their units. Each column opens that provider's quote builder."""

import re
from decimal import Decimal

import pytest
from wagtail.models import Site

from cms.models import BureauSettings
from marketplace.catalogue.models import PackageMapping, Unit
from marketplace.catalogue.services.compare import compare_providers
from tests.factories.catalogue import ProviderFactory, make_item, make_priced_funeral_home

pytestmark = pytest.mark.django_db

URL = "/funeral/compare/"


@pytest.fixture
def homes():
    cheap = make_priced_funeral_home(Decimal("0.9"), name="甲殡仪馆", slug="jia")  # package 756.00
    dear = make_priced_funeral_home(Decimal("1.2"), name="乙殡仪馆", slug="yi")  # package 1,008.00
    for home in (cheap, dear):
        # The cheapest item of 遗体接运: a per-kilometre surcharge beyond the package's 60 km.
        make_item(home, "collection", name="超出里程加收", price="5.00", unit=Unit.KM)
    make_item(cheap, "urn", name="汉白玉骨灰盒（精品）", price="1800.00")
    return cheap, dear


def page(client, *slugs):
    response = client.get(URL, {"p": list(slugs)})
    assert response.status_code == 200
    return response.content.decode()


def desktop_table(html):
    return re.search(r"<table class=\"data-table compare-table\">.*?</table>", html, re.S).group(0)


def row(html, css_class, heading):
    """The cells of the table row of ``css_class`` whose header starts with ``heading``."""
    for match in re.finditer(
        rf"<tr class=\"{css_class}\"><th scope=\"row\">(.*?)</th>(.*?)</tr>", html, re.S
    ):
        if match.group(1).startswith(heading):
            return re.findall(r"<td(?: class=\"([^\"]*)\")?>(.*?)</td>", match.group(2), re.S)
    raise AssertionError(f"no {css_class} row {heading}")


def plain(fragment):
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()
    return text.replace(" /", "/")


def test_f6_compare_starts_with_standard_package_total(client, homes):
    table = desktop_table(page(client, "jia", "yi"))
    body_rows = re.findall(r"<tr class=\"([^\"]+)\">", table)
    assert body_rows[0] == "compare-total-row"
    assert body_rows[1:7] == ["compare-component-row"] * 6  # the package's six components, in order
    assert set(body_rows[7:]) == {"compare-category-row"}
    totals = row(table, "compare-total-row", "标准服务包合计")
    assert "¥756.00" in totals[0][1] and "¥1,008.00" in totals[1][1]
    order = [
        plain(r) for r in re.findall(r"<tr class=\"compare-component-row\"><th scope=\"row\">(.*?)<", table)
    ]
    assert order == ["遗体接运", "遗体存放（冷藏）", "遗体整容", "遗体告别", "遗体火化", "骨灰寄存"]


def test_f6_compare_transport_is_the_mapped_base_item_not_the_per_km_surcharge(client, homes):
    table = desktop_table(page(client, "jia", "yi"))
    cells = row(table, "compare-component-row", "遗体接运")
    first = plain(cells[0][1])
    assert first.startswith("180.00")  # the base transport at 0.9 × 200, not 5.00
    assert "遗体接运（甲殡仪馆） 180.00/次" in first
    # The surcharge is still shown, beside it and with its unit, but is not what is compared.
    assert "本类另有： 超出里程加收 5.00/公里" in first
    assert plain(cells[1][1]).startswith("240.00")
    # The same on the phone cards, which list the components in the same way.
    cards = re.search(r"<div class=\"compare-cards\">.*", page(client, "jia", "yi"), re.S).group(0)
    assert "180.00" in cards and "超出里程加收" in cards

    comparison = compare_providers(homes)
    transport = comparison.component_rows[0]
    assert transport.component.category.code == "collection"
    assert [cell.line.item.unit for cell in transport.cells] == [Unit.TIME, Unit.TIME]
    assert [cell.line.amount for cell in transport.cells] == [Decimal("180.00"), Decimal("240.00")]


def test_f6_compare_marks_the_cheapest_in_text_not_by_colour_alone(client, homes):
    table = desktop_table(page(client, "jia", "yi"))
    totals = row(table, "compare-total-row", "标准服务包合计")
    assert "最低" in plain(totals[0][1]) and "所选机构中价格最低" in totals[0][1]
    assert "最低" not in plain(totals[1][1])
    transport = row(table, "compare-component-row", "遗体接运")
    assert "最低" in plain(transport[0][1]) and "最低" not in plain(transport[1][1])
    assert "visually-hidden" in transport[0][1]


def test_f6_compare_lists_other_categories_whole_with_units(client, homes):
    table = desktop_table(page(client, "jia", "yi"))
    urns = row(table, "compare-category-row", "骨灰盒")
    jia = plain(urns[0][1])
    assert "骨灰盒 540.00/个" in jia and "汉白玉骨灰盒（精品） 1,800.00/个" in jia
    assert "骨灰盒 720.00/个" in plain(urns[1][1])
    # A list of different goods is not ranked: no 最低 in a category list.
    assert "最低" not in plain(urns[0][1]) + plain(urns[1][1])


def test_f6_compare_says_plainly_what_a_provider_without_a_whole_package_misses(client, homes):
    cheap, dear = homes
    PackageMapping.objects.filter(provider=dear, component__category__code="cosmetic").delete()
    cemetery = ProviderFactory(name="丙公墓", slug="bing", type="cemetery")
    make_item(cemetery, "plot-use", name="卧式墓位", price="22000", unit=Unit.PLOT)
    table = desktop_table(page(client, "jia", "yi", "bing"))
    totals = row(table, "compare-total-row", "标准服务包合计")
    assert plain(totals[1][1]) == "标准服务包不完整 缺少：遗体整容"
    assert plain(totals[2][1]).startswith("未标价标准服务包 缺少：遗体接运、遗体存放（冷藏）")
    # With one package left, 甲 is not called the cheapest of one.
    assert "最低" not in plain(totals[0][1])
    assert "卧式墓位 22,000.00/座" in plain(row(table, "compare-category-row", "墓位使用费")[2][1])


def test_compare_each_column_opens_its_quote_builder_with_the_package_selected(client, homes):
    cheap, dear = homes
    PackageMapping.objects.filter(provider=dear, component__category__code="cosmetic").delete()
    html = page(client, "jia", "yi")
    links = re.findall(
        r"<a class=\"button[^\"]*\" href=\"([^\"]+)\">在此机构生成报价单<span class=\"visually-hidden\">：(.*?)</span>",
        html,
    )
    table_links = {name: href.replace("&amp;", "&") for href, name in links}
    assert table_links == {
        "甲殡仪馆": "/funeral/quote/?provider=jia&start=package",
        "乙殡仪馆": "/funeral/quote/?provider=yi",
    }
    quote = client.get(table_links["甲殡仪馆"]).content.decode()
    checked = set(re.findall(r"name=\"item\" value=\"(\d+)\"[^>]*checked", quote))
    mapped = {
        str(pk) for pk in PackageMapping.objects.filter(provider=cheap).values_list("item_id", flat=True)
    }
    assert checked == mapped and len(mapped) == 6


@pytest.mark.parametrize("count", [2, 4])
def test_compare_query_count_is_flat_for_2_and_4_providers(client, django_assert_max_num_queries, count):
    slugs = []
    for index in range(count):
        home = make_priced_funeral_home(Decimal("1") + Decimal(index) / 10, slug=f"home-{index}")
        make_item(home, "collection", name="超出里程加收", price="5.00", unit=Unit.KM)
        make_item(home, "urn", name="精品骨灰盒", price="1500")
        slugs.append(home.slug)
    BureauSettings.for_site(Site.objects.get(is_default_site=True))
    page(client, *slugs)  # warm the city statistics and package price caches
    with django_assert_max_num_queries(6):
        html = page(client, *slugs)
    assert html.count("在此机构生成报价单") == 2 * count  # one in the table, one on each card


def test_compare_leaves_out_an_unpublished_provider(client, homes):
    make_priced_funeral_home(Decimal("0.5"), name="丁殡仪馆（未公开）", slug="ding", is_published=False)
    html = page(client, "jia", "ding", "yi")
    assert "丁殡仪馆" not in html
    # Nor does its package price (420.00) count in the city's package figures.
    totals = row(desktop_table(html), "compare-total-row", "标准服务包合计")
    assert [plain(cell) for _cls, cell in totals[2:]] == ["756.00", "882.00", "1,008.00"]
    assert [c.provider.slug for c in compare_providers(homes).columns] == ["jia", "yi"]
    assert html.count("在此机构生成报价单") == 4  # two columns, each in the table and on a card
