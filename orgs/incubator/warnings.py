"""The incubator's deadlines as early warnings (``core.warnings``): the bureau's decision on an
application past its working-day deadline, and an organisation's milestone past its due date."""

from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.warnings import WarningSpec, register_warning_source

from .models import OPEN_STATES, Application, ApplicationState, MilestoneEvidence
from .services.milestones import milestone_rows, registration_row

DECISION_OVERDUE = "incubator.decision_overdue"
MILESTONE_OVERDUE = "incubator.milestone_overdue"


def decision_overdue(today):
    """I1: an application the bureau has not decided on by its deadline (the bureau's warning)."""
    late = Application.objects.filter(state__in=OPEN_STATES, decision_due__lt=today).select_related(
        "organization", "founding_group", "programme"
    )
    for application in late:
        yield WarningSpec(
            subject=application,
            subject_label=f"{application.applicant_name} · {application.programme.title}",
            reason=gettext("孵化申请应在%(date)s前作出决定，目前仍为“%(state)s”。")
            % {"date": application.decision_due.isoformat(), "state": application.get_state_display()},
            deadline=application.decision_due,
            how_to_clear=gettext("在“孵化申请审核”中作出录取、候补或不予录取的决定。"),
        )


def milestone_overdue(today):
    """A milestone not done by its due date (the organisation's warning)."""
    incubating = (
        Application.objects.filter(state=ApplicationState.INCUBATING)
        .select_related("organization", "founding_group", "programme")
        .prefetch_related(
            "programme__milestones", Prefetch("evidence", queryset=MilestoneEvidence.objects.all())
        )
    )
    for application in incubating:
        registration = registration_row(application)
        if registration is not None and registration.overdue(today):
            yield WarningSpec(
                subject=application,
                detail_key="registration",
                subject_label=f"{application.applicant_name} · {registration.title}",
                reason=gettext("筹备中的组织应在%(date)s前登记成立，尚未记录登记信息。")
                % {"date": registration.due_on.isoformat()},
                deadline=registration.due_on,
                how_to_clear=gettext("发起人办理成立登记后，由民政局在孵化申请审核页记录登记信息。"),
                link=application.get_absolute_url(),
            )
        if application.organization_id is None:
            continue  # its other milestones start once it is registered
        for row in milestone_rows(application, list(application.programme.milestones.all())):
            if not row.overdue(today):
                continue
            yield WarningSpec(
                subject=application,
                detail_key=f"milestone-{row.milestone.pk}",
                subject_label=f"{application.organization.name} · {row.milestone.title}",
                organisation_uscc=application.organization.uscc,
                reason=gettext("孵化里程碑“%(title)s”应在%(date)s前完成，尚未确认完成。")
                % {"title": row.milestone.title, "date": row.due_on.isoformat()},
                deadline=row.due_on,
                how_to_clear=gettext("在机构工作台的孵化申请页提交该里程碑的证明材料，待民政局确认。"),
                link=application.get_absolute_url(),
            )


def register():
    register_warning_source(DECISION_OVERDUE, _("孵化申请办理超期"), decision_overdue)
    register_warning_source(MILESTONE_OVERDUE, _("孵化里程碑逾期"), milestone_overdue)
