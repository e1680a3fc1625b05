"""Helpers shared by the credit use cases: today's date, the bureau's name, which report
statuses count as filed, required-field checks and the record of a decision (who, when, why)."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.statemachine import transition
from orgs.reports.models import ReportStatus

FILED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
BUREAU = "北京市民政局"


def _today():
    return timezone.localdate()


def _decide(decision, target, *, user, reason, extra_fields=()):
    """Record who decided a proposal or an objection, when and why, and move it to ``target``."""
    decision.decided_by = user
    decision.decided_at = timezone.now()
    decision.decision_reason = reason
    return transition(
        decision,
        target,
        user=user,
        reason=reason,
        save_fields=(*extra_fields, "decided_by", "decided_at", "decision_reason"),
    )


def _required(value, field, message):
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if not value:
        raise ValidationError({field: message})
    return value
