"""S3: the bureau's review: return an incomplete report with reasons (resubmitted within
``S3_RESUBMIT_WORKING_DAYS`` working days) or accept it with a conclusion (合格, 基本合格, 不合格)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import add_working_days
from core.statemachine import transition

from ..models import AnnualReport, Conclusion, ReportStatus, ReviewDecision


@transaction.atomic
def return_report(report, *, reasons, user, today=None):
    """Return an incomplete report with reasons; the organisation resubmits within
    S3_RESUBMIT_WORKING_DAYS working days."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("请填写退回理由。")})
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的报告可以退回。"))
    submission = report.submissions.order_by("-sequence").first()
    deadline = add_working_days(today or timezone.localdate(), settings.S3_RESUBMIT_WORKING_DAYS)
    ReviewDecision.objects.create(
        submission=submission,
        action=ReviewDecision.Action.RETURN,
        reasons=reasons,
        resubmit_deadline=deadline,
        decided_by=user,
    )
    report.resubmit_deadline = deadline
    transition(
        report,
        ReportStatus.RETURNED,
        user=user,
        reason=reasons,
        save_fields=("resubmit_deadline", "updated_at"),
    )
    return deadline


@transaction.atomic
def accept_report(report, *, conclusion, comment="", user):
    if conclusion not in Conclusion.values:
        raise ValidationError({"conclusion": _("请选择年检结论。")})
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的报告可以审核通过。"))
    submission = report.submissions.order_by("-sequence").first()
    ReviewDecision.objects.create(
        submission=submission,
        action=ReviewDecision.Action.ACCEPT,
        conclusion=conclusion,
        comment=(comment or "").strip(),
        decided_by=user,
    )
    report.conclusion = conclusion
    label = Conclusion(conclusion).label
    transition(
        report,
        ReportStatus.ACCEPTED,
        user=user,
        reason=f"{label} {comment}".strip(),
        save_fields=("conclusion", "updated_at"),
    )
    return report
