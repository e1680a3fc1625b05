"""C2 deadlines as early warnings in the shared ``core.warnings`` mechanism."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.warnings import WarningSpec, register_warning_source

from . import services

PLAN_LATE = "charity.plan_filing"
PROGRESS_OVERDUE = "charity.progress_overdue"
FINAL_OVERDUE = "charity.final_account_overdue"
BASIC_INFO_OVERDUE = "charity.basic_info_overdue"

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


def basic_info_overdue(today):
    """C1: basic information not disclosed within the deadline after recognition or a change."""
    from orgs.registry.models import Organization

    charities = Organization.objects.filter(charity_recognized_on__isnull=False).prefetch_related(
        "changes", "basic_info"
    )
    for organization in charities:
        for due in services.basic_info_obligations(organization):
            if not due.overdue(today):
                continue
            yield WarningSpec(
                subject=organization,
                detail_key=f"basic-{due.trigger.isoformat()}",
                subject_label=organization.name,
                organisation_uscc=organization.uscc,
                reason=gettext("%(what)s（%(date)s）后，基本信息应在%(deadline)s前公开（C1），目前尚未公开。")
                % {"what": due.label, "date": due.trigger.isoformat(), "deadline": due.deadline.isoformat()},
                deadline=due.deadline,
                how_to_clear=gettext("在机构工作台“基本信息公开”中公开章程和决策、监督机构成员等基本信息。"),
                link=organization.get_absolute_url(),
            )


def register():
    register_warning_source(PLAN_LATE, _("募捐方案备案逾期"), plan_filing)
    register_warning_source(PROGRESS_OVERDUE, _("慈善项目进展公开逾期"), progress_overdue)
    register_warning_source(FINAL_OVERDUE, _("慈善项目全面报告逾期"), final_account_overdue)
    register_warning_source(BASIC_INFO_OVERDUE, _("慈善组织基本信息公开逾期"), basic_info_overdue)
