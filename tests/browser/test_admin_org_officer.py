"""The social-organisation section officer's day in the admin (issue 23): the credit proposals
queue opens on the open items sorted by deadline with countdowns; one item is cleared through
its decision page (with the confirmation summary), two more by a bulk decision; the filtered
listing is exported to CSV; the dashboard's queue counts go down accordingly."""

import csv
import io
import re

from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from tests.browser.helpers import assert_accessible

OFFICER = "13900000005"
QUEUE = "/admin/credit/proposals/"
COUNTDOWN = re.compile(r"剩余 \d+ 个工作日|已超期 \d+ 天|今日到期")


def admin_sign_in(page, base):
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(OFFICER)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    expect(page.locator("#queues-title")).to_be_visible()


def dashboard_count(page, base, which):
    page.goto(base + "/admin/")
    cell = page.locator(
        f'section[aria-labelledby="queues-title"] tr[data-queue="credit_proposals"] td[data-count="{which}"]'
    )
    return int(cell.inner_text().strip())


def row_names(page, count):
    rows = page.locator("table.listing tbody tr")
    return [rows.nth(index).locator("a").first.inner_text().strip() for index in range(count)]


def test_org_officer_clears_the_credit_queue(demo_site, new_page):
    base = demo_site.url
    page = new_page(accept_downloads=True)
    admin_sign_in(page, base)
    open_before = dashboard_count(page, base, "open")
    assert open_before >= 3

    # The queue opens on the open items, sorted by deadline, each with its countdown.
    page.goto(base + QUEUE)
    countdowns = page.locator("table.listing [data-countdown]")
    expect(countdowns.first).to_have_text(COUNTDOWN)
    assert countdowns.count() >= 3
    dates = [text.strip() for text in page.locator("table.listing tbody td small").all_inner_texts()]
    assert dates and dates == sorted(dates)
    expect(page.locator("table.listing tbody")).not_to_contain_text("已确认")
    assert_accessible(page)
    first, second, third = row_names(page, 3)

    # One item through its decision page: the summary first, then the decision.
    page.locator("table.listing tbody tr").first.locator("a").first.click()
    confirm = page.locator('form[aria-labelledby="confirm-title"]')
    expect(confirm.get_by_label("决定理由")).to_have_value("")
    confirm.get_by_label("决定理由").fill("逾期未报送年度报告，经核实列入")
    confirm.get_by_label("决定书文号").fill("京民异〔2026〕201号")
    confirm.get_by_role("button", name="确认并执行").click()
    summary = page.locator("[data-confirmation-summary]")
    expect(summary).to_contain_text(first)
    expect(summary.locator("[data-consequence]")).to_contain_text("公开信用查询页")
    page.get_by_role("button", name="确认无误，作出决定").click()
    expect(page.get_by_text("已确认该建议。")).to_be_visible()

    # Two more in one bulk decision, after the confirmation summary.
    page.goto(base + QUEUE)
    assert row_names(page, 2) == [second, third]
    checkboxes = page.locator("input[data-bulk-action-checkbox]")
    checkboxes.nth(0).check()
    checkboxes.nth(1).check()
    page.get_by_role("link", name="批量决定所选名录建议").click()
    bulk_summary = page.locator("table[data-bulk-summary] tbody tr")
    expect(bulk_summary).to_have_count(2)
    expect(page.locator("table[data-bulk-summary]")).to_contain_text(second)
    expect(page.locator("table[data-bulk-summary]")).to_contain_text(third)
    assert_accessible(page)
    page.get_by_label("确认并执行").check()
    page.get_by_label("决定理由（各项共用）").fill("逾期未报送年度报告")
    page.get_by_label("决定书文号").fill("京民异〔2026〕202号")
    page.get_by_role("button", name="决定所选建议").click()
    expect(page.get_by_text("已确认 2 条名录建议。")).to_be_visible()
    expect(page.locator("table.listing tbody")).not_to_contain_text(second)

    # The filtered listing (decided items) exports to CSV from the listing's own menu.
    page.goto(base + QUEUE + "?view=closed")
    page.locator("button:has(.icon-dots-horizontal)").first.click()
    with page.expect_download() as info:
        page.get_by_role("link", name="下载CSV").click()
    assert "export=csv" in info.value.url and "view=closed" in info.value.url
    with open(info.value.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    header, body = rows[0], rows[1:]
    names = [row[header.index("社会组织")] for row in body]
    assert {first, second, third} <= set(names)
    assert all(row[header.index("状态")] != "待决定" for row in body)
    decided = {row[header.index("社会组织")]: row for row in body}
    assert decided[second][header.index("决定理由")] == "逾期未报送年度报告"

    # The dashboard counts went down by the three decided.
    assert dashboard_count(page, base, "open") == open_before - 3
