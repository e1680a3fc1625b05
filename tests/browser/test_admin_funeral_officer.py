"""Issue 23 in the browser, as the demo funeral section officer: the price-flag queue opens on
the open flags, most urgent first, with working-day countdowns; the officer queries one flag
(it leaves the queue), accepts two others at once after a confirmation summary, exports the
filtered listing as CSV, sees the dashboard's counts go down, and opens the complaint queue.
axe checks the flag queue and the bulk confirmation page."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from marketplace.catalogue.models import PriceFlag
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories.catalogue import ProviderFactory, make_item

pytestmark = pytest.mark.django_db(transaction=True)

OFFICER = "13900000004"  # the funeral section (accounts demo)
COUNTDOWN = re.compile(r"剩余 \d+ 个工作日|今日到期|已超期 \d+ 天")


def journey_flags():
    """Three more open flags beside the demo's own, due in 1, 2 and 3 days' time."""
    today = timezone.localdate()
    flags = {}
    for offset, name in enumerate(("旅程骨灰盒甲", "旅程骨灰盒乙", "旅程骨灰盒丙"), start=1):
        provider = ProviderFactory(district="haidian")
        item = make_item(provider, "urn", name=name, price="3000.00")
        # Far above the demo's median of urns: publishing it flags it (F2); the deadline is set
        # here so that the three sort in a known order.
        flag, _created = PriceFlag.objects.get_or_create(
            version=item.versions.get(),
            defaults={"provider": provider, "median": Decimal("600.00"), "ratio": Decimal("5.00")},
        )
        PriceFlag.objects.filter(pk=flag.pk).update(review_due=today + datetime.timedelta(days=offset))
        flags[name] = flag
    return flags


def dashboard_count(page, base, queue, kind):
    page.goto(base + "/admin/")
    cell = page.locator(
        f'section[aria-labelledby="queues-title"] tr[data-queue="{queue}"] td[data-count="{kind}"]'
    )
    expect(cell.first).to_be_visible()
    return int(cell.first.inner_text().strip())


def test_funeral_officer_clears_bulk_accepts_exports_and_sees_the_counts_fall(demo_site, new_page):
    base = demo_site.url
    flags = journey_flags()
    officer = new_page()
    sign_in(officer, base, OFFICER)
    open_before = dashboard_count(officer, base, "catalogue_flag", "open")
    assert open_before >= 3

    # The queue opens on open flags, sorted by deadline, each with its countdown.
    officer.goto(base + "/admin/catalogue_flag/")
    rows = officer.locator("table.listing tbody tr")
    expect(rows.first).to_contain_text("待复核")
    expect(rows.first.locator("[data-countdown]")).to_have_text(COUNTDOWN)
    names = officer.locator("table.listing tbody tr td.title").all_inner_texts()
    journey = [next(n for n in flags if n in text) for text in names if "旅程骨灰盒" in text]
    assert journey == ["旅程骨灰盒甲", "旅程骨灰盒乙", "旅程骨灰盒丙"]
    assert_accessible(officer)

    # Clear one item: query the provider with a question.
    officer.get_by_role("link", name=re.compile("旅程骨灰盒甲")).first.click()
    expect(officer.get_by_role("textbox", name="民政局意见")).to_have_value("")
    officer.get_by_role("radio", name="质询：要求机构说明或调整").check()
    officer.get_by_role("textbox", name="民政局意见").fill("请说明该骨灰盒的材质与成本构成。")
    officer.get_by_role("button", name=re.compile("保存")).first.click()
    expect(officer.locator("table.listing")).not_to_contain_text("旅程骨灰盒甲")

    # Bulk-accept the two others, after the confirmation summary.
    for name in ("旅程骨灰盒乙", "旅程骨灰盒丙"):
        officer.locator("table.listing tbody tr").filter(has_text=name).locator(
            "input[data-bulk-action-checkbox]"
        ).check()
    officer.get_by_role("link", name=re.compile("^认可：价格合理")).click()
    summary = officer.locator('[data-summary="accept"]')
    expect(summary).to_contain_text("2 项")
    expect(officer.locator("table.listing")).to_contain_text("旅程骨灰盒乙")
    expect(officer.locator("table.listing")).to_contain_text("旅程骨灰盒丙")
    assert_accessible(officer)
    officer.get_by_role("textbox", name="共同复核意见").fill("两家机构均已提供材质与成本说明，价格合理。")
    officer.get_by_role("button", name="确认认可").click()
    expect(officer.locator(".messages")).to_contain_text("已认可 2 项")
    expect(officer.locator("table.listing")).not_to_contain_text("旅程骨灰盒乙")

    # Export the filtered listing (accepted flags in Haidian) as CSV.
    response = officer.request.get(
        base + "/admin/catalogue_flag/?view=all&state=accepted&district=haidian&export=csv"
    )
    assert response.ok
    table = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig"))))
    assert table[0][1] == "项目名称"
    assert sorted(row[1] for row in table[1:]) == ["旅程骨灰盒丙", "旅程骨灰盒乙"]
    assert {row[table[0].index("民政局意见")] for row in table[1:]} == {
        "两家机构均已提供材质与成本说明，价格合理。"
    }

    # The dashboard's count went down by the three cleared flags.
    assert dashboard_count(officer, base, "catalogue_flag", "open") == open_before - 3

    # The complaint queue opens on open complaints with the bureau's countdowns.
    officer.goto(base + "/admin/feedback_complaint/")
    expect(officer.get_by_role("heading", level=1)).to_contain_text("投诉")
    countdowns = officer.locator("table.listing [data-countdown]")
    if countdowns.count():
        expect(countdowns.first).to_have_text(COUNTDOWN)
