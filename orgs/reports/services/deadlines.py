"""S2: the filing deadlines of an annual report (C1 caps a charity's at 31 May), the report
years open for filing, the countdown shown to the organisation, and starting a report.

Settings: ``S2_FOUNDATION_DEADLINE``, ``S2_SUPERVISOR_DEADLINE``, ``S2_REGISTRATION_DEADLINE``,
``S2_FILING_WINDOW_YEARS``, ``C1_CHARITY_REPORT_DEADLINE``."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AnnualReport, ReportStatus


@dataclass(frozen=True)
class Deadlines:
    registration: datetime.date
    supervisor: datetime.date | None = None


def deadlines_for(organization, year):
    """S2: the report for ``year`` is filed in ``year + 1``. Foundations file by 31 March;
    an organisation with a supervising unit files to it by 31 March and to the
    registration authority by 31 May; all others by 31 May. C1: a charity's annual work
    and financial report is due by 31 May at the latest, whatever S2 allows."""
    filing_year = year + 1
    supervisor = None
    if organization.supervising_unit_id:
        supervisor = datetime.date(filing_year, *settings.S2_SUPERVISOR_DEADLINE)
    if organization.is_foundation:
        registration = datetime.date(filing_year, *settings.S2_FOUNDATION_DEADLINE)
    else:
        registration = datetime.date(filing_year, *settings.S2_REGISTRATION_DEADLINE)
    if organization.is_charity:
        registration = min(registration, datetime.date(filing_year, *settings.C1_CHARITY_REPORT_DEADLINE))
    return Deadlines(registration=registration, supervisor=supervisor)


def applicable_deadline(report):
    """The date the report must be filed by: the S3 resubmission deadline once it is
    returned, otherwise its S2 deadline."""
    if report.status == ReportStatus.RETURNED and report.resubmit_deadline:
        return report.resubmit_deadline
    return report.deadline


def days_left(report, today=None):
    """Calendar days until the applicable deadline; negative once it has passed."""
    today = today or timezone.localdate()
    return (applicable_deadline(report) - today).days


def countdown(report, today=None):
    left = days_left(report, today)
    return {"days": abs(left), "overdue": left < 0, "deadline": applicable_deadline(report)}


def report_years(organization, today, window_years=None):
    """The report years open on ``today``, newest first: last year back to the registration
    year, at most S2_FILING_WINDOW_YEARS years (fewer when ``window_years`` is smaller; never
    more). The one definition of which years count, for filing (S2) and for the S5 check."""
    window = settings.S2_FILING_WINDOW_YEARS
    if window_years is not None:
        window = min(window, window_years)
    first = max(organization.registered_on.year, today.year - window)
    return list(range(today.year - 1, first - 1, -1))


def filing_years(organization, today=None):
    """Years a report can be started for: from the registration year to last year, within
    the S2 filing window."""
    return report_years(organization, today or timezone.localdate())


def start_report(organization, year, *, user):
    """Create (or return) the organisation's report for ``year``, prefilled with last year's figures
    that C3 needs."""
    with transaction.atomic():
        if year not in filing_years(organization):
            raise ValidationError({"year": _("不能填报该年度的年度报告。")})
        existing = AnnualReport.objects.filter(organization=organization, year=year).first()
        if existing:
            return existing
        dates = deadlines_for(organization, year)
        previous = AnnualReport.objects.filter(organization=organization, year=year - 1).first()
        report = AnnualReport(
            organization=organization,
            year=year,
            deadline=dates.registration,
            supervisor_deadline=dates.supervisor,
            created_by=user,
        )
        if previous is not None:
            report.previous_year_income = previous.income_total
            report.previous_year_net_assets = previous.net_assets
        report.save()
        return report
