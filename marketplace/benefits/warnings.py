"""B1's decision deadline as an early warning (``core.warnings``): an application whose decision
is due within ``B1_WARNING_WORKING_DAYS`` working days, or already missed. The warning clears
itself once the bureau decides or asks for documents."""

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import add_working_days
from core.warnings import WarningSpec, register_warning_source

from .models import ApplicationStatus, BenefitApplication

DEADLINE = "benefits.deadline"


def deadlines(today):
    horizon = add_working_days(today, settings.B1_WARNING_WORKING_DAYS)
    due = BenefitApplication.objects.filter(
        status=ApplicationStatus.SUBMITTED, decision_due__lte=horizon
    ).select_related("scheme")
    for application in due:
        deadline = application.decision_due
        yield WarningSpec(
            subject=application,
            detail_key=application.status,
            subject_label=str(application),
            reason=(
                gettext("惠民殡葬申请 %(number)s 的审核已于%(date)s到期，尚未作出决定。")
                if deadline < today
                else gettext("惠民殡葬申请 %(number)s 的审核将于%(date)s到期。")
            )
            % {"number": application.number, "date": deadline.isoformat()},
            deadline=deadline,
            how_to_clear=gettext("在“惠民殡葬申请审核”中批准、不予批准或要求补充材料。"),
        )


def register():
    register_warning_source(DEADLINE, _("惠民殡葬申请审核期限"), deadlines)
