"""Domain operations and rules of the catalogue, one module per use case. Views call these;
nothing here reads a request.

| module | what | rules |
|---|---|---|
| ``current`` | the price in effect on a day; the change generation that invalidates cached figures | F10 |
| ``stats`` | city min/median/max of current prices per category | F2 |
| ``anomalies`` | a market price far from the city median; the bureau's review of the flag | F2 |
| ``posting`` | the ceiling in force; publishing a price version (optimistic locking, flags) | F1, F2, F10 |
| ``ceilings`` | recording a ceiling version; the prices a new ceiling affects; their early warning | F2 |
| ``chain`` | verifying the price chains and the published heads; the early warning | F10 |
| ``cemetery`` | plot totals: use fee plus maintenance times the term | F5 |
| ``packages`` | the standard package: prices, breakdowns, catalogue order | F6 |
| ``statements`` | the itemised statement and the saved quote | F4, F7, F9 |
| ``notice`` | everything the public price notice of a provider shows | F3 |

This package re-exports the names used outside ``marketplace.catalogue`` (the orders app,
tests, the rule entry points ``docs/rules.md`` names) so ``from marketplace.catalogue import
services`` keeps working; code inside the app imports from the module that holds the rule.
``CategoryStats`` stays importable here because cached statistics pickled under this path
must still load.
"""

from .anomalies import anomaly
from .cemetery import plot_total, plot_totals
from .chain import chain_warnings, verify_chain
from .current import today, upcoming_versions, with_current_price
from .notice import price_notice
from .packages import package_breakdowns, package_prices, standard_package, with_package_price
from .posting import StalePriceError, check_ceiling, latest_version, publish_price
from .statements import compute_statement, save_quote, statement_from_quote
from .stats import CategoryStats

__all__ = [
    "CategoryStats",
    "StalePriceError",
    "anomaly",
    "chain_warnings",
    "check_ceiling",
    "compute_statement",
    "latest_version",
    "package_breakdowns",
    "package_prices",
    "plot_total",
    "plot_totals",
    "price_notice",
    "publish_price",
    "save_quote",
    "standard_package",
    "statement_from_quote",
    "today",
    "upcoming_versions",
    "verify_chain",
    "with_current_price",
    "with_package_price",
]
