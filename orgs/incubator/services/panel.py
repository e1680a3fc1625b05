"""Panel scoring (评审打分, issue 16 point 2): after screening, an application is scored by
several reviewers against the programme's published rubric (weighted lines), each reviewer
first declaring any conflict of interest.

* :func:`submit_review` records one reviewer's scores, or their declared conflict (回避). A
  reviewer who belongs to the applicant organisation must declare it: the platform knows the
  membership and refuses their scores. A review is never edited, and the rubric is frozen once
  the first one is in (:meth:`orgs.incubator.models.RubricItem.clean`).
* :func:`panel_result` is the panel's standing: the mean of the scoring reviewers' weighted
  scores (out of 100), who was recused, and whether the panel is complete
  (``Programme.panel_min_reviewers``).
* :func:`check_decision` is what :func:`orgs.incubator.services.applications.decide` asks before
  a decision out of panel scoring: the panel must be complete, and an admission needs the
  programme's minimum score (``Programme.admission_min_score``) when it has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from orgs.registry.services import is_member

from ..models import PANEL_DECISIONS, Application, ApplicationState, PanelReview, RubricItem

S = ApplicationState
SCORE_PERMISSION = "incubator.score_application"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def rubric(programme):
    return list(RubricItem.objects.filter(programme=programme).order_by("order", "pk"))


def weighted_score(lines):
    """Out of 100: each line's share of its top score, weighted. Lines are dicts with
    ``score``, ``max_score`` and ``weight``."""
    total_weight = sum(Decimal(line["weight"]) for line in lines)
    if not total_weight:
        raise ValueError("a rubric needs at least one weighted line")
    points = sum(
        Decimal(line["weight"]) * Decimal(line["score"]) / Decimal(line["max_score"]) for line in lines
    )
    return (points / total_weight * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def known_conflict(reviewer, application):
    """A conflict the platform itself can see, as the text the reviewer reads, or "": a member
    of the applicant organisation, or the applicant or a founder (by verified real name) of a
    founding group."""
    if application.organization_id and is_member(reviewer, application.organization):
        return _("您是申请机构“%(org)s”的成员。") % {"org": application.organization.name}
    group = application.founding_group
    if group is not None:
        founders = {founder["name"] for founder in group.founders}
        real_name = reviewer.real_name if reviewer.is_real_name_verified else ""
        if group.applicant_id == reviewer.pk or (real_name and real_name in founders):
            return _("您是筹备中组织“%(org)s”的申请人或发起人。") % {"org": group.planned_name}
    return ""


def _scores(items, raw):
    """The lines of a review from ``raw`` ({item pk: score}), or ValidationError naming each
    missing or out-of-range score by its field (``score_<pk>``)."""
    errors, lines = {}, []
    for item in items:
        value = raw.get(item.pk, raw.get(str(item.pk)))
        try:
            score = int(str(value).strip())
            if str(score) != str(value).strip():
                raise ValueError
        except (TypeError, ValueError):
            errors[f"score_{item.pk}"] = _("请为“%(item)s”打分（0 至 %(max)s 的整数）。") % {
                "item": item.title,
                "max": item.max_score,
            }
            continue
        if not 0 <= score <= item.max_score:
            errors[f"score_{item.pk}"] = _("“%(item)s”的得分须在 0 至 %(max)s 之间。") % {
                "item": item.title,
                "max": item.max_score,
            }
            continue
        lines.append(
            {
                "item": item.pk,
                "title": item.title,
                "weight": item.weight,
                "max_score": item.max_score,
                "score": score,
            }
        )
    if errors:
        raise ValidationError(errors)
    return lines


def submit_review(application, reviewer, *, conflict, conflict_note="", scores=None, comment="", now=None):
    """Record ``reviewer``'s review of ``application``: scores for every rubric line
    ({item pk: integer}), or a declared conflict of interest with its explanation."""
    with transaction.atomic():
        if not reviewer.has_perm(SCORE_PERMISSION):
            raise PermissionDenied
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("programme", "organization", "founding_group")
            .get(pk=application.pk)
        )
        if application.state != S.SCORING:
            raise ValidationError(_("只有处于评审打分阶段的申请才能打分。"))
        if PanelReview.objects.filter(application=application, reviewer=reviewer).exists():
            raise ValidationError(_("您已提交过对该申请的评审，评审提交后不能修改。"))
        conflict_note = (conflict_note or "").strip()
        comment = (comment or "").strip()
        known = known_conflict(reviewer, application)
        if known and not conflict:
            raise ValidationError({"conflict": known + _("您须声明利益冲突并回避，不能为其打分。")})
        if conflict:
            if not conflict_note:
                raise ValidationError({"conflict_note": _("请说明利益冲突的情况，它将记入评审记录。")})
            fields = {"conflict": True, "conflict_note": conflict_note, "lines": [], "weighted_score": None}
        else:
            items = rubric(application.programme)
            if not items:
                raise ValidationError(_("该项目尚未设置评分细则。"))
            lines = _scores(items, scores or {})
            fields = {"conflict": False, "lines": lines, "weighted_score": weighted_score(lines)}
        try:
            with transaction.atomic():
                review = PanelReview.objects.create(
                    application=application,
                    reviewer=reviewer,
                    comment=comment,
                    submitted_at=now or timezone.now(),
                    **fields,
                )
        except IntegrityError as error:  # the same reviewer, twice at once
            raise ValidationError(_("您已提交过对该申请的评审，评审提交后不能修改。")) from error
        log(
            application,
            "incubator.panel_review",
            user=reviewer,
            data={
                "conflict": review.conflict,
                "weighted_score": None if review.conflict else str(review.weighted_score),
            },
        )
        return review


@dataclass
class PanelResult:
    reviews: list
    required: int

    @property
    def scored(self):
        return [review for review in self.reviews if not review.conflict]

    @property
    def recused(self):
        return [review for review in self.reviews if review.conflict]

    @property
    def complete(self):
        return len(self.scored) >= self.required

    @property
    def missing(self):
        return max(self.required - len(self.scored), 0)

    @property
    def mean(self):
        """The mean of the scoring reviewers' weighted scores, or None before any."""
        scored = self.scored
        if not scored:
            return None
        total = sum((review.weighted_score for review in scored), Decimal(0))
        return (total / len(scored)).quantize(CENT, rounding=ROUND_HALF_UP)

    def reviewed_by(self, user):
        return any(review.reviewer_id == user.pk for review in self.reviews)


def panel_result(application):
    reviews = list(
        PanelReview.objects.filter(application=application)
        .select_related("reviewer")
        .order_by("submitted_at", "pk")
    )
    return PanelResult(reviews=reviews, required=application.programme.panel_min_reviewers)


def standings(programme):
    """The programme's scored applications (in scoring, waitlisted or decided after scoring),
    ranked by the panel's mean score: the reviewer's view of the whole cohort."""
    reviews = {}
    for review in PanelReview.objects.filter(application__programme=programme, conflict=False).order_by("pk"):
        reviews.setdefault(review.application_id, []).append(review)
    applications = Application.objects.filter(pk__in=reviews).select_related("organization", "programme")
    rows = [
        (application, PanelResult(reviews=reviews[application.pk], required=programme.panel_min_reviewers))
        for application in applications
    ]
    rows.sort(key=lambda row: (-row[1].mean, row[0].submitted_at, row[0].pk))
    return rows


def check_decision(application, action):
    """Refuse a decision out of panel scoring before the panel is complete, and an admission
    below the programme's minimum score; refuse sending to the panel a programme with no
    rubric."""
    programme = application.programme
    if action == "to_panel" and not RubricItem.objects.filter(programme=programme).exists():
        raise ValidationError(_("该项目尚未设置评分细则，不能进入评审打分。"))
    if (application.state, action) not in PANEL_DECISIONS:
        return None
    result = panel_result(application)
    if not result.complete:
        raise ValidationError(
            _("评审打分尚未完成：至少需要 %(required)s 位无利益冲突的专家打分，目前 %(scored)s 位。")
            % {"required": result.required, "scored": len(result.scored)}
        )
    minimum = programme.admission_min_score
    if action == "admit" and minimum is not None and result.mean < minimum:
        raise ValidationError(
            _("评审加权平均分 %(mean)s 低于本项目的录取最低分 %(minimum)s，不能录取。")
            % {"mean": result.mean, "minimum": minimum}
        )
    return result
