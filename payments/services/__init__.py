"""Payment operations, one module per use case. Other apps call these and listen to
``payments.signals``. Nothing here names a provider's codes: the providers translate
their answers into ``ErrorKind`` and ``TradeStatus``.

| module | what | functions |
|---|---|---|
| ``intents`` | creating an intent, idempotent on ``idempotency_key``; the intents paying for a record | :func:`create_intent`, :func:`intents_for` |
| ``checkout`` | begin paying through a provider channel | :func:`start_checkout` |
| ``settlement`` | recording a payment or a closed trade, exactly once | :func:`settle_paid`, :func:`settle_closed` |
| ``notifications`` | the notify endpoint's whole job | :func:`handle_notification` |
| ``syncing`` | asking the gateway (the only other way an intent becomes paid); closing trades | :func:`sync_intent`, :func:`close_intent`, :func:`close_open_intents` |
| ``refunds`` | full or partial, never beyond what was captured; giving back money that arrived for something no longer paid for | :func:`create_refund`, :func:`refund_refused` |
| ``reconciliation`` | the periodic check of stale and expired intents | :func:`reconcile` |
| ``_common`` | errors, status names, amounts to the cent, site URLs | — |

Money follows the state of what it pays for (``payments.payables``): a checkout is refused
when the payable no longer takes payment, and a payment that still arrives for it (or for
an intent the payer withdrew) is recorded, marked with the reason in ``refused_reason``
and refunded in full.

An intent becomes ``succeeded`` only through :func:`settle_paid`, called from a
verified notification or a query the platform made, under a row lock, and the
ledger allows one charge per intent, so a payment is recorded exactly once.

This package re-exports the names used outside ``payments`` (orders, charity giving, the
tests) so ``from payments import services`` keeps working; code inside the app imports
from the module that holds the operation.
"""

from ._common import IdempotencyConflict, PaymentError, site_url
from .checkout import notify_url, return_url, start_checkout
from .intents import create_intent, intents_for
from .notifications import NotificationOutcome, handle_notification, record_notification
from .reconciliation import ReconcileSummary, reconcile
from .refunds import create_refund, refund_refused, refundable_amount
from .syncing import close_intent, close_open_intents, open_intents_for, sync_intent

__all__ = [
    "IdempotencyConflict",
    "NotificationOutcome",
    "PaymentError",
    "ReconcileSummary",
    "close_intent",
    "close_open_intents",
    "create_intent",
    "create_refund",
    "handle_notification",
    "intents_for",
    "notify_url",
    "open_intents_for",
    "reconcile",
    "record_notification",
    "refund_refused",
    "refundable_amount",
    "return_url",
    "site_url",
    "start_checkout",
    "sync_intent",
]
