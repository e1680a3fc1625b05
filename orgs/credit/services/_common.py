"""Helpers shared by the credit use cases: today's date, the bureau's name, which report
statuses count as filed, required-field checks and the record of a decision (who, when, why)."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.statemachine import transition
from orgs.reports.models import ReportStatus

from ..audit import log_decision, snapshot

FILED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
BUREAU = "北京市民政局"


def _today():
    return timezone.localdate()


def _decide(decision, target, *, user, reason, extra_fields=(), before=None):
    """Record who decided a proposal or an objection, when and why, and move it to ``target``.
    Besides the state machine's entry, the audit log gets one ``credit.decision`` entry naming
    every changed field (``audit``). ``before`` is a snapshot taken before ``extra_fields`` were
    set on ``decision``; without it only the decision's own fields are compared."""
    fields = ("status", *extra_fields, "decided_by", "decided_at", "decision_reason")
    before = before or snapshot(decision, fields)
    decision.decided_by = user
    decision.decided_at = timezone.now()
    decision.decision_reason = reason
    transition(decision, target, user=user, reason=reason, save_fields=fields[1:])
    log_decision(decision, before, user=user, reason=reason)
    return decision


def _required(value, field, message):
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if not value:
        raise ValidationError({field: message})
    return value
