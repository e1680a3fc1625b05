"""S9's statutory deadlines as early warnings (``core.warnings``): a formal check or a decision
on a registration application that is due within ``S9_WARNING_WORKING_DAYS`` working days, or
already missed. The warning clears itself once the bureau takes the step."""

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import add_working_days
from core.warnings import WarningSpec, register_warning_source

from .models import ApplicationStatus, RegistrationApplication

DEADLINE = "licensing.deadline"


def deadlines(today):
    """The bureau's warning: each application whose current deadline is near or missed."""
    horizon = add_working_days(today, settings.S9_WARNING_WORKING_DAYS)
    due = RegistrationApplication.objects.filter(
        Q(status=ApplicationStatus.SUBMITTED, formal_check_due__lte=horizon)
        | Q(status=ApplicationStatus.IN_REVIEW, decision_due__lte=horizon)
    ).select_related("organization")
    for application in due:
        if application.status == ApplicationStatus.SUBMITTED:
            deadline = application.formal_check_due
            step = gettext("形式审查（受理或一次性告知补正）")
            clear = gettext("在“登记申请审核”中受理或退回补正。")
        else:
            deadline = application.decision_due
            step = gettext("准予或不予登记的决定")
            clear = gettext("在“登记申请审核”中作出准予或不予登记的决定。")
        late = deadline < today
        yield WarningSpec(
            subject=application,
            detail_key=application.status,
            subject_label=str(application),
            reason=(
                gettext("%(number)s 的%(step)s已于%(date)s到期，尚未办理。")
                if late
                else gettext("%(number)s 的%(step)s将于%(date)s到期。")
            )
            % {"number": application.number, "step": step, "date": deadline.isoformat()},
            deadline=deadline,
            how_to_clear=clear,
        )


def register():
    register_warning_source(DEADLINE, _("登记申请办理期限"), deadlines)
