"""Issue 13 (credit): the rule texts quote the settings the rules apply, the report years
filed (S2) and checked (S5) come from one setting-driven function, and working-day
arithmetic lives in ``core.dates`` with the bureau's holiday calendar plugged in."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from freezegun import freeze_time

from core import dates
from orgs.credit import services
from orgs.credit.models import ListReason, Proposal, RemovalReason, Rule
from orgs.reports import services as report_services
from orgs.reports.holidays import calendar_days
from orgs.reports.models import CalendarDay
from tests.factories.accounts import PASSWORD
from tests.factories.credit import at, make_listing, officer
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _proposal_page(proposal):
    client = Client()
    user = officer()
    assert client.login(username=user.mobile, password=PASSWORD)
    response = client.get(f"/admin/credit/proposals/edit/{proposal.pk}/")
    assert response.status_code == 200
    return response.content.decode()


# --- Rule texts follow the settings ------------------------------------------------------------


def test_s5_rule_text_follows_the_setting(settings):
    settings.S5_AUTO_REMOVAL_MONTHS = 3
    org = OrganizationFactory()
    with freeze_time(at(D(2026, 1, 15))):
        make_listing(org, listed_on=D(2026, 1, 15), reason=ListReason.FUNDRAISING_REVOKED)
    services.run_rules(D(2026, 4, 15))
    proposal = Proposal.objects.get(organization=org, rule=Rule.S5_REMOVE_SIX_MONTHS)

    html = _proposal_page(proposal)

    assert "列入满3个月移出活动异常名录" in html  # the rule text
    assert "S5 列入满3个月且无需整改" in html  # the rule's label
    assert "满6个月" not in html


def test_s5_s6_labels_follow_the_settings_in_both_languages(settings):
    settings.S5_AUTO_REMOVAL_MONTHS = 4
    settings.S5_SMALL_FINE_LIMIT = Decimal("30000")
    settings.S6_REPEAT_PENALTY_COUNT = 3
    settings.S6_REPEAT_PENALTY_YEARS = 5
    with translation.override("zh-hans"):
        assert str(RemovalReason.SIX_MONTHS.label) == "列入满4个月且无需整改（S5）"
        assert str(ListReason.LARGE_FINE_OR_REPEAT.label) == "受到3万元以上罚款或5年内3次以上行政处罚"
    with translation.override("en"):
        assert str(RemovalReason.SIX_MONTHS.label) == "4 months on the list with nothing to fix (S5)"
        assert (
            str(ListReason.LARGE_FINE_OR_REPEAT.label)
            == "Fine of ¥30,000 or more, or 3 or more penalties within 5 years"
        )


# --- S2 and S5 agree on the report years -------------------------------------------------------


def test_s5_checked_years_are_the_filing_years_of_one_setting(settings):
    org = OrganizationFactory(registered_on=D(2015, 3, 1))
    today = D(2026, 7, 1)

    settings.S2_FILING_WINDOW_YEARS = 3
    settings.S5_OVERDUE_LOOKBACK_YEARS = 3
    assert report_services.filing_years(org, today) == [2025, 2024, 2023]
    assert list(services.report_years_checked(org, today)) == [2023, 2024, 2025]

    # S5 may look back less far than reports can be filed, never further.
    settings.S5_OVERDUE_LOOKBACK_YEARS = 2
    assert list(services.report_years_checked(org, today)) == [2024, 2025]
    settings.S5_OVERDUE_LOOKBACK_YEARS = 5
    assert list(services.report_years_checked(org, today)) == [2023, 2024, 2025]
    assert set(services.report_years_checked(org, today)) <= set(report_services.filing_years(org, today))


def test_s5_proposes_no_listing_for_a_year_that_can_no_longer_be_filed(settings):
    settings.S2_FILING_WINDOW_YEARS = 3
    settings.S5_OVERDUE_LOOKBACK_YEARS = 5
    org = OrganizationFactory(registered_on=D(2015, 3, 1))
    services.run_rules(D(2026, 7, 1))
    years = set(
        Proposal.objects.filter(organization=org, rule=Rule.S5_LIST_OVERDUE_REPORT).values_list(
            "report_year", flat=True
        )
    )
    assert years == {2023, 2024, 2025}


# --- Working days in core, holidays from the reports calendar ----------------------------------


def test_core_working_days_use_the_registered_holiday_calendar():
    assert dates.registered_calendar() is calendar_days
    CalendarDay.objects.update_or_create(
        date=D(2026, 12, 1), defaults={"kind": "holiday", "name": "测试假日"}
    )
    assert not dates.is_working_day(D(2026, 12, 1))
    assert dates.add_working_days(D(2026, 11, 30), 1) == D(2026, 12, 2)
    assert dates.working_days_between(D(2026, 11, 30), D(2026, 12, 2)) == 1


def test_core_dates_without_a_calendar_count_weekdays():
    registered = dates.registered_calendar()
    dates.register_calendar(None)
    try:
        assert dates.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 7)  # no National Day holiday
        assert dates.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
        assert dates.add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    finally:
        dates.register_calendar(registered)
