"""The charity disclosure section of the public organisation profile (/orgs/<uscc>/)."""

from django.utils import timezone

from orgs.reports.models import AnnualReport, ReportStatus
from orgs.reports.services import c3_for

from . import services
from .models import BasicInfoDisclosure, CharityProject


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
    history = list(
        BasicInfoDisclosure.objects.filter(organization=organization).order_by("-published_on", "-pk")
    )
    today = timezone.localdate()
    return {
        "organization": organization,
        "basic_info": history[0] if history else None,
        "basic_history": history,
        "basic_overdue": [
            due
            for due in services.basic_info_obligations(organization, disclosures=history)
            if due.overdue(today)
        ],
        "projects": projects,
        "c3_report": report,
        "c3_checks": c3_for(report) if report else [],
    }
