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
from django.core.exceptions import PermissionDenied, ValidationError
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
    FoundingGroup,
    Programme,
)
from .eligibility import evaluate
from .founding_eligibility import evaluate_application, evaluate_group
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


def _open_programme(programme, today):
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not programme.is_open(today):
        raise ValidationError(
            _("该项目的申请期为 %(start)s 至 %(end)s，当前不接受申请。")
            % {"start": programme.opens_on.isoformat(), "end": programme.closes_on.isoformat()}
        )
    return programme


def _file(programme, *, user, statement, now, eligibility, **applicant):
    try:
        with transaction.atomic():
            application = Application.objects.create(
                programme=programme,
                statement=statement,
                submitted_by=user,
                submitted_at=now,
                decision_due=decision_due(timezone.localdate(now)),
                eligibility=eligibility.as_json(),
                **applicant,
            )
    except IntegrityError as error:  # a concurrent submission of the same applicant
        raise ValidationError(_("本机构已申请过该项目，不能重复申请。")) from error
    log(application, "incubator.application_submitted", user=user)
    return application


def _statement(statement):
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": _("请填写申请说明。")})
    return statement


def _submit(programme, *, user, statement, now, active, check, **applicant):
    """File an application of ``applicant`` (organization= or founding_group=): the programme
    open, a statement, no active application already (``active``), and eligible (``check``,
    I1) inside the transaction."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    programme = _open_programme(programme, today)
    statement = _statement(statement)
    (target,) = applicant.values()
    if active(programme, target) is not None:
        raise ValidationError(_("本机构已申请过该项目，不能重复申请。"))
    eligibility = check(programme, target, today)
    if not eligibility.eligible:
        raise NotEligible(eligibility)
    return _file(programme, user=user, statement=statement, now=now, eligibility=eligibility, **applicant)


def submit(programme, organization, *, user, statement, now=None):
    """File ``organization``'s application to ``programme``; refused unless eligible (I1)."""
    with transaction.atomic():
        return _submit(
            programme,
            user=user,
            statement=statement,
            now=now,
            active=active_application,
            check=evaluate,
            organization=organization,
        )


# --- Founding groups (筹备中) -----------------------------------------------------------------------


def _founders(raw, applicant):
    """The founders as [{"name", "role"}] from ``raw`` (such a list, or lines "姓名，职务"), or
    ValidationError: at least ``INCUBATOR_FOUNDING_MIN_FOUNDERS``, no one twice, the applicant
    among them under their verified real name."""
    if isinstance(raw, str):
        rows = []
        for line in raw.splitlines():
            line = line.strip()
            if not line:
                continue
            name, _sep, role = line.replace(",", "，").partition("，")
            rows.append({"name": name.strip(), "role": role.strip()})
    else:
        rows = [{"name": str(r.get("name", "")).strip(), "role": str(r.get("role", "")).strip()} for r in raw]
    rows = [row for row in rows if row["name"]]
    minimum = settings.INCUBATOR_FOUNDING_MIN_FOUNDERS
    if len(rows) < minimum:
        raise ValidationError(
            {"founders": _("请列出至少 %(n)s 位发起人，每行一位：姓名，在筹备中的职务。") % {"n": minimum}}
        )
    names = [row["name"] for row in rows]
    if len(set(names)) != len(names):
        raise ValidationError({"founders": _("同一位发起人不能重复列出。")})
    if applicant.real_name not in names:
        raise ValidationError(
            {"founders": _("申请人本人（%(name)s）须是发起人之一。") % {"name": applicant.real_name}}
        )
    return rows


def _require_real_name(user):
    if not (
        user.is_authenticated and user.is_real_name_verified and user.real_name and user.is_mobile_verified
    ):
        raise PermissionDenied(_("筹备中的组织须由完成实名认证、手机号已验证的账户申请。"))


def create_founding_group(
    user, *, planned_name, planned_type, planned_district, planned_field, purpose, founders
):
    """A founding group (筹备中), filed by a real-name, SMS-verified account."""
    with transaction.atomic():
        _require_real_name(user)
        group = FoundingGroup(
            applicant=user,
            planned_name=(planned_name or "").strip(),
            planned_type=planned_type,
            planned_district=planned_district,
            planned_field=planned_field,
            purpose=(purpose or "").strip(),
        )
        errors = {}
        try:
            group.founders = _founders(founders, user)
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            group.full_clean(exclude=["founders"])
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        group.save()
        log(group, "incubator.founding_group_created", user=user)
        return group


def active_group_application(programme, group):
    return (
        Application.objects.filter(programme=programme, founding_group=group)
        .exclude(state=S.WITHDRAWN)
        .first()
    )


def submit_founding(programme, group, *, user, statement, now=None):
    """File a founding group's application: only its applicant, only while it is not
    registered, and only when eligible (I1, :func:`.founding_eligibility.evaluate_group`)."""
    with transaction.atomic():
        _require_real_name(user)
        if group.applicant_id != user.pk:
            raise PermissionDenied
        if group.registered_as_id:
            raise ValidationError(_("该组织已登记成立，请在机构工作台以机构身份申请。"))
        return _submit(
            programme,
            user=user,
            statement=statement,
            now=now,
            active=active_group_application,
            check=evaluate_group,
            founding_group=group,
        )


def record_registration(group, organization, *, user, now=None):
    """The bureau records that ``group`` registered as ``organization`` (its first milestone):
    the group's applications then belong to the organisation, in its workbench."""
    with transaction.atomic():
        from orgs.registry.models import OrgStatus

        now = now or timezone.now()
        group = FoundingGroup.objects.select_for_update().get(pk=group.pk)
        if group.registered_as_id:
            raise ValidationError(_("已记录该组织的登记信息，不能重复记录。"))
        if organization.status != OrgStatus.NORMAL:
            raise ValidationError(_("该组织的登记状态不是“正常”，不能记录。"))
        if FoundingGroup.objects.filter(registered_as=organization).exists():
            raise ValidationError(_("该组织已被记录为另一个筹备中组织的登记结果。"))
        if organization.registered_on < timezone.localdate(group.created_at):
            raise ValidationError(
                _("该组织于 %(date)s 登记成立，早于筹备信息的提交日期，不是本筹备组织登记的结果。")
                % {"date": organization.registered_on.isoformat()}
            )
        group.registered_as = organization
        group.registration_recorded_at = now
        group.save(update_fields=["registered_as", "registration_recorded_at"])
        try:
            with transaction.atomic():
                Application.objects.filter(founding_group=group, organization__isnull=True).update(
                    organization=organization
                )
        except IntegrityError as error:
            raise ValidationError(_("该组织已以机构身份申请了同一项目，请先处理重复的申请。")) from error
        log(group, "incubator.founding_group_registered", user=user, data={"uscc": organization.uscc})
        return group


def allowed_decisions(application):
    """The bureau's moves from the application's state, as (target, action) pairs."""
    return [
        (target, action)
        for (source, target), action in TRANSITIONS.items()
        if source == application.state and action not in APPLICANT_ACTIONS
    ]


def places_taken(programme):
    return programme.applications.filter(state__in=PLACE_STATES).count()


def decide(application, target, *, user, reason="", now=None):
    """A bureau decision: move ``application`` to ``target`` by the transition table."""
    with transaction.atomic():
        now = now or timezone.now()
        today = timezone.localdate(now)
        application = (
            # Only the application's row: the organisation is nullable (a founding group's), and
            # PostgreSQL can't lock the nullable side of an outer join.
            Application.objects.select_for_update(of=("self",))
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
            eligibility = evaluate_application(application, today)
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
                    % {"titles": _("、").join(str(title) for title in missing)}
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


def withdraw(application, *, user, reason=""):
    """The applicant withdraws (before the programme starts)."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        transition(application, S.WITHDRAWN, user=user, reason=(reason or "").strip(), field="state")
        return application
