"""Issue 18, point 5, in a phone-sized browser: a family builds a quote without an account,
follows "登录并保存报价单", signs in, and finds the same provider and items, then saves them."""

import re

import pytest
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from marketplace.catalogue.models import Quote

pytestmark = pytest.mark.django_db(transaction=True)

FAMILY = "13900000002"  # 王丽 (accounts demo)
FLAGSHIP = "京西示例殡仪馆（示例）"
CHOSEN = {"殡仪车接运（60公里以内）": 1, "遗体冷藏": 3, "实木骨灰盒（普通）": 1}


def statement_rows(page):
    """{item name: the quantity cell's text} of the statement on screen."""
    table = page.get_by_role("table", name=re.compile("所选商品和服务明细"))
    rows = {}
    for row in table.locator("tbody tr").all():
        rows[row.locator("th").inner_text().strip()] = row.locator("td").nth(2).inner_text().strip()
    return rows


def test_a_quote_built_on_a_phone_survives_sign_in_and_is_saved_whole(demo_site, page):
    base = demo_site.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/funeral/quote/")
    page.get_by_label("机构", exact=True).select_option(label=FLAGSHIP)
    page.get_by_role("button", name="选择").click()
    for name, quantity in CHOSEN.items():
        page.get_by_label(name, exact=True).check()
        page.get_by_label(f"{name} 数量").fill(str(quantity))
    page.get_by_label("海葬").check()
    page.get_by_role("button", name="生成费用明细").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("费用明细")
    before = statement_rows(page)
    assert set(before) == set(CHOSEN) and before["遗体冷藏"].startswith("3")
    total = page.get_by_role("row", name=re.compile("应付合计")).inner_text()

    offer = page.get_by_role("link", name="登录并保存报价单")
    offer.scroll_into_view_if_needed()
    expect(offer).to_be_in_viewport()
    offer.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    page.get_by_label("手机号码").fill(FAMILY)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    # Back on the same statement, signed in: the same provider, items, quantities and total.
    expect(page).to_have_url(base + "/funeral/quote/statement/")
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    expect(page.get_by_text(FLAGSHIP).first).to_be_visible()
    assert statement_rows(page) == before
    assert page.get_by_role("row", name=re.compile("应付合计")).inner_text() == total

    page.get_by_role("button", name="保存报价单").click()
    expect(page.get_by_role("status")).to_contain_text("报价单已保存")
    assert statement_rows(page) == before
    quote = Quote.objects.filter(user__mobile=FAMILY).latest("created_at")
    assert quote.provider.name == FLAGSHIP and quote.burial_choice == "sea"
    assert {line.item.name: line.quantity for line in quote.lines.select_related("item")} == CHOSEN
    expect(page.locator("p.lead")).to_contain_text(f"报价单号 {quote.reference}")
