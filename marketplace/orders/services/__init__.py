"""Domain operations of orders and contracts, one module per use case. Views call these;
nothing here reads a request.

| module | what | rules |
|---|---|---|
| ``placing`` | a saved quote becomes an order; the provider confirms it | F4, F7, F9 |
| ``signing`` | the contract from the bureau's template; signing and sealing contracts and change orders | F4, F8, F9 |
| ``changes`` | change orders after signing | F4, F7, F9 |
| ``fulfilment`` | starting the service; completion with the e-certificate | M2, F9 |
| ``cancellation`` | cancelling an order; voiding and revoking its documents | F8 |
| ``history`` | the ledger of payments and refunds, the comparison, the audit history | F8, F9 |
| ``common`` | audit action names, the acting user, the order lock | — |

The statement lines and totals at every stage (F4, F7, F8's deposit, F9) are in
``marketplace.orders.statements``, below both this package and ``pdfs``.

The payments integration (``marketplace.orders.paying``) calls :func:`mark_paid` and
:func:`mark_refunded`. This package re-exports the names used outside ``marketplace.orders``
so ``from marketplace.orders import services`` keeps working; code inside the app imports
from the module that holds the rule.
"""

from core.statemachine import IllegalTransition

from ..statements import bill_lines
from .cancellation import cancel_order
from .changes import decline_change, propose_change, withdraw_change
from .fulfilment import complete_order, start_service
from .history import balance_due, comparison, mark_paid, mark_refunded, paid_total
from .placing import PricesChanged, confirm_order, submit_order
from .signing import ensure_default_template, issue_contract, send_signing_code, sign, signer_name

__all__ = [
    "IllegalTransition",
    "PricesChanged",
    "balance_due",
    "bill_lines",
    "cancel_order",
    "comparison",
    "complete_order",
    "confirm_order",
    "decline_change",
    "ensure_default_template",
    "issue_contract",
    "mark_paid",
    "mark_refunded",
    "paid_total",
    "propose_change",
    "send_signing_code",
    "sign",
    "signer_name",
    "start_service",
    "submit_order",
    "withdraw_change",
]
