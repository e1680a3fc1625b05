"""S5 and S6: the abnormal-activity list (活动异常名录) and the serious-violation list
(严重违法失信名单) — putting an organisation on a list, taking it off, and the S5 facts the
daily rules and the warnings read: which annual reports are unfiled or overdue.

- A listing carries a reason from its own list (``REASONS_BY_LIST``), a date no later than
  today and a decision number; the same reason (and report year) is never listed twice at once.
- A removal carries a reason, a date between the listing and today and a decision number;
  an entry is removed once (its state machine refuses a second removal).
- S5 overdue reports: over the last S5_OVERDUE_LOOKBACK_YEARS report years (never beyond
  the S2 filing window, S2_FILING_WINDOW_YEARS — ``orgs.reports.services.report_years``),
  a report not submitted or accepted by the day after its applicable deadline (the S2
  deadline, or the S3 resubmission deadline once returned).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.statemachine import IllegalTransition, transition
from orgs.registry.models import Organization, OrgStatus
from orgs.reports.models import AnnualReport
from orgs.reports.services import applicable_deadline, deadlines_for, report_years

from ..audit import log_decision, snapshot
from ..models import REASONS_BY_LIST, EntryStatus, ListEntry, ListReason, ListType, RemovalReason
from ._common import BUREAU, FILED_STATUSES, _required, _today

REMOVAL_AUDIT_FIELDS = (
    "status",
    "removed_on",
    "removal_reason",
    "removal_document_number",
    "removal_note",
    "removed_by",
)


def current_entries(organization, list_type=None):
    queryset = ListEntry.objects.filter(organization=organization, status=EntryStatus.LISTED)
    return queryset.filter(list_type=list_type) if list_type else queryset


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
    with transaction.atomic():
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


def remove_entry(entry, *, removed_on, removal_reason, document_number, user, note=""):
    with transaction.atomic():
        entry = ListEntry.objects.select_for_update().get(pk=entry.pk)
        if removal_reason not in RemovalReason.values:
            raise ValidationError({"removal_reason": _("请选择移出事由。")})
        if removed_on is None or removed_on < entry.listed_on or removed_on > _today():
            raise ValidationError({"removed_on": _("移出日期应在列入日期和今天之间。")})
        document_number = _required(document_number, "removal_document_number", _("请填写移出决定书文号。"))
        before = snapshot(entry, REMOVAL_AUDIT_FIELDS)
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
        log_decision(entry, before, user=user, reason=entry.removal_note)
        return entry


def current_abnormal_entries():
    """Every entry currently on the abnormal list, with its organisation."""
    return ListEntry.objects.filter(list_type=ListType.ABNORMAL, status=EntryStatus.LISTED).select_related(
        "organization"
    )


# --- S5 grounds: unfiled and overdue annual reports -----------------------------------------------


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
    """S5: the report years checked for an overdue report, oldest first — the last
    S5_OVERDUE_LOOKBACK_YEARS of the years a report can be filed for (``report_years``), so
    an organisation is never listed for a year it can't file any more."""
    return sorted(report_years(organization, today, settings.S5_OVERDUE_LOOKBACK_YEARS))


def _deadline(organization, year, report):
    """The applicable deadline of ``year``'s report; the S2 deadline when none is started."""
    if report is not None:
        return applicable_deadline(report)
    return deadlines_for(organization, year).registration


def unfiled_reports(today, organizations=None):
    """Every (organisation, year) whose annual report is not filed, with its applicable
    deadline, over the S5 lookback window. Three queries whatever the numbers."""
    organizations = list(
        organizations
        if organizations is not None
        else Organization.objects.filter(status=OrgStatus.NORMAL).select_related("supervising_unit")
    )
    first_year = today.year - min(settings.S5_OVERDUE_LOOKBACK_YEARS, settings.S2_FILING_WINDOW_YEARS)
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
            yield OverdueReport(organization, year, _deadline(organization, year, report), report)


def overdue_reports(today, organizations=None):
    """S5: reports not filed by the day after their deadline."""
    return [item for item in unfiled_reports(today, organizations) if today > item.deadline]
