"""Issue 18, point 10, on a phone (390×844): an organisation's profile shows a listing as a
warning on the first screen, with its reason and date; the income and spending charts keep
their labels at 12 px or more; the table beside them lists income by source per year, with
the source and as-of date under them; and axe passes in both languages."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, assert_accessible, assert_no_horizontal_overflow

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listed_org(transactional_db, live_server, settings, tmp_path):
    """An organisation with three accepted reports, listed on the abnormal list 40 days ago."""
    from orgs.credit.models import ListReason
    from orgs.reports.services import accept_report
    from tests.factories.accounts import UserFactory
    from tests.factories.cms import make_home_page
    from tests.factories.credit import at, make_listing
    from tests.factories.orgs import OrganizationFactory, submitted_report

    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    make_home_page()
    org = OrganizationFactory(
        name="北京市朝阳区社区互助服务协会",
        registered_on=datetime.date(2015, 3, 1),
        introduction="社区互助。",
    )
    bureau = UserFactory()
    last = timezone.localdate().year - 1
    for offset, donations in ((2, "200000.00"), (1, "260000.00"), (0, "300000.00")):
        year = last - offset
        with freeze_time(at(datetime.date(year + 1, 5, 10))):
            report, _submission = submitted_report(
                org,
                year,
                income_donations=Decimal(donations),
                income_total=Decimal(donations) + Decimal("200000.00"),
            )
        with freeze_time(at(datetime.date(year + 1, 5, 20))):
            accept_report(report, conclusion="qualified", comment="", user=bureau)
    listed_on = timezone.localdate() - datetime.timedelta(days=40)
    make_listing(org, listed_on=listed_on, reason=ListReason.UNREACHABLE)
    return {"org": org, "base": live_server.url, "listed_on": listed_on, "last": last}


def test_the_listing_warning_is_on_the_first_phone_screen_with_its_reason_and_date(listed_org, phone):
    phone.goto(f"{listed_org['base']}/orgs/{listed_org['org'].uscc}/")
    # The first time the page names the listing's reason, it is on the first screen.
    reason = phone.get_by_text("通过登记的住所无法与其取得联系").first
    box = reason.bounding_box()
    assert box["y"] < PHONE["height"], box
    # There it is a warning, in words and not colour alone, with the list and the date.
    warning = phone.locator("[data-summary] .summary-warning").first
    expect(warning).to_contain_text("警示")
    expect(warning).to_contain_text("活动异常名录")
    expect(warning).to_contain_text("通过登记的住所无法与其取得联系")
    expect(warning).to_contain_text(listed_org["listed_on"].isoformat())
    assert warning.bounding_box()["y"] < PHONE["height"]
    # It comes before the registration status, which is no longer the page's opening line.
    status = phone.locator("[data-summary] .summary-fact", has_text="登记状态")
    assert status.bounding_box()["y"] > warning.bounding_box()["y"]
    assert_no_horizontal_overflow(phone)


def rendered_label_sizes(page, selector):
    """The on-screen size in CSS px of every text in the chart: the font size times the
    SVG's scale."""
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector + ' text')).map(t =>
            parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)""",
        selector,
    )


def test_the_charts_are_readable_on_a_phone_beside_their_tables_and_source(listed_org, phone):
    phone.goto(f"{listed_org['base']}/orgs/{listed_org['org'].uscc}/")
    last = listed_org["last"]
    sizes = rendered_label_sizes(phone, "svg[data-chart]")
    assert sizes and min(sizes) >= 12, sizes  # every label of the profile's charts, on screen
    for key in ("income", "spending"):
        chart = phone.locator(f'svg[data-chart="{key}"]')
        expect(chart).to_be_visible()
        sizes = rendered_label_sizes(phone, f'svg[data-chart="{key}"]')
        assert len(sizes) == 6 and min(sizes) >= 12, sizes  # a year and a total per bar
    table = phone.get_by_role("table", name="各年度收入来源（元）")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["年度", "捐赠收入", "政府补助收入", "提供服务收入", "会费收入", "投资收益", "其他收入", "收入合计"]
    )
    expect(table.get_by_role("row", name=str(last - 2))).to_contain_text("200,000.00")
    expect(table.get_by_role("row", name=str(last))).to_contain_text("300,000.00")
    expect(phone.get_by_role("table", name="各年度支出类型（元）")).to_contain_text("业务活动成本")
    source = phone.locator('[data-source="finances"]')
    expect(source).to_have_text(
        f"来源：{last - 2}—{last} 年度工作报告的财务报表，均已通过审核；最近一份于 {last + 1}-05-20 审核通过。"
    )
    assert_no_horizontal_overflow(phone)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_profile_passes_axe_at_phone_size(listed_org, phone, prefix):
    phone.goto(f"{listed_org['base']}{prefix}/orgs/{listed_org['org'].uscc}/")
    expect(phone.locator("[data-summary] .summary-warning").first).to_be_visible()
    assert_no_horizontal_overflow(phone)
    assert_accessible(phone)
