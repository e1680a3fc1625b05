"""Credit rules (S4–S8), split by use case:

- ``records``: recording credit information (S4) and its corrections;
- ``listing``: the abnormal (S5) and serious (S6) lists — listing, removal and the S5
  facts about unfiled and overdue annual reports;
- ``rules``: the daily rules that propose listings and removals, and the bureau's decisions;
- ``ratings``: ratings and their eligibility (S7);
- ``objections``: objections to credit records (S8).

Code inside ``orgs.credit`` imports from the module that holds the rule. The names below
are re-exported for everyone else (``from orgs.credit import services``).
"""

from ._common import BUREAU, FILED_STATUSES
from .listing import (
    OverdueReport,
    current_abnormal_entries,
    current_entries,
    list_organization,
    overdue_reports,
    remove_entry,
    report_years_checked,
    unfiled_reports,
)
from .objections import dismiss_objection, file_objection, uphold_objection
from .ratings import (
    current_rating,
    expiry_for,
    grade_for,
    grade_label,
    ineligibility_reasons,
    latest_due_report_year,
    rate,
)
from .records import lateness, record_credit
from .rules import (
    Candidate,
    RuleRun,
    candidates,
    confirm_proposal,
    reject_proposal,
    run_daily,
    run_rules,
    serious_removal_date,
)

__all__ = [
    "BUREAU",
    "current_rating",
    "FILED_STATUSES",
    "Candidate",
    "OverdueReport",
    "RuleRun",
    "candidates",
    "confirm_proposal",
    "current_abnormal_entries",
    "current_entries",
    "dismiss_objection",
    "expiry_for",
    "file_objection",
    "grade_for",
    "grade_label",
    "ineligibility_reasons",
    "lateness",
    "latest_due_report_year",
    "list_organization",
    "overdue_reports",
    "rate",
    "record_credit",
    "reject_proposal",
    "remove_entry",
    "report_years_checked",
    "run_daily",
    "run_rules",
    "serious_removal_date",
    "unfiled_reports",
    "uphold_objection",
]
