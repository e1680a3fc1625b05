"""The charity disclosure section of the public organisation profile (/orgs/<uscc>/)."""

from orgs.reports.models import AnnualReport, ReportStatus
from orgs.reports.services import c3_for

from . import services
from .models import CharityProject


def profile_context(organization, request=None):
    projects = services.quantize_totals(
        services.with_totals(CharityProject.objects.filter(organization=organization))
    )
    if not projects and not organization.is_charity:
        return None
    report = (
        AnnualReport.objects.filter(organization=organization, status=ReportStatus.ACCEPTED)
        .select_related("organization")
        .order_by("-year")
        .first()
    )
    return {
        "organization": organization,
        "projects": projects,
        "c3_report": report,
        "c3_checks": c3_for(report) if report else [],
    }
