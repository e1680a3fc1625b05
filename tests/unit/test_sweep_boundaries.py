"""Rules tested exactly at their limits (issue 24, point 3): the mutation audit found that
moving C1's day or C3's thresholds by one unit left every test green.

C1: basic information is disclosed within 30 days of the trigger: day 30 is on time, day 31
late. C3: a public-fundraising foundation's administrative costs are at most 10% of total
spending (exactly 10% is allowed, a cent more is a breach); administrative costs *under*
¥200,000 are exempt, so ¥199,999.99 is exempt and exactly ¥200,000 is not; charitable
spending is at least 70% of the base (exactly 70% passes, a cent less fails).
"""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings

from orgs.charity import services as charity
from orgs.charity.models import BasicInfoDisclosure
from orgs.registry.models import OrgType
from orgs.reports import services as reports
from orgs.reports.models import AnnualReport
from tests.factories.charity import CharityFactory
from tests.factories.orgs import OrganizationFactory, balanced_figures

pytestmark = pytest.mark.django_db

D = datetime.date


# --- C1 -----------------------------------------------------------------------------------------


def test_c1_limit_is_the_setting_of_30_days():
    assert settings.C1_BASIC_INFO_DISCLOSURE_DAYS == 30


@pytest.mark.parametrize(("published", "late"), [(D(2026, 3, 31), False), (D(2026, 4, 1), True)])
def test_c1_disclosure_on_day_30_is_on_time_and_day_31_late(published, late):
    """Recognised on 1 March: 31 March is day 30, 1 April day 31."""
    organization = CharityFactory(charity_recognized_on=D(2026, 3, 1))
    disclosure = charity.publish_basic_info(
        BasicInfoDisclosure(
            organization=organization,
            changed_on=D(2026, 3, 1),
            summary="公开章程和理事会名单",
            governing_body="张三 理事长",
        ),
        user=None,
        today=published,
    )
    assert disclosure.days_to_publish == (published - D(2026, 3, 1)).days
    assert disclosure.late is late
    (due,) = charity.basic_info_obligations(organization)
    assert due.deadline == D(2026, 3, 31)
    assert due.late is late


@pytest.mark.parametrize(("today", "overdue"), [(D(2026, 3, 31), False), (D(2026, 4, 1), True)])
def test_c1_undisclosed_is_overdue_from_day_31(today, overdue):
    organization = CharityFactory(charity_recognized_on=D(2026, 3, 1))
    (due,) = charity.basic_info_obligations(organization)
    assert due.overdue(today) is overdue


# --- C3 -----------------------------------------------------------------------------------------


def public_foundation():
    return OrganizationFactory(
        org_type=OrgType.FOUNDATION, charity_recognized_on=D(2018, 1, 1), public_fundraising=True
    )


def c3(organization, **fields):
    report = AnnualReport(
        organization=organization, year=2025, deadline=D(2026, 5, 31), **balanced_figures(**fields)
    )
    return {check.key: check for check in reports.c3_checks(report)}


def spending(total, admin):
    return {
        "expense_administration": Decimal(admin),
        "expense_business": Decimal(total) - Decimal(admin),
        "expense_fundraising": Decimal("0.00"),
        "expense_other": Decimal("0.00"),
        "expense_total": Decimal(total),
    }


def test_c3_limits_are_the_settings():
    assert Decimal("0.10") == settings.C3_MAX_ADMIN_COST_RATIO
    assert Decimal("200000.00") == settings.C3_ADMIN_COST_EXEMPT_BELOW
    assert Decimal("0.70") == settings.C3_MIN_CHARITABLE_SPENDING_RATIO


@pytest.mark.parametrize(
    ("admin", "ok"),
    [
        ("200000.00", True),  # exactly 10 % of ¥2,000,000 (and not exempt: not under ¥200,000)
        ("200000.01", False),  # a cent over 10 %
        ("200099.99", False),  # still over 10 % even though it rounds to 10.00 %
    ],
)
def test_c3_administrative_costs_of_exactly_10_percent_pass_and_a_cent_more_is_a_breach(admin, ok):
    checks = c3(public_foundation(), **spending("2000000.00", admin))
    assert checks["admin_costs"].ok is ok
    assert checks["admin_costs"].note == ""  # the exemption plays no part here


@pytest.mark.parametrize(("admin", "exempt"), [("199999.99", True), ("200000.00", False)])
def test_c3_only_administrative_costs_under_200000_are_exempt(admin, exempt):
    """At 20 % of total spending (double the limit): exempt just under ¥200,000, a breach at it."""
    total = (Decimal(admin) * 5).quantize(Decimal("0.01"))
    checks = c3(public_foundation(), **spending(total, admin))
    assert checks["admin_costs"].ok is exempt
    assert bool(checks["admin_costs"].note) is exempt


@pytest.mark.parametrize(("spent", "ok"), [("700000.00", True), ("699999.99", False)])
def test_c3_charitable_spending_of_exactly_70_percent_passes_and_a_cent_less_fails(spent, ok):
    checks = c3(
        public_foundation(), previous_year_income=Decimal("1000000.00"), charitable_spending=Decimal(spent)
    )
    assert checks["charitable_spending"].ok is ok
