"""The organisation warnings from RULES.md, registered with ``core.warnings``:
reports due within 30 days or overdue, the two-year clock from the abnormal list to the
serious list, ratings expiring within 90 days and breached spending ratios (C3)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.dates import add_years
from core.warnings import WarningSpec, register_warning_source
from orgs.registry.models import OrgStatus
from orgs.reports.models import AnnualReport
from orgs.reports.services import c3_for, deadlines_for

from .models import ListReason, Rating
from .services.listing import FILED_STATUSES, current_abnormal_entries, overdue_reports, unfiled_reports
from .texts import setting_text

REPORT_DUE = "credit.report_due"
REPORT_OVERDUE = "credit.report_overdue"
SERIOUS_CLOCK = "credit.serious_list_clock"
RATING_EXPIRING = "credit.rating_expiring"
SPENDING_RATIO = "credit.spending_ratio"


def _workbench(organization):
    return reverse("reports_workbench:list", args=[organization.uscc])


def report_due(today):
    """A report due within WARNING_REPORT_DUE_DAYS days and not filed."""
    for item in unfiled_reports(today):
        left = (item.deadline - today).days
        if 0 <= left <= settings.WARNING_REPORT_DUE_DAYS:
            yield WarningSpec(
                subject=item.organization,
                detail_key=str(item.year),
                subject_label=item.organization.name,
                organisation_uscc=item.organization.uscc,
                reason=_(
                    "%(year)s年度工作报告将于%(deadline)s截止报送（还剩%(days)s天），目前状态：%(status)s。"
                )
                % {
                    "year": item.year,
                    "deadline": item.deadline.isoformat(),
                    "days": left,
                    "status": item.status_label,
                },
                deadline=item.deadline,
                how_to_clear=_("在机构工作台填写并提交%(year)s年度工作报告。") % {"year": item.year},
                link=_workbench(item.organization),
            )


def report_overdue(today):
    for item in overdue_reports(today):
        yield WarningSpec(
            subject=item.organization,
            detail_key=str(item.year),
            subject_label=item.organization.name,
            organisation_uscc=item.organization.uscc,
            reason=_(
                "%(year)s年度工作报告已逾期（截止日期%(deadline)s），目前状态：%(status)s。"
                "逾期未报将被列入活动异常名录（S5）。"
            )
            % {"year": item.year, "deadline": item.deadline.isoformat(), "status": item.status_label},
            deadline=item.deadline,
            how_to_clear=_("尽快在机构工作台提交%(year)s年度工作报告；已列入名录的，报送后申请移出。")
            % {"year": item.year},
            link=_workbench(item.organization),
        )


FIXES = {
    ListReason.REPORT_NOT_FILED: setting_text(
        gettext_noop("报送所涉年度工作报告后，登记管理机关在%(days)s个工作日内将其移出。"),
        days="S5_REMOVAL_WORKING_DAYS",
    ),
    ListReason.REPORT_NONCOMPLIANT: gettext_lazy("按要求更正年度工作报告后申请移出。"),
    ListReason.RECTIFICATION_OVERDUE: gettext_lazy("完成整改并向登记管理机关报告后申请移出。"),
    ListReason.UNREACHABLE: gettext_lazy("办理住所变更登记或恢复在登记住所的联系后申请移出。"),
}

NO_FIX_NEEDED = setting_text(
    gettext_noop("列入满%(months)s个月且无需整改的，登记管理机关将其移出。"), months="S5_AUTO_REMOVAL_MONTHS"
)


def serious_list_clock(today):
    """Every current abnormal listing: the date it turns into a serious-list proposal (S6)."""
    for entry in current_abnormal_entries():
        due = add_years(entry.listed_on, settings.S6_ABNORMAL_YEARS_TO_SERIOUS)
        fix = FIXES.get(entry.reason, NO_FIX_NEEDED)
        yield WarningSpec(
            subject=entry,
            subject_label=entry.organization.name,
            organisation_uscc=entry.organization.uscc,
            reason=_(
                "自%(listed)s起列入活动异常名录（%(reason)s）；至%(due)s仍未移出的，将被列入严重违法失信名单（S6）。"
            )
            % {
                "listed": entry.listed_on.isoformat(),
                "reason": entry.get_reason_display(),
                "due": due.isoformat(),
            },
            deadline=due,
            how_to_clear=str(fix),
            link=reverse("credit:detail", args=[entry.organization.uscc]),
        )


def rating_expiring(today):
    latest = {}
    for rating in Rating.objects.select_related("organization").order_by(
        "organization_id", "-rated_on", "-pk"
    ):
        latest.setdefault(rating.organization_id, rating)
    for rating in latest.values():
        left = (rating.expires_on - today).days
        if 0 <= left <= settings.WARNING_RATING_EXPIRY_DAYS:
            yield WarningSpec(
                subject=rating,
                subject_label=rating.organization.name,
                organisation_uscc=rating.organization.uscc,
                reason=_("%(grade)s评估等级将于%(date)s到期（还剩%(days)s天）。")
                % {"grade": rating.get_grade_display(), "date": rating.expires_on.isoformat(), "days": left},
                deadline=rating.expires_on,
                how_to_clear=_("向登记管理机关申请参加新一轮等级评估（S7）。"),
                link=reverse("credit:detail", args=[rating.organization.uscc]),
            )


def spending_ratio(today):
    """C3: the latest filed report of each charity breaches a spending ratio."""
    latest = {}
    for report in (
        AnnualReport.objects.filter(
            status__in=FILED_STATUSES,
            organization__status=OrgStatus.NORMAL,
            organization__charity_recognized_on__isnull=False,
        )
        .select_related("organization")
        .order_by("organization_id", "-year")
    ):
        latest.setdefault(report.organization_id, report)
    for report in latest.values():
        if not report.c3_breach:
            continue
        failed = [check for check in c3_for(report) if not check.ok]
        if not failed:
            continue
        organization = report.organization
        details = "；".join(
            _("%(label)s %(actual)s%%（%(limit)s %(bound)s%%）")
            % {
                "label": check.label,
                "actual": check.actual_percent,
                "limit": _("下限") if check.is_minimum else _("上限"),
                "bound": check.limit_percent,
            }
            for check in failed
        )
        yield WarningSpec(
            subject=report,
            subject_label=organization.name,
            organisation_uscc=organization.uscc,
            reason=_("%(year)s年度报告支出比例未达标（C3）：%(details)s。")
            % {"year": report.year, "details": details},
            deadline=deadlines_for(organization, report.year + 1).registration,
            how_to_clear=_(
                "调整本年度慈善活动支出和管理费用，使下一年度报告符合比例要求；如有特殊情况，向登记管理机关书面说明。"
            ),
            link=reverse("credit:detail", args=[organization.uscc]),
        )


def register():
    register_warning_source(REPORT_DUE, gettext_lazy("年度报告即将到期"), report_due)
    register_warning_source(REPORT_OVERDUE, gettext_lazy("年度报告已逾期"), report_overdue)
    register_warning_source(
        SERIOUS_CLOCK, gettext_lazy("异常名录转严重违法失信名单倒计时"), serious_list_clock
    )
    register_warning_source(RATING_EXPIRING, gettext_lazy("评估等级即将到期"), rating_expiring)
    register_warning_source(SPENDING_RATIO, gettext_lazy("慈善支出比例未达标"), spending_ratio)
