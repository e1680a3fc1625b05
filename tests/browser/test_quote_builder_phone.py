"""Issue 18, point 2, on a phone (390×844): the quote builder's traps.

Checkboxes were 13×13 px, a quantity typed without ticking was dropped, Enter in a quantity
box submitted early, there were 59 tab stops to the submit button and no running total. Now
each item is one big tap target, typing a quantity ticks its item, Enter updates the total,
the total and the submit button come first and stay in view, and "从标准服务包开始" ticks
the provider's standard package.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def builder(demo_site, new_page):
    from marketplace.catalogue.models import Provider
    from marketplace.catalogue.services.packages import package_breakdowns, standard_package

    provider = Provider.objects.filter(type="funeral_home", is_published=True).order_by("pk").first()
    breakdown = package_breakdowns(standard_package(), [provider])[provider.pk]
    page = new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site.url}/funeral/quote/?provider={provider.slug}")
    return page, breakdown


def money(value):
    return f"¥{value:,.2f}"


def test_each_item_is_a_big_tap_target_and_typing_a_quantity_ticks_it(builder):
    page, breakdown = builder
    first = breakdown.lines[0].item
    box = page.get_by_role("checkbox", name=first.name, exact=True)
    expect(box).not_to_be_checked()
    # The whole label (name and price) toggles the item, and it is at least 48 px high.
    label = page.locator(f"label[for=item-{first.pk}]")
    assert label.bounding_box()["height"] >= 48 and label.bounding_box()["width"] >= 0.4 * PHONE["width"]
    page.locator(f"#item-price-{first.pk}").click()
    expect(box).to_be_checked()
    expect(page.locator("[data-quote-total]")).to_have_text(money(breakdown.lines[0].unit_price))

    second = breakdown.lines[1].item
    quantity = page.get_by_label(f"{second.name} 数量")
    expect(quantity).to_have_value("")  # an unticked item has no quantity, only a hint
    quantity.fill("3")
    expect(page.get_by_role("checkbox", name=second.name, exact=True)).to_be_checked()
    expected = breakdown.lines[0].unit_price + 3 * breakdown.lines[1].unit_price
    expect(page.locator("[data-quote-total]")).to_have_text(money(expected))
    expect(page.locator("[data-quote-count]")).to_have_text("已选 2 项")

    # Enter in a quantity box updates the total; it doesn't send the form half-filled.
    quantity.fill("2")
    quantity.press("Enter")
    expect(page).to_have_url(re.compile(r"/funeral/quote/\?provider="))
    expected = breakdown.lines[0].unit_price + 2 * breakdown.lines[1].unit_price
    expect(page.locator("[data-quote-total]")).to_have_text(money(expected))

    # The running total and the submit button stay in view while scrolling the items.
    page.mouse.wheel(0, 2000)
    summary = page.locator(".quote-summary")
    expect(summary).to_be_in_viewport()
    summary.get_by_role("button", name="生成费用明细").click()
    expect(page).to_have_url(re.compile(r"/funeral/quote/statement/$"))
    expect(page.locator(".statement-figure")).to_have_text(money(expected))


def test_the_submit_button_is_a_few_tab_stops_away(builder):
    page, _breakdown = builder
    submit = page.locator(".quote-summary button[type=submit]")
    stops = 0
    while not submit.evaluate("button => button === document.activeElement"):
        stops += 1
        assert stops < 60, "the submit button was not reached in 59 tab stops"
        page.keyboard.press("Tab")
    # The header, the menu, the breadcrumbs and the section's tabs come first (about 25 stops);
    # then the provider choice, the package shortcut and the submit button, before any item.
    assert stops <= 30, stops


def test_starting_from_the_standard_package_ticks_it_and_totals_it(builder):
    page, breakdown = builder
    page.get_by_role("link", name="从标准服务包开始").click()
    for line in breakdown.lines:
        expect(page.get_by_role("checkbox", name=line.item.name, exact=True)).to_be_checked()
    expect(page.locator("[data-quote-total]")).to_have_text(money(breakdown.total))
    expect(page.locator("[data-quote-count]")).to_have_text(f"已选 {len(breakdown.lines)} 项")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
