"""Issue 18, point 10: an organisation profile opens with a status summary — registration,
the credit lists, the latest annual report that was due, the rating — with a listing first,
as a warning that names its reason and date; and the finances show income by source and
spending by type across the accepted reports, in a table with its source and as-of date."""

import datetime
import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from orgs.credit.models import Grade, ListReason, ListType, Rating
from orgs.registry import services as registry_services
from orgs.registry.models import OrgStatus
from orgs.reports.services import accept_report
from orgs.reports.services.deadlines import deadlines_for
from tests.factories.accounts import UserFactory
from tests.factories.cms import make_home_page
from tests.factories.credit import at, make_listing
from tests.factories.orgs import OrganizationFactory, submitted_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    make_home_page()


def today():
    return timezone.localdate()


def last_year():
    return today().year - 1


def page(uscc, prefix=""):
    response = Client().get(f"{prefix}/orgs/{uscc}/")
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def squash(element):
    return re.sub(r"\s+", " ", element.get_text(" ", strip=True))


def first_content_after_heading(soup):
    heading = soup.find("h1")
    return heading.find_next_sibling(lambda tag: tag.name not in ("script", "style"))


def facts(soup):
    summary = soup.select_one("[data-summary]")
    return [squash(fact) for fact in summary.select(".summary-fact")]


def accepted(org, year, *, on, user=None, **figures):
    """A report for ``year`` filed five days before ``on`` and accepted on ``on``."""
    with freeze_time(at(on - datetime.timedelta(days=5))):
        report, _submission = submitted_report(org, year, **figures)
    with freeze_time(at(on)):
        accept_report(report, conclusion="qualified", comment="", user=user or UserFactory())
    return report


def registered_long_ago():
    return OrganizationFactory(registered_on=datetime.date(2015, 3, 1))


def test_the_summary_comes_first_and_names_the_listing_with_its_reason_and_date():
    org = registered_long_ago()
    listed_on = today() - datetime.timedelta(days=40)
    entry = make_listing(org, listed_on=listed_on, reason=ListReason.UNREACHABLE)

    soup = page(org.uscc)
    summary = first_content_after_heading(soup)
    assert summary.has_attr("data-summary"), summary.name
    lines = facts(soup)
    warning = lines[0]
    assert warning.startswith("警示 活动异常名录"), lines
    assert "通过登记的住所无法与其取得联系" in warning and listed_on.isoformat() in warning
    assert entry.document_number in warning
    # The green registration line comes after the warning, not before it.
    assert any(line.startswith("登记状态 正常") for line in lines[1:]), lines
    # The full listing history is still on the credit page the warning links to.
    link = soup.select_one("[data-summary] .summary-warning a")
    assert link["href"] == f"/credit/{org.uscc}/"


def test_a_serious_listing_and_a_revoked_registration_are_both_warnings():
    org = registered_long_ago()
    make_listing(
        org,
        listed_on=today() - datetime.timedelta(days=10),
        list_type=ListType.SERIOUS,
        reason=ListReason.CERTIFICATE_REVOKED,
    )
    registry_services.record_change(
        org, "status", OrgStatus.REVOKED, changed_on=today() - datetime.timedelta(days=12), user=UserFactory()
    )
    lines = facts(page(org.uscc))
    warnings = [line for line in lines if line.startswith("警示")]
    assert any("严重违法失信名单" in line and "被撤销登记证书" in line for line in warnings), lines
    assert any("登记状态 撤销" in line for line in warnings), lines


def test_an_organisation_with_nothing_adverse_says_so_plainly():
    org = registered_long_ago()
    accepted(org, last_year(), on=datetime.date(last_year() + 1, 5, 20))
    for year in range(last_year() - 4, last_year()):
        accepted(org, year, on=datetime.date(year + 1, 5, 20))

    soup = page(org.uscc)
    lines = facts(soup)
    assert not soup.select("[data-summary] .summary-warning") and "警示" not in " ".join(lines)
    assert lines[0].startswith("登记状态 正常") and "2015-03-01 成立登记" in lines[0]
    assert (
        f"信用名录 未列入活动异常名录或严重违法失信名单 截至 {today().isoformat()} 的登记管理机关记录"
        in lines
    )
    assert f"最近年度报告 {last_year()} 年度：合格 按期报送；{last_year() + 1}-05-20 审核通过" in lines
    # No rating on record: say that, not "unrated" or anything the data doesn't say.
    assert "评估等级 暂无等级评估记录" in lines


def test_an_unfiled_report_past_its_deadline_is_a_warning_and_the_rating_shows_its_expiry():
    org = registered_long_ago()
    Rating.objects.create(
        organization=org,
        score=Decimal("880.0"),
        grade=Grade.A4,
        evaluating_body="北京市社会组织评估中心",
        rated_on=datetime.date(2019, 6, 1),
        expires_on=datetime.date(2024, 5, 31),
        recorded_by=UserFactory(),
    )
    lines = facts(page(org.uscc))
    # The newest report year whose deadline (S2) has passed: last year's once its deadline is
    # behind us, else the year before (in January, last year's report is not due yet).
    year = last_year()
    if deadlines_for(org, year).registration >= today():
        year -= 1
    assert f"警示 最近年度报告 {year} 年度：逾期未报送" in lines[0], lines
    assert "评估等级 4A 已过期（有效期至 2024-05-31）" in lines


def test_the_summary_reads_in_english_with_the_warning_first():
    org = registered_long_ago()
    make_listing(org, listed_on=today() - datetime.timedelta(days=5))
    summary = first_content_after_heading(page(org.uscc, prefix="/en"))
    assert summary.has_attr("data-summary")
    assert "summary-warning" in summary.select_one(".summary-fact")["class"]


def income_table(soup):
    return {
        squash(row.th): [squash(cell) for cell in row.find_all("td")]
        for row in soup.select('table[data-table="income"] tbody tr')
    }


def test_the_table_lists_income_by_source_and_spending_by_type_for_each_year():
    org = registered_long_ago()
    accepted(org, last_year() - 1, on=datetime.date(last_year(), 5, 10))
    accepted(
        org,
        last_year(),
        on=datetime.date(last_year() + 1, 5, 20),
        income_donations=Decimal("410000.00"),
        income_government_grants=Decimal("150000.00"),
        income_total=Decimal("660000.00"),
    )
    soup = page(org.uscc)
    table = soup.select_one('table[data-table="income"]')
    headers = [squash(th) for th in table.select("thead th")]
    assert headers == [
        "年度",
        "捐赠收入",
        "政府补助收入",
        "提供服务收入",
        "会费收入",
        "投资收益",
        "其他收入",
        "收入合计",
    ]
    rows = income_table(soup)
    assert rows[str(last_year() - 1)] == [
        "300,000.00", "100,000.00", "50,000.00", "40,000.00", "5,000.00", "5,000.00", "500,000.00",
    ]  # fmt: skip
    assert (
        rows[str(last_year())][:2] == ["410,000.00", "150,000.00"]
        and rows[str(last_year())][-1] == "660,000.00"
    )
    spending = soup.select_one('table[data-table="spending"]')
    assert [squash(th) for th in spending.select("thead th")][1:] == [
        "业务活动成本", "管理费用", "筹资费用", "其他费用", "费用合计",
    ]  # fmt: skip
    assert "380,000.00" in squash(spending.select_one("tbody tr"))
    # The chart draws the same years, one stacked bar each, a segment per non-zero source.
    bars = soup.select('svg[data-chart="income"] g[data-year]')
    assert [bar["data-year"] for bar in bars] == [str(last_year() - 1), str(last_year())]
    assert len(bars[0].select("rect.seg")) == 6
    assert len(soup.select(f'svg[data-chart="spending"] g[data-year="{last_year()}"] rect.seg')) == 3
    assert soup.select_one('svg[data-chart="income"] desc').get_text().strip()


def test_the_source_line_names_the_reports_and_when_the_latest_was_accepted():
    org = registered_long_ago()
    accepted(org, last_year(), on=datetime.date(last_year() + 1, 5, 20))
    source = squash(page(org.uscc).select_one('[data-source="finances"]'))
    assert source == f"来源：{last_year()} 年度工作报告的财务报表（已通过审核，{last_year() + 1}-05-20）"

    accepted(org, last_year() - 2, on=datetime.date(last_year() - 1, 4, 30))
    source = squash(page(org.uscc).select_one('[data-source="finances"]'))
    assert source == (
        f"来源：{last_year() - 2}—{last_year()} 年度工作报告的财务报表，均已通过审核；"
        f"最近一份于 {last_year() + 1}-05-20 审核通过。"
    )


def test_the_chart_shows_at_most_the_configured_number_of_years(settings):
    settings.ORG_PROFILE_CHART_YEARS = 2
    org = registered_long_ago()
    for year in range(last_year() - 3, last_year() + 1):
        accepted(org, year, on=datetime.date(year + 1, 5, 20))
    soup = page(org.uscc)
    assert list(income_table(soup)) == [str(last_year() - 1), str(last_year())]
    summary_table = soup.find("caption", id="accepted-reports-caption").find_parent("table")
    assert len(summary_table.select("tbody tr")) == 4  # every accepted report stays in the summary table


def count_queries(url):
    client = Client()
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    return len(context.captured_queries)


def test_the_summary_keeps_the_profile_query_count_flat(django_assert_max_num_queries):
    org = registered_long_ago()
    bureau = UserFactory()
    accepted(org, last_year() - 4, on=datetime.date(last_year() - 3, 5, 20), user=bureau)
    make_listing(org, listed_on=today() - datetime.timedelta(days=300))
    small = count_queries(f"/orgs/{org.uscc}/")

    for year in range(last_year() - 3, last_year() + 1):
        accepted(org, year, on=datetime.date(year + 1, 5, 20), user=bureau)
    make_listing(org, listed_on=today() - datetime.timedelta(days=100), reason=ListReason.REPORT_NONCOMPLIANT)
    make_listing(
        org,
        listed_on=today() - datetime.timedelta(days=20),
        list_type=ListType.SERIOUS,
        reason=ListReason.JUDGMENT_DEFAULTER,
    )
    with django_assert_max_num_queries(small):
        soup = page(org.uscc)
    assert len(soup.select("[data-summary] .summary-warning")) == 3
    assert len(income_table(soup)) == 5
