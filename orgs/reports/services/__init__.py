"""Annual report rules, one module per use case. Views call these; nothing here reads a
request.

| module | what | rules |
|---|---|---|
| ``deadlines`` | filing deadlines, the report years open for filing, countdowns, starting a report | S2, C1 |
| ``validation`` | business rules on the figures; the attachments a report needs | S2 |
| ``attachments`` | uploading and withdrawing attachments while a report is editable | S2 |
| ``ratios`` | a charity's spending ratios from the filed figures | C3 |
| ``submission`` | submitting: the frozen, digested content, lateness, the review countdown | S2, S3 |
| ``review`` | returning a report with reasons, accepting it with a conclusion | S3 |
| ``receipt`` | the receipt PDF of a submission | S3 |

This package re-exports the names used outside ``orgs.reports`` (credit, charity, the
tests) so ``from orgs.reports import services`` keeps working; code inside the app
imports from the module that holds the rule.
"""

from .attachments import add_attachment, check_upload, withdraw_attachment
from .deadlines import (
    Deadlines,
    applicable_deadline,
    countdown,
    days_left,
    deadlines_for,
    filing_years,
    report_years,
    start_report,
)
from .ratios import RatioCheck, c3_checks, c3_for, income_history
from .receipt import receipt_pdf
from .review import accept_report, reports_by_organization, reports_by_year, return_report
from .submission import content_digest, snapshot, submit_report
from .validation import attachment_errors, content_errors, current_attachments, required_attachment_kinds

__all__ = [
    "Deadlines",
    "RatioCheck",
    "accept_report",
    "add_attachment",
    "applicable_deadline",
    "attachment_errors",
    "c3_checks",
    "c3_for",
    "check_upload",
    "content_digest",
    "content_errors",
    "countdown",
    "current_attachments",
    "days_left",
    "deadlines_for",
    "filing_years",
    "income_history",
    "receipt_pdf",
    "report_years",
    "reports_by_organization",
    "reports_by_year",
    "required_attachment_kinds",
    "return_report",
    "snapshot",
    "start_report",
    "submit_report",
    "withdraw_attachment",
]
