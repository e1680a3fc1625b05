"""Recording what the gateway says happened, exactly once: a payment (one charge per intent,
under the caller's row lock, then ``payments.signals.payment_succeeded``) or a closed trade.
A payment that arrives for something no longer paid for is marked with ``refused_reason``
(``payments.payables``) so it is refunded."""

from django.utils import timezone

from core.statemachine import transition

from .. import payables, signals
from ..models import PaymentIntent, Transaction
from ..providers import NotificationRejected
from ._common import Status


def settle_paid(intent, *, amount, trade_no, source, notification=None, user=None):
    """Record the charge and move to succeeded, once. ``intent`` must be locked by the caller."""
    if intent.transactions.filter(kind=Transaction.Kind.CHARGE).exists():
        return False
    if amount != intent.amount:
        raise NotificationRejected(f"paid amount {amount} differs from {intent.amount}", verified=True)
    charge = Transaction.objects.create(
        intent=intent,
        kind=Transaction.Kind.CHARGE,
        amount=amount,
        provider_reference=trade_no,
        source=source,
        notification=notification,
    )
    intent.provider_trade_no = trade_no
    intent.succeeded_at = timezone.now()
    transition(
        intent,
        Status.SUCCEEDED,
        user=user,
        reason=source,
        save_fields=["provider_trade_no", "succeeded_at", "updated_at"],
    )
    # Receivers run inside this transaction: if one fails, nothing is recorded and the
    # gateway's retry (or reconcile_payments) settles it again.
    signals.payment_succeeded.send(sender=PaymentIntent, intent=intent, transaction=charge)
    # Asked after the receivers ran: they lock the payable (an order row), so its state is
    # settled for this transaction. A withdrawn intent keeps the reason it was given.
    if not intent.refused_reason:
        refused = payables.refusal(intent)
        if refused:
            intent.refused_reason = refused
            intent.save(update_fields=["refused_reason", "updated_at"])
    return True


def settle_closed(intent, *, source, user=None):
    if intent.status in (Status.REQUIRES_PAYMENT, Status.PROCESSING):
        transition(intent, Status.CANCELED, user=user, reason=source)
        return True
    return False
