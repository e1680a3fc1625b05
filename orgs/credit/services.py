"""Credit rules (S4–S8): recording credit information, listing and removal, the daily
rules that propose listings and removals, ratings and objections."""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.statemachine import IllegalTransition, transition
from orgs.registry.models import Organization, OrgStatus
from orgs.reports import workdays
from orgs.reports.models import AnnualReport, ReportStatus
from orgs.reports.services import deadlines_for

from .dates import add_months, add_years
from .models import (
    REASONS_BY_LIST,
    Category,
    CreditRecord,
    EntryStatus,
    Grade,
    ListEntry,
    ListReason,
    ListType,
    Objection,
    ObjectionStatus,
    Proposal,
    ProposalAction,
    ProposalStatus,
    Rating,
    RemovalReason,
    Rule,
)

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


# --- S4: credit records -------------------------------------------------------------------


def lateness(decided_on, recorded_on):
    """S4: (working days from the decision to the recording, late?)."""
    days = max(workdays.working_days_between(decided_on, recorded_on), 0)
    return days, days > settings.S4_RECORDING_WORKING_DAYS


@transaction.atomic
def record_credit(
    organization,
    *,
    category,
    decided_on,
    summary,
    authority,
    document_number,
    user,
    fine_amount=None,
    attachment=None,
    corrects=None,
    correction_reason="",
    now=None,
):
    """Append a credit record (S4). A correction points at the record it corrects; both stay."""
    now = now or timezone.now()
    recorded_on = timezone.localdate(now)
    if category not in Category.values:
        raise ValidationError({"category": _("请选择信息类别。")})
    summary = _required(summary, "summary", _("请填写内容摘要。"))
    authority = _required(authority, "authority", _("请填写决定机关。"))
    document_number = _required(document_number, "document_number", _("请填写决定文书号。"))
    if decided_on is None:
        raise ValidationError({"decided_on": _("请填写决定日期。")})
    if decided_on > recorded_on:
        raise ValidationError({"decided_on": _("决定日期不能晚于记录日期。")})
    if fine_amount is not None and category != Category.PENALTY:
        raise ValidationError({"fine_amount": _("只有行政处罚信息可以填写罚款金额。")})
    if corrects is not None:
        corrects = CreditRecord.objects.select_for_update().get(pk=corrects.pk)
        if corrects.organization_id != organization.pk:
            raise ValidationError({"corrects": _("更正记录必须与被更正记录属于同一社会组织。")})
        if corrects.corrections.exists():
            raise ValidationError({"corrects": _("该记录已被更正，请对最新的更正记录进行更正。")})
        correction_reason = _required(correction_reason, "correction_reason", _("请填写更正理由。"))
    days, late = lateness(decided_on, recorded_on)
    record = CreditRecord(
        organization=organization,
        category=category,
        decided_on=decided_on,
        summary=summary,
        authority=authority,
        document_number=document_number,
        fine_amount=fine_amount,
        corrects=corrects,
        correction_reason=correction_reason or "",
        recorded_by=user,
        recorded_at=now,
        recorded_on=recorded_on,
        is_late=late,
        late_working_days=days,
    )
    if attachment is not None:
        record.attachment.save(attachment.name.rsplit("/", 1)[-1], attachment, save=False)
    record.save()
    return record


# --- S5, S6: listing and removal ---------------------------------------------------------------


def current_entries(organization, list_type=None):
    queryset = ListEntry.objects.filter(organization=organization, status=EntryStatus.LISTED)
    return queryset.filter(list_type=list_type) if list_type else queryset


@transaction.atomic
def list_organization(
    organization,
    *,
    list_type,
    reason,
    listed_on,
    document_number,
    user,
    authority=BUREAU,
    note="",
    report_year=None,
    from_entry=None,
):
    """Put an organisation on the abnormal (S5) or serious (S6) list, with a reason from that list."""
    if list_type not in ListType.values:
        raise ValidationError({"list_type": _("请选择名录。")})
    if reason not in REASONS_BY_LIST[list_type]:
        raise ValidationError(
            {
                "reason": _("“%(reason)s”不是%(list)s的列入事由。")
                % {
                    "reason": ListReason(reason).label if reason in ListReason.values else reason,
                    "list": ListType(list_type).label,
                }
            }
        )
    if listed_on is None or listed_on > _today():
        raise ValidationError({"listed_on": _("列入日期不能晚于今天。")})
    document_number = _required(document_number, "document_number", _("请填写列入决定书文号。"))
    Organization.objects.select_for_update().get(pk=organization.pk)
    duplicate = current_entries(organization, list_type).filter(reason=reason)
    if report_year is not None:
        duplicate = duplicate.filter(report_year=report_year)
    if duplicate.exists():
        raise ValidationError(_("该组织已因同一事由在%(list)s中。") % {"list": ListType(list_type).label})
    entry = ListEntry.objects.create(
        organization=organization,
        list_type=list_type,
        reason=reason,
        report_year=report_year,
        listed_on=listed_on,
        authority=(authority or BUREAU).strip(),
        document_number=document_number,
        note=(note or "").strip(),
        from_entry=from_entry,
        listed_by=user,
    )
    log(
        entry,
        "credit.list",
        user=user,
        data={"reason": entry.get_reason_display(), "listed_on": str(listed_on)},
    )
    return entry


@transaction.atomic
def remove_entry(entry, *, removed_on, removal_reason, document_number, user, note=""):
    entry = ListEntry.objects.select_for_update().get(pk=entry.pk)
    if removal_reason not in RemovalReason.values:
        raise ValidationError({"removal_reason": _("请选择移出事由。")})
    if removed_on is None or removed_on < entry.listed_on or removed_on > _today():
        raise ValidationError({"removed_on": _("移出日期应在列入日期和今天之间。")})
    document_number = _required(document_number, "removal_document_number", _("请填写移出决定书文号。"))
    entry.removed_on = removed_on
    entry.removal_reason = removal_reason
    entry.removal_document_number = document_number
    entry.removal_note = (note or "").strip()
    entry.removed_by = user
    try:
        transition(
            entry,
            EntryStatus.REMOVED,
            user=user,
            reason=f"{RemovalReason(removal_reason).label} {entry.removal_note}".strip(),
            save_fields=(
                "removed_on",
                "removal_reason",
                "removal_document_number",
                "removal_note",
                "removed_by",
            ),
        )
    except IllegalTransition as error:
        raise ValidationError(_("该名录记录已移出。")) from error
    return entry


# --- The daily rules: proposals -----------------------------------------------------------------


@dataclass
class Candidate:
    rule: str
    organization: Organization
    action: str
    list_type: str
    key_facts: dict
    facts: dict
    reason: str = ""
    entry: ListEntry | None = None
    report_year: int | None = None
    due_on: object = None

    @property
    def fingerprint(self):
        canonical = json.dumps(
            {"rule": self.rule, "organization": self.organization.uscc, **self.key_facts},
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class RuleRun:
    created: list = field(default_factory=list)
    withdrawn: list = field(default_factory=list)
    unchanged: int = 0

    def __str__(self):
        return f"proposals created {len(self.created)}, withdrawn {len(self.withdrawn)}, unchanged {self.unchanged}"


@dataclass(frozen=True)
class OverdueReport:
    organization: Organization
    year: int
    deadline: object
    report: AnnualReport | None

    @property
    def status_label(self):
        return self.report.get_status_display() if self.report else _("未开始填报")


def report_years_checked(organization, today):
    first = max(organization.registered_on.year, today.year - settings.S5_OVERDUE_LOOKBACK_YEARS)
    return range(first, today.year)


def _applicable_deadline(organization, year, report):
    if report is not None:
        if report.status == ReportStatus.RETURNED and report.resubmit_deadline:
            return report.resubmit_deadline
        return report.deadline
    return deadlines_for(organization, year).registration


def unfiled_reports(today, organizations=None):
    """Every (organisation, year) whose annual report is not filed, with its applicable
    deadline, over the S5 lookback window. Three queries whatever the numbers."""
    organizations = list(
        organizations
        if organizations is not None
        else Organization.objects.filter(status=OrgStatus.NORMAL).select_related("supervising_unit")
    )
    first_year = today.year - settings.S5_OVERDUE_LOOKBACK_YEARS
    reports = {
        (report.organization_id, report.year): report
        for report in AnnualReport.objects.filter(
            organization__in=[o.pk for o in organizations], year__gte=first_year
        )
    }
    for organization in organizations:
        for year in report_years_checked(organization, today):
            report = reports.get((organization.pk, year))
            if report is not None and report.status in FILED_STATUSES:
                continue
            yield OverdueReport(organization, year, _applicable_deadline(organization, year, report), report)


def overdue_reports(today, organizations=None):
    """S5: reports not filed by the day after their deadline."""
    return [item for item in unfiled_reports(today, organizations) if today > item.deadline]


def _s5_overdue_candidates(today):
    listed = set(
        ListEntry.objects.filter(
            list_type=ListType.ABNORMAL, status=EntryStatus.LISTED, reason=ListReason.REPORT_NOT_FILED
        ).values_list("organization_id", "report_year")
    )
    for item in overdue_reports(today):
        if (item.organization.pk, item.year) in listed:
            continue
        yield Candidate(
            rule=Rule.S5_LIST_OVERDUE_REPORT,
            organization=item.organization,
            action=ProposalAction.LIST,
            list_type=ListType.ABNORMAL,
            reason=ListReason.REPORT_NOT_FILED,
            report_year=item.year,
            key_facts={"year": item.year, "deadline": item.deadline.isoformat()},
            facts={
                "year": item.year,
                "deadline": item.deadline.isoformat(),
                "report_status": str(item.status_label),
                "overdue_since": add_days(item.deadline, 1).isoformat(),
            },
        )


def add_days(day, n):
    import datetime

    return day + datetime.timedelta(days=n)


def _current_abnormal():
    return ListEntry.objects.filter(list_type=ListType.ABNORMAL, status=EntryStatus.LISTED).select_related(
        "organization"
    )


def _s5_removal_candidates(today):
    entries = list(_current_abnormal())
    years = {(e.organization_id, e.report_year) for e in entries if e.reason == ListReason.REPORT_NOT_FILED}
    filed = {
        (r.organization_id, r.year): r
        for r in AnnualReport.objects.filter(
            organization__in={org for org, _year in years}, status__in=FILED_STATUSES
        )
        if (r.organization_id, r.year) in years
    }
    for entry in entries:
        if entry.reason == ListReason.REPORT_NOT_FILED:
            report = filed.get((entry.organization_id, entry.report_year))
            if report is None or report.last_submitted_at is None:
                continue
            fixed_on = timezone.localdate(report.last_submitted_at)
            yield Candidate(
                rule=Rule.S5_REMOVE_FIXED,
                organization=entry.organization,
                action=ProposalAction.REMOVE,
                list_type=ListType.ABNORMAL,
                entry=entry,
                report_year=entry.report_year,
                due_on=workdays.add_working_days(fixed_on, settings.S5_REMOVAL_WORKING_DAYS),
                key_facts={"entry": entry.pk, "fixed_on": fixed_on.isoformat()},
                facts={
                    "entry": entry.pk,
                    "listed_on": entry.listed_on.isoformat(),
                    "year": entry.report_year,
                    "fixed_on": fixed_on.isoformat(),
                    "report_status": str(report.get_status_display()),
                },
            )
        elif entry.reason in settings.S5_REASONS_NEEDING_NO_FIX:
            removable_on = add_months(entry.listed_on, settings.S5_AUTO_REMOVAL_MONTHS)
            if today < removable_on:
                continue
            yield Candidate(
                rule=Rule.S5_REMOVE_SIX_MONTHS,
                organization=entry.organization,
                action=ProposalAction.REMOVE,
                list_type=ListType.ABNORMAL,
                entry=entry,
                due_on=removable_on,
                key_facts={"entry": entry.pk, "removable_on": removable_on.isoformat()},
                facts={
                    "entry": entry.pk,
                    "listed_on": entry.listed_on.isoformat(),
                    "listing_reason": str(entry.get_reason_display()),
                    "removable_on": removable_on.isoformat(),
                },
            )


def _s6_listing_candidates(today):
    moved = set(
        ListEntry.objects.filter(list_type=ListType.SERIOUS, from_entry__isnull=False).values_list(
            "from_entry_id", flat=True
        )
    )
    for entry in _current_abnormal():
        if entry.pk in moved:
            continue
        due = add_years(entry.listed_on, settings.S6_ABNORMAL_YEARS_TO_SERIOUS)
        if today < due:
            continue
        yield Candidate(
            rule=Rule.S6_LIST_TWO_YEARS,
            organization=entry.organization,
            action=ProposalAction.LIST,
            list_type=ListType.SERIOUS,
            reason=ListReason.ABNORMAL_TWO_YEARS,
            entry=entry,
            key_facts={"entry": entry.pk, "listed_on": entry.listed_on.isoformat()},
            facts={
                "entry": entry.pk,
                "listed_on": entry.listed_on.isoformat(),
                "listing_reason": str(entry.get_reason_display()),
                "two_years_on": due.isoformat(),
            },
        )


def serious_removal_date(entry, later_listings):
    """S6: two years after the entry, or after the latest later listing of the organisation."""
    latest = max([entry.listed_on, *later_listings])
    return add_years(latest, settings.S6_REMOVAL_YEARS), latest


def _s6_removal_candidates(today):
    entries = list(
        ListEntry.objects.filter(list_type=ListType.SERIOUS, status=EntryStatus.LISTED).select_related(
            "organization"
        )
    )
    listings = {}
    for org_id, listed_on in ListEntry.objects.filter(
        organization__in={e.organization_id for e in entries}
    ).values_list("organization_id", "listed_on"):
        listings.setdefault(org_id, []).append(listed_on)
    for entry in entries:
        later = [day for day in listings.get(entry.organization_id, []) if day > entry.listed_on]
        removable_on, latest = serious_removal_date(entry, later)
        if today < removable_on:
            continue
        yield Candidate(
            rule=Rule.S6_REMOVE_TWO_YEARS,
            organization=entry.organization,
            action=ProposalAction.REMOVE,
            list_type=ListType.SERIOUS,
            entry=entry,
            due_on=removable_on,
            key_facts={"entry": entry.pk, "latest_listing": latest.isoformat()},
            facts={
                "entry": entry.pk,
                "listed_on": entry.listed_on.isoformat(),
                "listing_reason": str(entry.get_reason_display()),
                "latest_listing": latest.isoformat(),
                "removable_on": removable_on.isoformat(),
            },
        )


def _penalty_candidates(today):
    """S5/S6 from penalty records: a warning or a fine under S5_SMALL_FINE_LIMIT proposes the
    abnormal list; a fine at or above it, or S6_REPEAT_PENALTY_COUNT penalties within
    S6_REPEAT_PENALTY_YEARS years, proposes the serious list. Penalties decided in the last
    S6_REPEAT_PENALTY_YEARS years are considered; one already followed by a listing for the
    same reason is not proposed again."""
    since = add_years(today, -settings.S6_REPEAT_PENALTY_YEARS)
    penalties = list(
        CreditRecord.objects.effective()
        .filter(
            category=Category.PENALTY,
            decided_on__gt=since,
            decided_on__lte=today,
            organization__status=OrgStatus.NORMAL,
        )
        .select_related("organization")
        .order_by("organization_id", "decided_on", "pk")
    )
    listed = {}
    for org_id, reason, listed_on in ListEntry.objects.filter(
        organization__in={p.organization_id for p in penalties},
        reason__in=(ListReason.WARNING_OR_SMALL_FINE, ListReason.LARGE_FINE_OR_REPEAT),
    ).values_list("organization_id", "reason", "listed_on"):
        listed.setdefault((org_id, reason), []).append(listed_on)
    by_org = {}
    for record in penalties:
        by_org.setdefault(record.organization_id, []).append(record)
    for records in by_org.values():
        for index, record in enumerate(records):
            window_start = add_years(record.decided_on, -settings.S6_REPEAT_PENALTY_YEARS)
            within = [r for r in records[: index + 1] if r.decided_on > window_start]
            large = record.fine_amount is not None and record.fine_amount >= settings.S5_SMALL_FINE_LIMIT
            repeat = len(within) >= settings.S6_REPEAT_PENALTY_COUNT
            if large or repeat:
                rule, list_type, reason = (
                    Rule.S6_LIST_PENALTY,
                    ListType.SERIOUS,
                    ListReason.LARGE_FINE_OR_REPEAT,
                )
            else:
                rule, list_type, reason = (
                    Rule.S5_LIST_PENALTY,
                    ListType.ABNORMAL,
                    ListReason.WARNING_OR_SMALL_FINE,
                )
            if any(day >= record.decided_on for day in listed.get((record.organization_id, reason), [])):
                continue
            counted = within if repeat and not large else [record]
            yield Candidate(
                rule=rule,
                organization=record.organization,
                action=ProposalAction.LIST,
                list_type=list_type,
                reason=reason,
                key_facts={"records": [r.pk for r in counted]},
                facts={
                    "records": ", ".join(f"{r.decided_on.isoformat()} {r.document_number}" for r in counted),
                    "fine": str(record.fine_amount) if record.fine_amount is not None else "—",
                    "penalties_within_years": len(within),
                },
            )


def candidates(today):
    yield from _s5_overdue_candidates(today)
    yield from _penalty_candidates(today)
    yield from _s5_removal_candidates(today)
    yield from _s6_listing_candidates(today)
    yield from _s6_removal_candidates(today)


@transaction.atomic
def run_rules(today=None):
    """Create the proposals the rules make on ``today``. A proposal is made once per set of
    triggering facts (its fingerprint); a pending proposal whose facts no longer hold is withdrawn."""
    today = today or _today()
    result = RuleRun()
    live = set()
    existing = {
        (p.rule, p.organization_id, p.fingerprint)
        for p in Proposal.objects.only("rule", "organization_id", "fingerprint")
    }
    for candidate in candidates(today):
        key = (candidate.rule, candidate.organization.pk, candidate.fingerprint)
        live.add(key)
        if key in existing:
            result.unchanged += 1
            continue
        try:
            with transaction.atomic():
                proposal = Proposal.objects.create(
                    rule=candidate.rule,
                    action=candidate.action,
                    list_type=candidate.list_type,
                    reason=candidate.reason,
                    organization=candidate.organization,
                    entry=candidate.entry,
                    report_year=candidate.report_year,
                    facts=candidate.facts,
                    fingerprint=candidate.fingerprint,
                    proposed_on=today,
                    due_on=candidate.due_on,
                )
        except IntegrityError:  # made by a concurrent run
            result.unchanged += 1
            continue
        existing.add(key)
        result.created.append(proposal)
    for proposal in Proposal.objects.filter(status=ProposalStatus.PENDING).select_related("organization"):
        if (proposal.rule, proposal.organization_id, proposal.fingerprint) not in live:
            transition(proposal, ProposalStatus.WITHDRAWN, reason=_("触发条件已不再成立，自动撤回。"))
            result.withdrawn.append(proposal)
    return result


def run_daily(today=None, warning_kinds=None):
    """The daily job: rules first (so listings made today count), then the warnings
    (every registered kind, or only ``warning_kinds``)."""
    from core.warnings import refresh_warnings

    today = today or _today()
    rules = run_rules(today)
    warnings = refresh_warnings(today, kinds=warning_kinds)
    return rules, warnings


@transaction.atomic
def confirm_proposal(proposal, *, user, reason, decided_on=None, document_number):
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("organization", "entry")
        .get(pk=proposal.pk)
    )
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(_("该建议已处理。"))
    reason = _required(reason, "decision_reason", _("请填写决定理由。"))
    decided_on = decided_on or _today()
    rule = proposal.rule
    if proposal.action == ProposalAction.LIST:
        entry = list_organization(
            proposal.organization,
            list_type=proposal.list_type,
            reason=proposal.reason,
            listed_on=decided_on,
            document_number=document_number,
            user=user,
            note=reason,
            report_year=proposal.report_year,
            from_entry=proposal.entry if rule == Rule.S6_LIST_TWO_YEARS else None,
        )
        if rule == Rule.S6_LIST_TWO_YEARS and proposal.entry and proposal.entry.is_current:
            remove_entry(
                proposal.entry,
                removed_on=decided_on,
                removal_reason=RemovalReason.MOVED_TO_SERIOUS,
                document_number=document_number,
                user=user,
                note=reason,
            )
    else:
        removal_reason = {
            Rule.S5_REMOVE_FIXED: RemovalReason.FIXED,
            Rule.S5_REMOVE_SIX_MONTHS: RemovalReason.SIX_MONTHS,
            Rule.S6_REMOVE_TWO_YEARS: RemovalReason.TWO_YEARS,
        }[rule]
        entry = remove_entry(
            proposal.entry,
            removed_on=decided_on,
            removal_reason=removal_reason,
            document_number=document_number,
            user=user,
            note=reason,
        )
    proposal.result_entry = entry
    return _decide(
        proposal, ProposalStatus.CONFIRMED, user=user, reason=reason, extra_fields=("result_entry",)
    )


@transaction.atomic
def reject_proposal(proposal, *, user, reason):
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(_("该建议已处理。"))
    reason = _required(reason, "decision_reason", _("请填写驳回理由。"))
    return _decide(proposal, ProposalStatus.REJECTED, user=user, reason=reason)


# --- S7: ratings ---------------------------------------------------------------------------------


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


@transaction.atomic
def rate(organization, *, score, evaluating_body, rated_on, user, document_number=""):
    """S7: record a rating. An ineligible organisation is refused with the reasons."""
    if rated_on is None or rated_on > _today():
        raise ValidationError({"rated_on": _("评估日期不能晚于今天。")})
    evaluating_body = _required(evaluating_body, "evaluating_body", _("请填写评估机构。"))
    score = Decimal(score)
    if score < 0 or score > settings.S7_MAX_SCORE:
        raise ValidationError(
            {"score": _("评估得分应在 0 到 %(max)s 之间。") % {"max": settings.S7_MAX_SCORE}}
        )
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


def grade_label(grade):
    return Grade(grade).label


# --- S8: objections -----------------------------------------------------------------------------


@transaction.atomic
def file_objection(record, *, user, grounds, evidence):
    """An organisation member objects to a credit record of their organisation, with evidence."""
    from orgs.reports.services import check_upload

    record = (
        CreditRecord.objects.select_for_update(of=("self",)).select_related("organization").get(pk=record.pk)
    )
    if not record.organization.memberships.filter(user=user).exists():
        raise ValidationError(_("只有本机构成员可以对本机构的信用记录提出异议。"))
    if record.corrections.exists():
        raise ValidationError(_("该记录已被更正，请对更正后的记录提出异议。"))
    if Objection.objects.filter(record=record, status=ObjectionStatus.PENDING).exists():
        raise ValidationError(_("该记录已有待处理的异议，请等待处理结果。"))
    grounds = _required(grounds, "grounds", _("请填写异议理由。"))
    if evidence is None:
        raise ValidationError({"evidence": _("请上传证明材料。")})
    try:
        check_upload("other", evidence)
    except ValidationError as error:
        raise ValidationError({"evidence": error.messages}) from error
    evidence.seek(0)
    objection = Objection(
        organization=record.organization,
        record=record,
        grounds=grounds,
        filed_by=user,
        evidence_name=evidence.name.rsplit("/", 1)[-1][:200],
    )
    objection.evidence.save(objection.evidence_name, evidence, save=False)
    objection.save()
    log(objection, "credit.objection", user=user, data={"record": record.pk})
    return objection


@transaction.atomic
def uphold_objection(
    objection,
    *,
    user,
    reason,
    summary,
    category=None,
    decided_on=None,
    authority=None,
    document_number=None,
    fine_amount=None,
):
    """S8: the objection is upheld; the record is corrected by a new record (both stay)."""
    objection = (
        Objection.objects.select_for_update(of=("self",)).select_related("record").get(pk=objection.pk)
    )
    if objection.status != ObjectionStatus.PENDING:
        raise ValidationError(_("该异议已处理。"))
    reason = _required(reason, "decision_reason", _("请填写处理理由。"))
    original = objection.record
    category = category or original.category
    correction = record_credit(
        original.organization,
        category=category,
        decided_on=decided_on or original.decided_on,
        summary=summary,
        authority=authority or original.authority,
        document_number=document_number or original.document_number,
        fine_amount=fine_amount if category == Category.PENALTY else None,
        user=user,
        corrects=original,
        correction_reason=_("异议成立：%(reason)s") % {"reason": reason},
    )
    objection.correction = correction
    return _decide(objection, ObjectionStatus.UPHELD, user=user, reason=reason, extra_fields=("correction",))


@transaction.atomic
def dismiss_objection(objection, *, user, reason):
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ObjectionStatus.PENDING:
        raise ValidationError(_("该异议已处理。"))
    reason = _required(reason, "decision_reason", _("请填写处理理由。"))
    return _decide(objection, ObjectionStatus.DISMISSED, user=user, reason=reason)
