"""Issue 18, point 3, in a real browser: the comparison compares like with like (F6) and leads
to a quote, on a phone as stacked cards (one provider per card) and on a desktop as a table.

On the demo site 遗体接运's cheapest item is the 5.00/公里 surcharge; the comparison shows the
¥200 base transport the standard package maps instead."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, assert_accessible, assert_no_horizontal_overflow

pytestmark = pytest.mark.django_db(transaction=True)

FLAGSHIP = "京西示例殡仪馆（示例）"
SECOND = "东郊示例殡仪馆（示例）"
CEMETERY = "西山示例公墓（示例）"
PATH = "/funeral/compare/?p=demo-jingxi-funeral-home&p=demo-dongjiao-funeral-home&p=demo-xishan-cemetery"


def overflowing(page):
    """Elements wider than the screen, outside a box that scrolls on purpose."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('main *')).filter(el => {
            const box = el.getBoundingClientRect();
            return box.width > 0 && box.right > window.innerWidth + 1 && !el.closest('.table-wrap');
        }).map(el => el.tagName + '.' + el.className)"""
    )


def test_f6_compare_on_a_phone_is_one_card_per_provider_package_first_and_leads_to_a_quote(
    demo_site, new_page
):
    page = new_page()
    page.set_viewport_size(PHONE)
    page.goto(demo_site.url + PATH)
    assert_no_horizontal_overflow(page)
    assert overflowing(page) == []
    expect(page.get_by_role("table", name="标准服务包与服务类别比较（元）")).to_be_hidden()

    cards = page.locator(".compare-card")
    expect(cards).to_have_count(3)
    widths = page.evaluate(
        "() => Array.from(document.querySelectorAll('.compare-card')).map(c => c.getBoundingClientRect().width)"
    )
    assert all(width <= PHONE["width"] for width in widths), widths
    flagship = page.get_by_role("region", name=FLAGSHIP)
    # The standard-package total comes first on the card, then its components.
    first_text = flagship.locator("h2 + *").inner_text()
    assert first_text.startswith("标准服务包合计") and "¥" in first_text, first_text
    transport = flagship.locator(".compare-card-row").filter(has_text="遗体接运").first
    expect(transport.locator(".compare-amount")).to_have_text("200.00")
    expect(transport).to_contain_text("殡仪车接运（60公里以内）")
    expect(transport).to_contain_text("5.00/公里")  # the surcharge is shown, beside, not compared
    # The cheapest package is named in text, not only by colour.
    expect(page.locator(".compare-card-total").filter(has_text="最低")).to_have_count(1)
    # A cemetery without the package says so, with what is missing.
    expect(page.get_by_role("region", name=CEMETERY)).to_contain_text("未标价标准服务包")
    assert_accessible(page)

    # Large-text mode keeps the cards and still fits the screen.
    page.context.add_cookies([{"name": "platform_large_text", "value": "1", "url": demo_site.url}])
    page.reload()
    expect(cards.first).to_be_visible()
    assert_no_horizontal_overflow(page)
    assert overflowing(page) == []

    # Each card leads to that provider's quote builder, with the standard package ticked.
    page.get_by_role("link", name=re.compile(f"^在此机构生成报价单\\W*{re.escape(SECOND)}$")).click()
    expect(page).to_have_url(
        re.compile(r"/funeral/quote/\?provider=demo-dongjiao-funeral-home&start=package")
    )
    expect(page.get_by_label("殡仪车接运（60公里以内）", exact=True)).to_be_checked()
    expect(page.get_by_label("超出里程加收", exact=True)).not_to_be_checked()


def test_f6_compare_on_a_desktop_is_a_table_starting_with_the_package_total(demo_site, page):
    page.goto(demo_site.url + PATH)
    expect(page.locator(".compare-cards")).to_be_hidden()
    table = page.get_by_role("table", name="标准服务包与服务类别比较（元）")
    expect(table.get_by_role("columnheader", name=FLAGSHIP)).to_be_visible()
    first_row = table.locator("tbody tr").first
    expect(first_row.get_by_role("rowheader")).to_contain_text("标准服务包合计")
    transport = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile("^遗体接运"))
    )
    expect(transport.locator("td").first.locator(".compare-amount")).to_have_text("200.00")
    expect(table.locator("td.highlight").first).to_contain_text("最低")
    table.get_by_role("link", name=re.compile(f"^在此机构生成报价单\\W*{re.escape(FLAGSHIP)}$")).click()
    expect(page).to_have_url(re.compile(r"provider=demo-jingxi-funeral-home&start=package"))
    expect(page.get_by_label("遗体冷藏", exact=True)).to_be_checked()
