"""Domain operations of orders and contracts, one module per use case. Views call these;
nothing here reads a request.

| module | what | rules |
|---|---|---|
| ``lines`` | statement lines and totals at quote, order, contract and final bill | F4, F7, F9 |
| ``placing`` | a saved quote becomes an order; the provider confirms it | F4, F7, F9 |
| ``signing`` | the contract from the bureau's template; signing and sealing contracts and change orders | F4, F8, F9 |
| ``changes`` | change orders after signing | F4, F7, F9 |
| ``fulfilment`` | starting the service; completion with the e-certificate | M2, F9 |
| ``cancellation`` | cancelling an order; voiding and revoking its documents | F8 |
| ``history`` | the ledger of payments and refunds, the comparison, the audit history | F8, F9 |
| ``common`` | audit action names, the order lock, documents in the platform's language | — |

The payments integration (``marketplace.orders.paying``) calls :func:`mark_paid` and
:func:`mark_refunded`. This package re-exports the names used outside ``marketplace.orders``
so ``from marketplace.orders import services`` keeps working; code inside the app imports
from the module that holds the rule.
"""

from core.statemachine import IllegalTransition

from .cancellation import cancel_order
from .changes import decline_change, propose_change, withdraw_change
from .fulfilment import complete_order, start_service
from .history import balance_due, comparison, mark_paid, mark_refunded, paid_total
from .lines import bill_lines
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
