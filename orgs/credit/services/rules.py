"""The daily rules (S5, S6): from the facts on a given day they propose listings and
removals, and bureau staff confirm or reject each proposal with a reason. Nothing is listed
or removed without that decision.

- S5 list: a report overdue after its deadline (``listing.overdue_reports``); a warning or a
  fine under S5_SMALL_FINE_LIMIT.
- S5 remove: the report was filed — due within S5_REMOVAL_WORKING_DAYS working days of the
  filing; or, for a reason in S5_REASONS_NEEDING_NO_FIX, S5_AUTO_REMOVAL_MONTHS months after
  the listing.
- S6 list: S6_ABNORMAL_YEARS_TO_SERIOUS years on the abnormal list; a fine at or above
  S5_SMALL_FINE_LIMIT, or S6_REPEAT_PENALTY_COUNT penalties within S6_REPEAT_PENALTY_YEARS years.
- S6 remove: S6_REMOVAL_YEARS years after the latest listing of the organisation.

Every proposal gets its decision deadline (``due_on``) when it is made
(:func:`proposal_due_on`): a removal by its rule's date, a listing
S5_LISTING_DECISION_WORKING_DAYS working days after the proposal.

A proposal is made once per set of triggering facts (its fingerprint); a rejected one isn't
made again while the facts stay the same, and a pending one whose facts no longer hold is
withdrawn. ``run_daily`` runs the rules, then refreshes the early warnings.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import add_days, add_months, add_working_days, add_years
from core.statemachine import transition
from orgs.registry.models import Organization, OrgStatus
from orgs.reports.models import AnnualReport

from ..audit import log_decision, snapshot
from ..models import (
    Category,
    CreditRecord,
    EntryStatus,
    ListEntry,
    ListReason,
    ListType,
    Proposal,
    ProposalAction,
    ProposalStatus,
    RemovalReason,
    Rule,
)
from ._common import FILED_STATUSES, _decide, _required, _today
from .listing import current_abnormal_entries, list_organization, overdue_reports, remove_entry

PROPOSAL_AUDIT_FIELDS = ("status", "result_entry", "decided_by", "decided_at", "decision_reason")


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


def _s5_removal_candidates(today):
    entries = list(current_abnormal_entries())
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
                due_on=add_working_days(fixed_on, settings.S5_REMOVAL_WORKING_DAYS),
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
            yield _removal_after_time(
                Rule.S5_REMOVE_SIX_MONTHS,
                entry,
                removable_on,
                key_facts={"entry": entry.pk, "removable_on": removable_on.isoformat()},
            )


def _removal_after_time(rule, entry, removable_on, *, key_facts, **extra_facts):
    """A proposal to remove ``entry`` from its list because its time is up (S5 six months with
    nothing to fix, S6 two years without a new listing)."""
    return Candidate(
        rule=rule,
        organization=entry.organization,
        action=ProposalAction.REMOVE,
        list_type=entry.list_type,
        entry=entry,
        due_on=removable_on,
        key_facts=key_facts,
        facts={
            "entry": entry.pk,
            "listed_on": entry.listed_on.isoformat(),
            "listing_reason": str(entry.get_reason_display()),
            **extra_facts,
            "removable_on": removable_on.isoformat(),
        },
    )


def _s6_listing_candidates(today):
    moved = set(
        ListEntry.objects.filter(list_type=ListType.SERIOUS, from_entry__isnull=False).values_list(
            "from_entry_id", flat=True
        )
    )
    for entry in current_abnormal_entries():
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
        yield _removal_after_time(
            Rule.S6_REMOVE_TWO_YEARS,
            entry,
            removable_on,
            key_facts={"entry": entry.pk, "latest_listing": latest.isoformat()},
            latest_listing=latest.isoformat(),
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


def listing_decision_working_days():
    """How many working days the bureau has to decide a listing proposal (S5, S6).

    ``S5_LISTING_DECISION_WORKING_DAYS``, by default 5: the same term as S4's recording of
    new credit information (S4_RECORDING_WORKING_DAYS) and S5's removal after a fix."""
    return settings.S5_LISTING_DECISION_WORKING_DAYS


def proposal_due_on(proposed_on, rule_due_on=None):
    """The decision deadline of a proposal made on ``proposed_on``: the rule's own date when it
    has one (S5 removal after a fix: S5_REMOVAL_WORKING_DAYS working days after the filing; a
    removal after time: the day it becomes removable), else S5_LISTING_DECISION_WORKING_DAYS
    working days after the proposal."""
    if rule_due_on is not None:
        return rule_due_on
    return add_working_days(proposed_on, listing_decision_working_days())


def candidates(today):
    yield from _s5_overdue_candidates(today)
    yield from _penalty_candidates(today)
    yield from _s5_removal_candidates(today)
    yield from _s6_listing_candidates(today)
    yield from _s6_removal_candidates(today)


def run_rules(today=None):
    """Create the proposals the rules make on ``today``. A proposal is made once per set of
    triggering facts (its fingerprint); a pending proposal whose facts no longer hold is withdrawn."""
    with transaction.atomic():
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
                        due_on=proposal_due_on(today, candidate.due_on),
                    )
            except IntegrityError:  # made by a concurrent run
                result.unchanged += 1
                continue
            existing.add(key)
            result.created.append(proposal)
        for proposal in Proposal.objects.filter(status=ProposalStatus.PENDING).select_related("organization"):
            if (proposal.rule, proposal.organization_id, proposal.fingerprint) not in live:
                before = snapshot(proposal, ("status",))
                reason = _("触发条件已不再成立，自动撤回。")
                transition(proposal, ProposalStatus.WITHDRAWN, reason=reason)
                log_decision(proposal, before, user=None, reason=reason)
                result.withdrawn.append(proposal)
        return result


def run_daily(today=None, warning_kinds=None):
    """The daily job: rules first (so listings made today count), then the warnings
    (every registered kind, or only ``warning_kinds``)."""
    from core.models import EarlyWarning

    from ..public_changes import record_expired_ratings

    today = today or _today()
    rules = run_rules(today)
    # An expiry writes nothing, so the change feed learns of it here (once per rating).
    with transaction.atomic():
        record_expired_ratings(today)
    warnings = EarlyWarning.objects.refresh(today, kinds=warning_kinds)
    return rules, warnings


def confirm_proposal(proposal, *, user, reason, decided_on=None, document_number):
    with transaction.atomic():
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
        before = snapshot(proposal, PROPOSAL_AUDIT_FIELDS)
        proposal.result_entry = entry
        return _decide(
            proposal,
            ProposalStatus.CONFIRMED,
            user=user,
            reason=reason,
            extra_fields=("result_entry",),
            before=before,
        )


def reject_proposal(proposal, *, user, reason):
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ProposalStatus.PENDING:
            raise ValidationError(_("该建议已处理。"))
        reason = _required(reason, "decision_reason", _("请填写驳回理由。"))
        return _decide(proposal, ProposalStatus.REJECTED, user=user, reason=reason)
