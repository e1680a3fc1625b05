"""Donation and spending imports from CSV or Excel with Chinese headers
(``docs/charity-imports.md``), one module per concern.

| module | what | rules |
|---|---|---|
| ``specs`` | the kinds of import: headers, keys, row validation, the template CSVs | C4 |
| ``reading`` | reading an uploaded CSV or XLSX into rows, within the server's limits | — |
| ``checking`` | the dry run, and the all-or-nothing, idempotent confirmation | C4 |
| ``staging`` | keeping a checked file for its confirmation, under a one-time token | — |

A dry run validates every row and reports each rejected row by its line number (the
header is line 1). A confirmed import is all-or-nothing, and idempotent: a row whose
key (a donation's receipt number, a spending row's voucher number) is already recorded
with the same content is skipped, so re-uploading the same file adds nothing twice.

This package re-exports the names used outside it (the tests and the benchmarks), so ``from orgs.charity import imports`` keeps working; code inside it imports
from the module that holds the rule.
"""

from .checking import ImportResult, check, confirm
from .reading import ImportFileError, Rejection, Rows, read_rows
from .specs import DONATIONS, EXPENDITURES, SPECS, DonationImport, ExpenditureImport, ImportSpec, template_csv

__all__ = [
    "DONATIONS",
    "EXPENDITURES",
    "SPECS",
    "DonationImport",
    "ExpenditureImport",
    "ImportFileError",
    "ImportResult",
    "ImportSpec",
    "Rejection",
    "Rows",
    "check",
    "confirm",
    "read_rows",
    "template_csv",
]
