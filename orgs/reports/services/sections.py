"""The annual report seen section by section: each section's status for the task list at
the top of the form (from the saved draft), and the totals the form shows as the user types
(the same sums the S2 content rules check, so the page and the rules never disagree)."""

from ..models import ZERO, AnnualReport
from .validation import attachment_errors, content_errors, current_attachments

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
HAS_ERRORS = "has_errors"

# Sum fields and the parts whose sum they must equal (``content_errors`` checks the same).
TOTALS = {
    "total_assets": ("total_liabilities", "net_assets_unrestricted", "net_assets_restricted"),
    "income_total": AnnualReport.INCOME_PARTS,
    "expense_total": AnnualReport.EXPENSE_PARTS,
}


def _amount(value):
    return ZERO if value in (None, "") else value


def totals(values):
    """``{total field: sum of its parts}`` (Decimal) for a mapping of field names to values."""
    return {
        total: sum((_amount(values.get(name)) for name in parts), ZERO) for total, parts in TOTALS.items()
    }


def _default(name):
    return AnnualReport._meta.get_field(name).get_default()


def section_status(report, names, errors):
    """未开始 while every field still holds its default; 有错误 when a content rule fails on
    one of its fields; 进行中 while a section's own completion rule is unmet; else 已完成."""
    names = list(names)
    started = any(getattr(report, name) != _default(name) for name in names)
    if not started:
        return NOT_STARTED
    if "basic_info_confirmed" in names:
        return COMPLETED if report.basic_info_confirmed else IN_PROGRESS
    if any(name in errors for name in names):
        return HAS_ERRORS
    if "activities_summary" in names and not report.activities_summary.strip():
        return IN_PROGRESS
    return COMPLETED


def section_statuses(report, sections):
    """``{section key: status}`` for ``sections`` (key, names) and the attachments, from the
    saved report."""
    data = {name: getattr(report, name) for name in AnnualReport.CONTENT_FIELDS}
    errors = content_errors(data, report.organization)
    statuses = {key: section_status(report, names, errors) for key, names in sections}
    attachments = current_attachments(report)
    if not attachments:
        statuses["attachments"] = NOT_STARTED
    elif attachment_errors(report, attachments):
        statuses["attachments"] = IN_PROGRESS
    else:
        statuses["attachments"] = COMPLETED
    return statuses
