"""C2 tested exactly at its limits with the figures moved through the settings (issue 24,
point 3): the default figures (10 days, 6 months, 3 months) have their day-exact tests in
``test_charity_rules.py``; these prove each limit follows its setting to the day.

Dates are relative to the current year, never literal; ``overdue_items`` gets the day it runs on.
"""

import datetime

import pytest
from django.utils import timezone

from core.dates import add_days, add_months
from orgs.charity import services
from tests.factories.charity import CharityProjectFactory

pytestmark = pytest.mark.django_db

START = datetime.date(timezone.localdate().year - 1, 1, 20)


def rules(project, today):
    return {item.rule for item in services.overdue_items(project, today)}


@pytest.mark.parametrize(("days_before", "late"), [(0, False), (-1, True)])
def test_c2_plan_filed_exactly_the_set_days_before_the_start_is_on_time(settings, days_before, late):
    settings.C2_PLAN_FILING_DAYS_BEFORE_START = 15
    filed_on = add_days(START, -(15 + days_before))
    project = CharityProjectFactory(
        starts_on=START,
        ends_on=add_months(START, 4),
        plan_filed_on=filed_on,
        plan_filing_number="京民慈备测试",
    )
    assert services.plan_deadline(project) == add_days(START, -15)
    assert ("plan" in rules(project, add_days(START, 30))) is late


@pytest.mark.parametrize(("extra_days", "long"), [(0, False), (1, True)])
def test_c2_project_of_exactly_the_set_months_is_not_long_and_a_day_more_is(settings, extra_days, long):
    settings.C2_LONG_PROJECT_MONTHS = 4
    settings.C2_PROGRESS_REPORT_MONTHS = 2
    project = CharityProjectFactory(starts_on=START, ends_on=add_days(add_months(START, 4), extra_days))
    assert services.is_long_project(project) is long
    expected = [add_months(START, 2), add_months(START, 4)] if long else []
    assert services.progress_due_dates(project) == expected


@pytest.mark.parametrize(("after", "overdue"), [(0, False), (1, True)])
def test_c2_final_account_due_exactly_the_set_months_after_the_end(settings, after, overdue):
    settings.C2_FINAL_ACCOUNT_MONTHS = 2
    ends_on = add_months(START, 3)
    project = CharityProjectFactory(starts_on=START, ends_on=ends_on)
    deadline = add_months(ends_on, 2)
    assert services.final_account_deadline(project) == deadline
    assert ("final" in rules(project, add_days(deadline, after))) is overdue
