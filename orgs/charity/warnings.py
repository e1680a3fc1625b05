"""C2 deadlines as early warnings in the shared ``core.warnings`` mechanism."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.warnings import WarningSpec, register_warning_source

from . import services

PLAN_LATE = "charity.plan_filing"
PROGRESS_OVERDUE = "charity.progress_overdue"
FINAL_OVERDUE = "charity.final_account_overdue"

RULE_KINDS = {"plan": PLAN_LATE, "progress": PROGRESS_OVERDUE, "final": FINAL_OVERDUE}


def _specs(rule, today):
    for project in services.projects_with_reports():
        reports = services.current_reports(project)
        for item in services.overdue_items(project, today, reports=reports):
            if item.rule != rule:
                continue
            yield WarningSpec(
                subject=project,
                detail_key=item.key,
                subject_label=f"{project.organization.name} · {project.name}",
                organisation_uscc=project.organization.uscc,
                reason=item.reason,
                deadline=item.deadline,
                how_to_clear=item.how_to_clear,
                link=reverse("charity:project", args=[project.pk]),
            )


def plan_filing(today):
    return _specs("plan", today)


def progress_overdue(today):
    return _specs("progress", today)


def final_account_overdue(today):
    return _specs("final", today)


def register():
    register_warning_source(PLAN_LATE, _("募捐方案备案逾期"), plan_filing)
    register_warning_source(PROGRESS_OVERDUE, _("慈善项目进展公开逾期"), progress_overdue)
    register_warning_source(FINAL_OVERDUE, _("慈善项目全面报告逾期"), final_account_overdue)
