"""S7: ratings (等级评估).

- A grade comes from a score out of S7_MAX_SCORE through S7_GRADE_THRESHOLDS (5A needs at
  least 950 by default); a score below the lowest threshold gets no grade. A score has at
  most the decimals it is stored with, so the stored score always gives the stored grade.
- A rating is valid for S7_VALIDITY_YEARS years: it expires the day before that anniversary.
- An organisation is not eligible while its latest due annual report (S2 deadline passed) is
  unfiled, with a penalty decided within S7_PENALTY_LOOKBACK_YEARS years, or while it is on
  either list (S5, S6); an ineligible organisation is refused with every reason.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import add_days, add_years
from orgs.reports.models import AnnualReport
from orgs.reports.services import deadlines_for

from ..models import Category, CreditRecord, EntryStatus, Grade, ListEntry, Rating
from ._common import FILED_STATUSES, _required, _today


def grade_for(score):
    """The grade for a score out of S7_MAX_SCORE, or None below the lowest threshold."""
    score = Decimal(score)
    for grade, minimum in settings.S7_GRADE_THRESHOLDS:
        if score >= Decimal(minimum):
            return grade
    return None


def expiry_for(rated_on):
    """The last day a rating is valid: S7_VALIDITY_YEARS years after the rating date."""
    return add_days(add_years(rated_on, settings.S7_VALIDITY_YEARS), -1)


def latest_due_report_year(organization, on):
    """The most recent report year whose registration deadline has passed by ``on``."""
    for year in (on.year - 1, on.year - 2):
        if deadlines_for(organization, year).registration < on:
            return year if year >= organization.registered_on.year else None
    return None


def ineligibility_reasons(organization, on=None):
    """S7: why an organisation can't be rated on ``on`` (empty when it can)."""
    on = on or _today()
    reasons = []
    year = latest_due_report_year(organization, on)
    if (
        year is not None
        and not AnnualReport.objects.filter(
            organization=organization, year=year, status__in=FILED_STATUSES
        ).exists()
    ):
        reasons.append(_("未报送%(year)s年度工作报告。") % {"year": year})
    since = add_years(on, -settings.S7_PENALTY_LOOKBACK_YEARS)
    for record in CreditRecord.objects.effective().filter(
        organization=organization, category=Category.PENALTY, decided_on__gt=since, decided_on__lte=on
    ):
        reasons.append(
            _("%(date)s受到行政处罚（%(number)s）。")
            % {"date": record.decided_on.isoformat(), "number": record.document_number}
        )
    for entry in ListEntry.objects.filter(organization=organization, listed_on__lte=on).exclude(
        status=EntryStatus.REMOVED, removed_on__lte=on
    ):
        reasons.append(
            _("自%(date)s起被列入%(list)s（%(reason)s）。")
            % {
                "date": entry.listed_on.isoformat(),
                "list": entry.get_list_type_display(),
                "reason": entry.get_reason_display(),
            }
        )
    return reasons


def rate(organization, *, score, evaluating_body, rated_on, user, document_number=""):
    """S7: record a rating. An ineligible organisation is refused with the reasons."""
    with transaction.atomic():
        if rated_on is None or rated_on > _today():
            raise ValidationError({"rated_on": _("评估日期不能晚于今天。")})
        evaluating_body = _required(evaluating_body, "evaluating_body", _("请填写评估机构。"))
        score = Decimal(score)
        if score < 0 or score > settings.S7_MAX_SCORE:
            raise ValidationError(
                {"score": _("评估得分应在 0 到 %(max)s 之间。") % {"max": settings.S7_MAX_SCORE}}
            )
        places = Rating._meta.get_field("score").decimal_places
        if score != score.quantize(Decimal(1).scaleb(-places)):
            # Stored to ``places`` decimals: 949.95 would be saved as 950.0 next to a 4A grade.
            raise ValidationError({"score": _("评估得分最多保留%(places)s位小数。") % {"places": places}})
        grade = grade_for(score)
        if grade is None:
            lowest = settings.S7_GRADE_THRESHOLDS[-1][1]
            raise ValidationError(
                {
                    "score": _("得分 %(score)s 低于 1A 的最低分 %(min)s，不予评定等级。")
                    % {"score": score, "min": lowest}
                }
            )
        reasons = ineligibility_reasons(organization, rated_on)
        if reasons:
            raise ValidationError(
                [_("该组织不符合参加等级评估的条件：%(reason)s") % {"reason": reason} for reason in reasons]
            )
        return Rating.objects.create(
            organization=organization,
            score=score,
            grade=grade,
            evaluating_body=evaluating_body,
            rated_on=rated_on,
            expires_on=expiry_for(rated_on),
            document_number=(document_number or "").strip(),
            recorded_by=user,
        )


def current_rating(organization, on=None):
    """S7: the organisation's rating in force on ``on`` (the latest one not yet expired), or None."""
    on = on or _today()
    return (
        Rating.objects.filter(organization=organization, rated_on__lte=on, expires_on__gte=on)
        .order_by("-rated_on", "-pk")
        .first()
    )


def grade_label(grade):
    return Grade(grade).label
