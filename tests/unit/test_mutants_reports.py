"""C3 spending ratios and the S2/C1 report deadlines: the cases the mutation run found
untested (issue 24, point 5). Each test is named after what an organisation or an officer
relies on."""

import datetime
from decimal import Decimal

import pytest
from freezegun import freeze_time

from orgs.registry.models import OrgType
from orgs.reports import services
from orgs.reports.models import AnnualReport, ReportStatus
from orgs.reports.services.ratios import c3_for, income_history
from tests.factories.accounts import UserFactory
from tests.factories.orgs import OrganizationFactory, SupervisingUnitFactory, balanced_figures

pytestmark = pytest.mark.django_db
D = datetime.date


def charity(**fields):
    fields.setdefault("charity_recognized_on", D(2018, 1, 1))
    return OrganizationFactory(**fields)


def report_for(organization, year=2025, **fields):
    return AnnualReport(
        organization=organization, year=year, deadline=D(year + 1, 5, 31), **balanced_figures(**fields)
    )


def checks(organization, history=None, **fields):
    return {check.key: check for check in services.c3_checks(report_for(organization, **fields), history)}


# --- C3 ------------------------------------------------------------------------------------------


def test_c3_shows_each_ratio_with_its_label_limit_direction_and_base():
    foundation = charity(org_type=OrgType.FOUNDATION, public_fundraising=True)
    result = services.c3_checks(
        report_for(
            foundation, previous_year_income=Decimal("1000000.00"), charitable_spending=Decimal("700000.00")
        )
    )
    spending, admin = result
    assert (spending.key, spending.label, spending.is_minimum, spending.limit) == (
        "charitable_spending",
        "慈善活动支出比例",
        True,
        Decimal("0.70"),
    )
    assert (spending.actual, spending.ok, spending.note) == (Decimal("0.7000"), True, "以上年度总收入为基数")
    assert (admin.key, admin.label, admin.is_minimum, admin.limit) == (
        "admin_costs",
        "管理费用占总支出比例",
        False,
        Decimal("0.10"),
    )
    # 50,000 of 440,000: 11.36 %, over the limit but exempt, and the page says why.
    assert (admin.actual, admin.ok) == (Decimal("0.1136"), True)
    assert admin.note == "管理费用低于 200,000.00 元，不受比例限制"


def test_c3_administrative_costs_of_exactly_200000_are_not_exempt_and_carry_no_exemption_note():
    foundation = charity(org_type=OrgType.FOUNDATION, public_fundraising=True)
    admin = checks(
        foundation,
        expense_business=Decimal("1600000.00"),
        expense_administration=Decimal("200000.00"),
        expense_fundraising=Decimal("0.00"),
        expense_total=Decimal("1800000.00"),
    )["admin_costs"]
    assert (admin.ok, admin.note) == (False, "")


def test_c3_a_public_fundraising_charity_that_is_not_a_foundation_has_the_13_percent_admin_limit():
    group = charity(org_type=OrgType.SOCIAL_SERVICE, public_fundraising=True)
    figures = {
        "expense_business": Decimal("1740000.00"),
        "expense_administration": Decimal("260000.00"),
        "expense_fundraising": Decimal("0.00"),
        "expense_total": Decimal("2000000.00"),
    }
    admin = checks(group, **figures)["admin_costs"]
    assert admin.limit == Decimal("0.13") and admin.ok  # 13 % exactly
    over = dict(figures, expense_business=Decimal("1739999.99"), expense_administration=Decimal("260000.01"))
    assert not checks(group, **over)["admin_costs"].ok


def test_c3_without_a_base_or_total_spending_nothing_is_computed_and_nothing_is_flagged():
    foundation = charity(org_type=OrgType.FOUNDATION, public_fundraising=True)
    result = checks(
        foundation,
        previous_year_income=Decimal("0.00"),
        expense_business=Decimal("0.00"),
        expense_administration=Decimal("0.00"),
        expense_fundraising=Decimal("0.00"),
        expense_total=Decimal("0.00"),
    )
    spending, admin = result["charitable_spending"], result["admin_costs"]
    assert (spending.actual, spending.ok, spending.note) == (None, True, "无基数数据，不计算")
    assert (admin.actual, admin.ok) == (None, True)


def test_c3_the_three_year_average_is_the_base_only_when_it_is_lower_and_complete():
    foundation = charity(org_type=OrgType.FOUNDATION, public_fundraising=True)
    fields = {"previous_year_income": Decimal("900000.00"), "charitable_spending": Decimal("600000.00")}
    # Average 800,000.003… → 800,000.00: 600,000 is 75 % of it.
    lower = checks(foundation, [Decimal("700000.00"), Decimal("800000.00"), Decimal("900000.01")], **fields)
    assert lower["charitable_spending"].note == "以前三年收入平均数为基数"
    assert lower["charitable_spending"].actual == Decimal("0.7500") and lower["charitable_spending"].ok
    # Equal to last year's income: last year's income stays the base.
    equal = checks(foundation, [Decimal("900000.00")] * 3, **fields)
    assert equal["charitable_spending"].note == "以上年度总收入为基数"
    # A year missing: no average, last year's income is the base (600,000 of 900,000 is short).
    missing = checks(foundation, [Decimal("100000.00"), None, Decimal("100000.00")], **fields)
    assert (
        missing["charitable_spending"].note == "以上年度总收入为基数"
        and not missing["charitable_spending"].ok
    )
    # No income last year: the average is the base even though it is higher.
    no_base = checks(
        foundation,
        [Decimal("600000.00")] * 3,
        previous_year_income=Decimal("0.00"),
        charitable_spending=Decimal("420000.00"),
    )
    assert no_base["charitable_spending"].note == "以前三年收入平均数为基数"
    assert no_base["charitable_spending"].actual == Decimal("0.7000") and no_base["charitable_spending"].ok


def test_c3_a_charity_without_public_fundraising_uses_the_tier_its_net_assets_reach_exactly():
    other = charity(org_type=OrgType.SOCIAL_SERVICE)
    # Exactly 5,000,000 of net assets: the 5,000,000 tier (7 % spending, 14 % administration).
    at_floor = checks(
        other, previous_year_net_assets=Decimal("5000000.00"), charitable_spending=Decimal("350000.00")
    )
    spending = at_floor["charitable_spending"]
    assert (spending.limit, at_floor["admin_costs"].limit) == (Decimal("0.07"), Decimal("0.14"))
    assert spending.ok and spending.note == "以上年末净资产为基数"
    # Negative net assets reach no floor: the last tier applies.
    below = checks(other, previous_year_net_assets=Decimal("-10.00"))
    assert (below["charitable_spending"].limit, below["admin_costs"].limit) == (
        Decimal("0.08"),
        Decimal("0.20"),
    )


def test_c3_income_history_is_the_total_income_of_the_three_years_before_oldest_first():
    foundation = charity(org_type=OrgType.FOUNDATION, public_fundraising=True)
    other = charity(org_type=OrgType.FOUNDATION, public_fundraising=True)
    user = UserFactory()
    for year, income in (
        (2020, "1.00"),
        (2021, "100.00"),
        (2023, "300.00"),
        (2024, "400.00"),
        (2025, "500.00"),
    ):
        AnnualReport.objects.create(
            organization=foundation,
            year=year,
            deadline=D(year + 1, 5, 31),
            created_by=user,
            **balanced_figures(income_total=Decimal(income)),
        )
    AnnualReport.objects.create(
        organization=other, year=2022, deadline=D(2023, 5, 31), created_by=user, **balanced_figures()
    )
    report = AnnualReport.objects.get(organization=foundation, year=2025)
    assert income_history(report) == [None, Decimal("300.00"), Decimal("400.00")]


def test_c3_for_a_charity_takes_the_lower_three_year_average_from_its_filed_reports():
    foundation = charity(org_type=OrgType.FOUNDATION, public_fundraising=True)
    user = UserFactory()
    for year in (2022, 2023, 2024):
        AnnualReport.objects.create(
            organization=foundation,
            year=year,
            deadline=D(year + 1, 5, 31),
            created_by=user,
            **balanced_figures(income_total=Decimal("500000.00")),
        )
    report = report_for(
        foundation, previous_year_income=Decimal("1000000.00"), charitable_spending=Decimal("350000.00")
    )
    spending = c3_for(report)[0]
    assert spending.note == "以前三年收入平均数为基数" and spending.ok
    assert c3_for(report_for(OrganizationFactory())) == []


# --- S2 and C1 deadlines -----------------------------------------------------------------------


def test_c1_a_charity_files_by_the_c1_day_when_it_is_earlier_than_s2(settings):
    settings.C1_CHARITY_REPORT_DEADLINE = (4, 30)
    supervised = charity(org_type=OrgType.SOCIAL_SERVICE, supervising_unit=SupervisingUnitFactory())
    assert services.deadlines_for(supervised, 2025) == services.Deadlines(
        registration=D(2026, 4, 30), supervisor=D(2026, 3, 31)
    )
    # S2 earlier than C1 (a foundation's 31 March): S2 stands.
    assert services.deadlines_for(charity(org_type=OrgType.FOUNDATION), 2025).registration == D(2026, 3, 31)
    # Not a charity: C1 does not apply.
    assert services.deadlines_for(OrganizationFactory(), 2025).registration == D(2026, 5, 31)


def test_s3_a_returned_report_counts_down_to_its_resubmission_deadline_and_only_then():
    org = OrganizationFactory()
    returned = AnnualReport(
        organization=org,
        year=2025,
        deadline=D(2026, 5, 31),
        status=ReportStatus.RETURNED,
        resubmit_deadline=D(2026, 6, 8),
    )
    assert services.applicable_deadline(returned) == D(2026, 6, 8)
    no_date = AnnualReport(organization=org, year=2025, deadline=D(2026, 5, 31), status=ReportStatus.RETURNED)
    assert services.applicable_deadline(no_date) == D(2026, 5, 31)
    submitted = AnnualReport(
        organization=org,
        year=2025,
        deadline=D(2026, 5, 31),
        status=ReportStatus.SUBMITTED,
        resubmit_deadline=D(2026, 6, 8),
    )
    assert services.applicable_deadline(submitted) == D(2026, 5, 31)


def test_s2_on_the_deadline_day_the_report_is_due_today_and_not_overdue():
    report = AnnualReport(organization=OrganizationFactory(), year=2025, deadline=D(2026, 5, 31))
    assert services.countdown(report, D(2026, 5, 31)) == {
        "days": 0,
        "overdue": False,
        "deadline": D(2026, 5, 31),
    }
    assert services.countdown(report, D(2026, 6, 1)) == {
        "days": 1,
        "overdue": True,
        "deadline": D(2026, 5, 31),
    }
    with freeze_time("2026-05-31 07:30:00+08:00"):  # still 30 May in UTC: the day is Beijing's
        assert services.days_left(report) == 0
        assert services.countdown(report) == {"days": 0, "overdue": False, "deadline": D(2026, 5, 31)}


def test_s2_the_years_open_for_filing_are_bounded_by_registration_and_the_window(settings):
    settings.S2_FILING_WINDOW_YEARS = 5
    org = OrganizationFactory(registered_on=D(2015, 3, 1))
    today = D(2026, 12, 1)
    assert services.report_years(org, today) == [2025, 2024, 2023, 2022, 2021]
    assert services.report_years(org, today, window_years=2) == [2025, 2024]
    assert services.report_years(org, today, window_years=8) == [2025, 2024, 2023, 2022, 2021]
    young = OrganizationFactory(registered_on=D(2023, 6, 1))
    assert services.report_years(young, today) == [2025, 2024, 2023]
    with freeze_time("2026-12-01 09:00:00+08:00"):
        assert services.filing_years(young) == [2025, 2024, 2023]


def test_c3_a_ratio_exactly_halfway_is_rounded_up_as_the_page_shows_it():
    """12,345 of 100,000 is 12.345 %: the stored ratio is 0.1235 and the page shows 12.4 %."""
    foundation = charity(org_type=OrgType.FOUNDATION, public_fundraising=True)
    admin = checks(
        foundation,
        expense_business=Decimal("87655.00"),
        expense_administration=Decimal("12345.00"),
        expense_fundraising=Decimal("0.00"),
        expense_total=Decimal("100000.00"),
    )["admin_costs"]
    assert (admin.actual, admin.actual_percent) == (Decimal("0.1235"), Decimal("12.4"))
