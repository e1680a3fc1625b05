"""Annual report rules tested exactly at their limits (issue 24, point 3).

S2: a report filed on its deadline day (up to 23:59:59, Asia/Shanghai) is on time, from 00:00 the
next day it is late: foundations on 31 March, others on 31 May (to the registry, also for an
organisation with a supervising unit), each date a setting. The filing window holds exactly
S2_FILING_WINDOW_YEARS report years.
S3: the review is due on exactly the 10th working day after submission; a returned report
resubmitted on the 5th working day is on time, on the next day late.

The year is the current one (the report year is last year), never a literal year; the clock is
frozen on the days that matter.
"""

import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core import dates
from orgs.registry.models import OrgType
from orgs.reports import services
from orgs.reports.models import ReportStatus
from tests.factories.accounts import UserFactory
from tests.factories.orgs import OrganizationFactory, SupervisingUnitFactory, submitted_report

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year  # the filing year; reports are for YEAR - 1
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"


def at(day, hour=0, minute=0, second=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


def filed_late(organization, instant):
    with freeze_time(instant):
        report, submission = submitted_report(organization, YEAR - 1)
    assert report.status == ReportStatus.SUBMITTED  # late or not, it is accepted
    assert report.is_late is submission.is_late
    return submission.is_late


# --- S2 ---------------------------------------------------------------------------------------------

ORGANISATIONS = {
    "foundation": lambda: OrganizationFactory(org_type=OrgType.FOUNDATION),
    "supervised": lambda: OrganizationFactory(
        org_type=OrgType.SOCIAL_SERVICE, supervising_unit=SupervisingUnitFactory()
    ),
    "social_group": lambda: OrganizationFactory(org_type=OrgType.SOCIAL_GROUP),
}
DEADLINE_SETTING = {
    "foundation": "S2_FOUNDATION_DEADLINE",
    "supervised": "S2_REGISTRATION_DEADLINE",
    "social_group": "S2_REGISTRATION_DEADLINE",
}


def last_second_and_next_day(deadline):
    """The last second of the deadline day and the first second of the next (Asia/Shanghai)."""
    return {False: at(deadline, 23, 59, 59), True: at(deadline + ONE_DAY)}


@pytest.mark.parametrize("kind", ["foundation", "supervised", "social_group"])
@pytest.mark.parametrize("late", [False, True])
def test_s2_filed_on_the_deadline_day_is_on_time_and_the_next_day_late(settings, kind, late):
    """Foundations: 31 March; a supervised organisation (to the registry) and others: 31 May.
    Filed at 23:59:59 on the deadline day: on time; at 00:00:00 the next day: late."""
    deadline = datetime.date(YEAR, *getattr(settings, DEADLINE_SETTING[kind]))
    organization = ORGANISATIONS[kind]()
    assert services.deadlines_for(organization, YEAR - 1).registration == deadline
    assert filed_late(organization, last_second_and_next_day(deadline)[late]) is late


def test_s2_foundation_31_march_and_others_31_may_are_the_defaults(settings):
    assert settings.S2_FOUNDATION_DEADLINE == (3, 31)
    assert settings.S2_SUPERVISOR_DEADLINE == (3, 31)
    assert settings.S2_REGISTRATION_DEADLINE == (5, 31)
    supervised = ORGANISATIONS["supervised"]()
    assert services.deadlines_for(supervised, YEAR - 1) == services.Deadlines(
        registration=datetime.date(YEAR, 5, 31), supervisor=datetime.date(YEAR, 3, 31)
    )


@pytest.mark.parametrize("late", [False, True])
def test_s2_a_moved_foundation_deadline_is_honoured_to_the_day(settings, late):
    settings.S2_FOUNDATION_DEADLINE = (4, 30)
    moment = last_second_and_next_day(datetime.date(YEAR, 4, 30))[late]
    assert filed_late(ORGANISATIONS["foundation"](), moment) is late


def test_s2_a_supervised_organisation_past_its_units_31_march_is_not_late_to_the_registry(settings):
    """The day after the supervising unit's deadline is still on time for the registry."""
    supervisor_deadline = datetime.date(YEAR, *settings.S2_SUPERVISOR_DEADLINE)
    moment = last_second_and_next_day(supervisor_deadline)[True]
    assert filed_late(ORGANISATIONS["supervised"](), moment) is False


def test_s2_filing_window_holds_exactly_the_setting_of_years(settings):
    organization = OrganizationFactory(registered_on=datetime.date(YEAR - 20, 1, 1))
    today = datetime.date(YEAR, 6, 1)
    years = services.filing_years(organization, today)
    assert years == list(range(YEAR - 1, YEAR - 1 - settings.S2_FILING_WINDOW_YEARS, -1))
    settings.S2_FILING_WINDOW_YEARS = 2
    assert services.filing_years(organization, today) == [YEAR - 1, YEAR - 2]


# --- S3 ---------------------------------------------------------------------------------------------


def working_days_after(start, end):
    """Working days in (start, end], counted one day at a time."""
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += dates.is_working_day(day)
    return count


@pytest.mark.parametrize("review_days", [None, 11])
def test_s3_review_is_due_on_exactly_the_10th_working_day(settings, review_days):
    if review_days is not None:
        settings.S3_REVIEW_WORKING_DAYS = review_days
    submitted_on = datetime.date(YEAR, 4, 20)
    with freeze_time(at(submitted_on, 10)):
        report, _ = submitted_report(OrganizationFactory(), YEAR - 1)
    assert dates.is_working_day(report.review_due)
    assert working_days_after(submitted_on, report.review_due) == settings.S3_REVIEW_WORKING_DAYS
    assert (
        working_days_after(submitted_on, report.review_due - ONE_DAY) == settings.S3_REVIEW_WORKING_DAYS - 1
    )


@pytest.mark.parametrize(("on_deadline", "late"), [(True, False), (False, True)])
def test_s3_resubmitted_on_the_5th_working_day_is_on_time_and_the_next_day_late(settings, on_deadline, late):
    """Returned before the S2 deadline: only the resubmission deadline counts."""
    organization = OrganizationFactory()
    returned_on = datetime.date(YEAR, 4, 20)
    with freeze_time(at(returned_on, 9)):
        report, _ = submitted_report(organization, YEAR - 1)
    with freeze_time(at(returned_on, 15)):
        deadline = services.return_report(
            report, reasons="缺少审计报告签章页", user=UserFactory(is_staff=True), today=returned_on
        )
    assert working_days_after(returned_on, deadline) == settings.S3_RESUBMIT_WORKING_DAYS
    assert dates.is_working_day(deadline)
    moment = at(deadline, 23, 59, 59) if on_deadline else at(deadline + ONE_DAY)
    # Still before the S2 deadline of 31 May, so only the S3 deadline can make it late.
    assert moment.date() < datetime.date(YEAR, *settings.S2_REGISTRATION_DEADLINE)
    with freeze_time(moment):
        submission = services.submit_report(report, user=report.created_by)
    report.refresh_from_db()
    assert submission.deadline == deadline
    assert submission.is_late is late and report.is_late is late
