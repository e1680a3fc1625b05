"""S3: the bureau's review: return an incomplete report with reasons (resubmitted within
``S3_RESUBMIT_WORKING_DAYS`` working days) or accept it with a conclusion (合格, 基本合格, 不合格)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import add_working_days
from core.statemachine import transition

from ..models import AnnualReport, Conclusion, ReportStatus, ReviewDecision


def return_report(report, *, reasons, user, today=None):
    """Return an incomplete report with reasons; the organisation resubmits within
    S3_RESUBMIT_WORKING_DAYS working days."""
    with transaction.atomic():
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


def accept_report(report, *, conclusion, comment="", user, now=None):
    """Accept a submitted report with its conclusion. ``now`` (default: now) is when the decision
    was made; the demo loader gives its historical reports their real review dates."""
    with transaction.atomic():
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
            decided_at=now or timezone.now(),
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


# --- Before a decision: what accepting does (issue 23, point 7) ------------------------------


@dataclass(frozen=True)
class AcceptanceSummary:
    """What the officer confirms before accepting: the report, the result and what follows."""

    report: AnnualReport
    submission: object
    conclusion: str
    conclusion_label: str
    comment: str
    consequences: list


def acceptance_summary(report, *, conclusion, comment=""):
    """The confirmation summary of accepting ``report`` with ``conclusion``: the organisation,
    the year, the result and its consequences under the S-rules, as the credit app applies them
    (a report counts as filed from its submission, so accepting adds or clears no S5 warning or
    proposal; the conclusion becomes public annual-report credit information, S4)."""
    label = str(Conclusion(conclusion).label)
    submission = report.submissions.order_by("-sequence").first()
    consequences = [
        _(
            "报告状态由“待审核”变为“已审核”，年检结论“%(conclusion)s”作为年度报告类信用信息（S4）"
            "记入该组织的信用记录，并在机构公开信息页和信用查询中公示。"
        )
        % {"conclusion": label},
        _("审核通过是终局决定：此后不能再退回补正，机构也不能再修改或重新提交本年度报告。"),
        _(
            "年度报告自提交之日起即计为已报送：逾期未报送的预警和活动异常名录的列入、移出建议（S5）"
            "以提交为准，审核通过不新增也不解除任何预警或建议。"
        ),
    ]
    if report.is_late:
        consequences.append(
            _("该报告为逾期报送（截止日期 %(date)s），逾期记录保留，不因审核通过而消除。")
            % {"date": report.deadline.isoformat()}
        )
    if report.c3_breach:
        consequences.append(_("该报告的慈善支出比例未达标（C3），相应预警继续有效，审核通过不解除该预警。"))
    if conclusion == Conclusion.UNQUALIFIED:
        consequences.append(
            _(
                "“不合格”结论在信用信息中以警示显示，并可作为列入活动异常名录的事由"
                "（S5：年度报告不符合规定）；列入须由信用管理人员另行提出建议并决定，本操作不会自动列入。"
            )
        )
    return AcceptanceSummary(
        report=report,
        submission=submission,
        conclusion=conclusion,
        conclusion_label=label,
        comment=(comment or "").strip(),
        consequences=[str(text) for text in consequences],
    )


def reports_by_year(organization):
    """Every annual report of ``organization`` by year, for other apps' checks (the incubator's
    eligibility reads the status and the conclusion of each year)."""
    return {report.year: report for report in AnnualReport.objects.filter(organization=organization)}


def reports_by_organization(organization_ids, status=None):
    """For each organisation id, the set of report years (optionally only those in ``status``),
    in one query: other apps' checks over many organisations (the incubator's outcomes)."""
    queryset = AnnualReport.objects.filter(organization_id__in=list(organization_ids))
    if status is not None:
        queryset = queryset.filter(status=status)
    years = {}
    for organization_id, year in queryset.values_list("organization_id", "year"):
        years.setdefault(organization_id, set()).add(year)
    return years
