"""Applications to incubator programmes (issue 16, point 2).

* :func:`submit` files an application, and only an eligible one (I1): the criteria engine runs
  on the spot, and an ineligible organisation is refused with every failed criterion, whether
  it came through the form or a direct POST.
* :func:`decide` moves an application through the bureau's review
  (:data:`orgs.incubator.models.TRANSITIONS`, audited by ``core.statemachine``). Screening and
  admission re-run the same check and store it beside the one made at submission; admission
  is refused when the organisation is no longer eligible or the programme is full. Decisions
  out of panel scoring wait for a complete panel, and keep its mean score
  (:mod:`orgs.incubator.services.panel`).
* :func:`withdraw` is the applicant's only move.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.dates import add_working_days
from core.statemachine import IllegalTransition, transition

from ..models import (
    APPLICANT_ACTIONS,
    PLACE_STATES,
    REASON_REQUIRED,
    TRANSITIONS,
    Application,
    ApplicationState,
    Programme,
)
from .eligibility import evaluate
from .milestones import missing_for_graduation
from .panel import check_decision

S = ApplicationState


class NotEligible(ValidationError):
    """I1: the organisation fails at least one criterion; ``eligibility`` says which and why."""

    def __init__(self, eligibility):
        self.eligibility = eligibility
        super().__init__(
            [
                _("不符合条件：%(requirement)s（%(fact)s）") % {"requirement": r.requirement, "fact": r.fact}
                for r in eligibility.failures
            ]
        )


def decision_due(submitted_on):
    """The bureau decides within ``INCUBATOR_DECISION_WORKING_DAYS`` working days."""
    return add_working_days(submitted_on, settings.INCUBATOR_DECISION_WORKING_DAYS)


def active_application(programme, organization):
    return (
        Application.objects.filter(programme=programme, organization=organization)
        .exclude(state=S.WITHDRAWN)
        .first()
    )


@transaction.atomic
def submit(programme, organization, *, user, statement, now=None):
    """File ``organization``'s application to ``programme``; refused unless eligible (I1)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not programme.is_open(today):
        raise ValidationError(
            _("该项目的申请期为 %(start)s 至 %(end)s，当前不接受申请。")
            % {"start": programme.opens_on.isoformat(), "end": programme.closes_on.isoformat()}
        )
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": _("请填写申请说明。")})
    if active_application(programme, organization) is not None:
        raise ValidationError(_("本机构已申请过该项目，不能重复申请。"))
    eligibility = evaluate(programme, organization, today)
    if not eligibility.eligible:
        raise NotEligible(eligibility)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                programme=programme,
                organization=organization,
                statement=statement,
                submitted_by=user,
                submitted_at=now,
                decision_due=decision_due(today),
                eligibility=eligibility.as_json(),
            )
    except IntegrityError as error:  # a concurrent submission of the same organisation
        raise ValidationError(_("本机构已申请过该项目，不能重复申请。")) from error
    log(application, "incubator.application_submitted", user=user)
    return application


def allowed_decisions(application):
    """The bureau's moves from the application's state, as (target, action) pairs."""
    return [
        (target, action)
        for (source, target), action in TRANSITIONS.items()
        if source == application.state and action not in APPLICANT_ACTIONS
    ]


def places_taken(programme):
    return programme.applications.filter(state__in=PLACE_STATES).count()


@transaction.atomic
def decide(application, target, *, user, reason="", now=None):
    """A bureau decision: move ``application`` to ``target`` by the transition table."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    application = (
        Application.objects.select_for_update()
        .select_related("programme", "organization")
        .get(pk=application.pk)
    )
    action = TRANSITIONS.get((application.state, target))
    if action is None or action in APPLICANT_ACTIONS:
        raise IllegalTransition(application, application.state, target)
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("请填写理由，申请机构将看到该理由。")})
    fields = ["decision_reason"] if reason else []
    if reason:
        application.decision_reason = reason
    panel = check_decision(application, action)
    if panel is not None:  # a decision out of panel scoring: the panel's result is kept with it
        application.panel_score, application.panel_reviewers = panel.mean, len(panel.scored)
        fields += ["panel_score", "panel_reviewers"]
    if action in ("screen", "admit"):
        eligibility = evaluate(application.programme, application.organization, today)
        if action == "admit" and not eligibility.eligible:
            raise NotEligible(eligibility)
        # Stored on the row, not in the audit entry's list of changes: the check is data (a
        # list of results) that the review page shows as a table.
        application.review_eligibility = eligibility.as_json()
        application.reviewed_at = now
        application.save(update_fields=["review_eligibility", "reviewed_at"])
    if action == "admit":
        programme = Programme.objects.select_for_update().get(pk=application.programme_id)
        if places_taken(programme) >= programme.capacity:
            raise ValidationError(
                _("该项目的 %(n)s 个名额已满，不能再录取；可列入候补。") % {"n": programme.capacity}
            )
    if action == "graduate":
        missing = missing_for_graduation(application)
        if missing:
            raise ValidationError(
                _("以下里程碑尚未确认完成，不能出壳：%(titles)s")
                % {"titles": _("、").join(m.title for m in missing)}
            )
    if action in ("admit", "waitlist", "reject"):
        application.decided_at = now
        fields.append("decided_at")
    if action == "start":
        application.started_on = today
        fields.append("started_on")
    if action in ("graduate", "exit"):
        application.ended_on = today
        fields.append("ended_on")
    transition(application, target, user=user, reason=reason, field="state", save_fields=fields)
    return application


@transaction.atomic
def withdraw(application, *, user, reason=""):
    """The applicant withdraws (before the programme starts)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    transition(application, S.WITHDRAWN, user=user, reason=(reason or "").strip(), field="state")
    return application
