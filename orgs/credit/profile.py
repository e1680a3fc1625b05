"""The credit section of the public organisation profile (/orgs/<uscc>/), and its lines in
the status summary at the top of the page: each current listing as a warning with its
reason, date and decision; otherwise that the organisation is on neither list as of today;
the latest annual report that was due; the rating."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from orgs.registry.profile import SummaryFact, Tone
from orgs.reports.models import AnnualReport, Conclusion, ReportStatus
from orgs.reports.profile import with_accepted_at

from .models import EntryStatus, ListEntry, Rating
from .public import report_history


def _day(value):
    return date_format(value, "Y-m-d")


def listing_fact(entry, link):
    reason = entry.get_reason_display()
    if entry.report_year:
        reason = _("%(reason)s（%(year)s 年度）") % {"reason": reason, "year": entry.report_year}
    detail = _("事由：%(reason)s；%(date)s 列入；%(authority)s %(number)s") % {
        "reason": reason,
        "date": _day(entry.listed_on),
        "authority": entry.authority,
        "number": entry.document_number,
    }
    return SummaryFact(
        label=entry.get_list_type_display(),
        value=_("已列入"),
        tone=Tone.WARNING,
        detail=detail,
        link=link,
        link_text=_("查看信用信息"),
        order=20,
    )


def report_fact(organization, reports, today):
    """The newest report year that was due (or filed early): filed on time or late, its
    conclusion once accepted; overdue and unfiled, or an unqualified conclusion, is a warning."""
    due = [year for year in report_history(organization, reports, today) if year.state != "pending"]
    label = _("最近年度报告")
    if not due:
        return SummaryFact(label=label, value=_("暂无已到截止日期的年度报告"), order=30)
    latest = due[0]
    if latest.state == "not_filed":
        return SummaryFact(
            label=label,
            value=_("%(year)s 年度：逾期未报送") % {"year": latest.year},
            tone=Tone.WARNING,
            detail=_("截止日期 %(date)s") % {"date": _day(latest.deadline)},
            order=30,
        )
    report = latest.report
    if report.status == ReportStatus.ACCEPTED:
        value = _("%(year)s 年度：%(conclusion)s") % {"year": latest.year, "conclusion": latest.conclusion}
        accepted_at = getattr(report, "accepted_at", None)
        detail = (
            _("%(filing)s；%(date)s 审核通过")
            % {"filing": latest.state_label, "date": _day(timezone.localdate(accepted_at))}
            if accepted_at
            else latest.state_label
        )
    else:
        value = _("%(year)s 年度：已报送，待审核") % {"year": latest.year}
        detail = latest.state_label
    tone = Tone.WARNING if report.conclusion == Conclusion.UNQUALIFIED else Tone.NEUTRAL
    return SummaryFact(label=label, value=value, tone=tone, detail=detail, order=30)


def rating_fact(rating, expired):
    label = _("评估等级")
    if rating is None:
        return SummaryFact(label=label, value=_("暂无等级评估记录"), order=40)
    if expired:
        detail = _("已过期（有效期至 %(date)s）") % {"date": _day(rating.expires_on)}
    else:
        detail = _("有效期至 %(date)s") % {"date": _day(rating.expires_on)}
    return SummaryFact(label=label, value=rating.get_grade_display(), detail=detail, order=40)


def profile_context(organization, request=None):
    today = timezone.localdate()
    rating = Rating.objects.filter(organization=organization).order_by("-rated_on", "-pk").first()
    entries = list(
        ListEntry.objects.filter(organization=organization, status=EntryStatus.LISTED).order_by("-listed_on")
    )
    reports = list(with_accepted_at(AnnualReport.objects.filter(organization=organization)))
    rating_expired = bool(rating and rating.is_expired(today))
    link = reverse("credit:detail", args=[organization.uscc])
    if entries:
        lists = [listing_fact(entry, link) for entry in entries]
    else:
        lists = [
            SummaryFact(
                label=_("信用名录"),
                value=_("未列入活动异常名录或严重违法失信名单"),
                tone=Tone.OK,
                detail=_("截至 %(date)s 的登记管理机关记录") % {"date": _day(today)},
                order=20,
            )
        ]
    return {
        "organization": organization,
        "current_entries": entries,
        "rating": rating,
        "rating_expired": rating_expired,
        "as_of": today,
        "summary": [*lists, report_fact(organization, reports, today), rating_fact(rating, rating_expired)],
    }
