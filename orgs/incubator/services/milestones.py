"""Milestones during incubation (issue 16, point 2): the organisation uploads evidence for each
milestone (checked by content, hashed, served only if its hash still matches), the bureau
accepts it or returns it with a note, and graduation (出壳) needs every milestone accepted."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import add_months
from core.statemachine import transition

from ..models import Application, ApplicationState, EvidenceState, Milestone, MilestoneEvidence


@dataclass
class MilestoneRow:
    milestone: Milestone
    due_on: object  # None before incubation starts
    evidence: list  # newest first

    @property
    def latest(self):
        return self.evidence[0] if self.evidence else None

    @property
    def done(self):
        return any(e.state == EvidenceState.ACCEPTED for e in self.evidence)

    @property
    def pending(self):
        return any(e.state == EvidenceState.SUBMITTED for e in self.evidence)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return not self.done and self.due_on is not None and self.due_on < today


def milestone_rows(application, milestones=None):
    """Each milestone of the application's programme with its due date and evidence (2 queries,
    none when both are prefetched)."""
    milestones = milestones if milestones is not None else list(application.programme.milestones.all())
    evidence = {}
    # .all() so that a prefetch (the daily warnings) is used; newest first.
    for item in sorted(application.evidence.all(), key=lambda e: (e.submitted_at, e.pk), reverse=True):
        evidence.setdefault(item.milestone_id, []).append(item)
    started = application.started_on
    return [
        MilestoneRow(m, add_months(started, m.due_months) if started else None, evidence.get(m.pk, []))
        for m in milestones
    ]


@dataclass
class RegistrationRow:
    """A founding group's first milestone: registration (登记成立), done when the bureau records
    the registered organisation; due ``INCUBATOR_FOUNDING_REGISTRATION_MONTHS`` after the start."""

    group: object
    due_on: object  # None before incubation starts

    title = property(lambda self: _("登记成立"))

    @property
    def done(self):
        return self.group.registered_as_id is not None

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return not self.done and self.due_on is not None and self.due_on < today


def registration_row(application):
    """The registration milestone of a founding group's application, or None."""
    if not application.is_founding:
        return None
    started = application.started_on
    months = settings.INCUBATOR_FOUNDING_REGISTRATION_MONTHS
    return RegistrationRow(application.founding_group, add_months(started, months) if started else None)


def missing_for_graduation(application):
    """The titles of the milestones not done: registration for a founding group, and every
    milestone without accepted evidence."""
    registration = registration_row(application)
    missing = [registration.title] if registration is not None and not registration.done else []
    return missing + [row.milestone.title for row in milestone_rows(application) if not row.done]


def submit_evidence(application, milestone, *, user, summary, file, now=None):
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state != ApplicationState.INCUBATING:
            raise ValidationError(_("只有孵化中的申请可以提交里程碑证明。"))
        if application.organization_id is None:
            raise ValidationError(_("筹备中的组织登记成立后，才能在机构工作台提交其他里程碑的证明。"))
        if milestone.programme_id != application.programme_id:
            raise ValidationError(_("该里程碑不属于本孵化项目。"))
        row = next(r for r in milestone_rows(application, [milestone]))
        if row.done:
            raise ValidationError(_("该里程碑已确认完成。"))
        if row.pending:
            raise ValidationError(_("该里程碑已有待确认的证明，请等待民政局确认。"))
        summary = (summary or "").strip()
        evidence = MilestoneEvidence(
            application=application,
            milestone=milestone,
            summary=summary,
            file=file,
            submitted_by=user,
            submitted_at=now or timezone.now(),
        )
        evidence.full_clean()
        evidence.save()
        return evidence


def review_evidence(evidence, *, accept, user, note=""):
    with transaction.atomic():
        evidence = MilestoneEvidence.objects.select_for_update().get(pk=evidence.pk)
        note = (note or "").strip()
        if not accept and not note:
            raise ValidationError({"note": _("退回时请说明原因，申请机构将看到该说明。")})
        evidence.review_note = note
        target = EvidenceState.ACCEPTED if accept else EvidenceState.RETURNED
        transition(evidence, target, user=user, reason=note, field="state", save_fields=["review_note"])
        return evidence
