"""Asking the gateway how a trade stands (the only other way an intent becomes paid) and
closing trades: an expired intent, or every open intent of something called off (withdrawn
for good, so money that still reaches it is refunded)."""

from django.db import transaction

from ..models import PaymentIntent
from ..providers import NotificationRejected, ProviderError, TradeStatus, get_provider
from ._common import Status, logger
from .intents import intents_for
from .refunds import refund_refused_quietly
from .settlement import settle_closed, settle_paid


def sync_intent(intent, *, user=None):
    """Ask the gateway how the trade stands and settle the intent accordingly.

    Returns the gateway's neutral :class:`TradeStatus` (PAID, PENDING, CLOSED, NOT_FOUND).
    """
    provider = get_provider(intent.provider)
    result = provider.query(intent)
    with transaction.atomic():
        intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        if result.trade_status == TradeStatus.PAID:
            settle_paid(intent, amount=result.amount, trade_no=result.trade_no, source="query", user=user)
        elif result.trade_status == TradeStatus.CLOSED and not intent.transactions.exists():
            settle_closed(intent, source="query", user=user)
    refund_refused_quietly(intent, user=user)
    return result.trade_status


def close_intent(intent, *, user=None, reason="expired", refuse=""):
    """Close the trade at the gateway, then cancel the intent (unless it turned out paid).

    ``refuse`` (a sentence in the platform language) withdraws the intent for good: the
    payer or the payable called it off, so money that still reaches it is refunded. When
    the buyer pays while it is being closed, the gateway refuses the close; the trade is
    then queried and settled (and refunded when refused). Returns True when cancelled."""
    intent = PaymentIntent.objects.get(pk=intent.pk)
    provider = get_provider(intent.provider)
    if refuse and intent.status in (Status.REQUIRES_PAYMENT, Status.PROCESSING):
        # Recorded first: a payment racing the close is refunded whichever side wins.
        with transaction.atomic():
            locked = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
            if not locked.refused_reason:
                locked.refused_reason = refuse[:300]
                locked.save(update_fields=["refused_reason", "updated_at"])
    if intent.status == Status.PROCESSING:
        status = sync_intent(intent, user=user)
        if status == TradeStatus.PAID:
            return False
        if status == TradeStatus.CLOSED:
            # The gateway had closed the trade itself (its time ran out), and the query has
            # cancelled the intent: there is nothing left to close, and it is cancelled.
            return PaymentIntent.objects.filter(pk=intent.pk, status=Status.CANCELED).exists()
        try:
            provider.close(intent)
        except ProviderError:
            if sync_intent(intent, user=user) == TradeStatus.PAID:
                return False
            raise
    with transaction.atomic():
        intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        return settle_closed(intent, source=reason, user=user)


def open_intents_for(obj):
    return intents_for(obj).filter(status__in=(Status.REQUIRES_PAYMENT, Status.PROCESSING))


def close_open_intents(obj, *, reason, user=None):
    """Withdraw every open intent paying for ``obj`` (it was cancelled): each is closed at
    the gateway and cancelled; one the buyer paid meanwhile is settled and refunded.

    Returns the intents that could not be closed now (the gateway was unreachable); they
    stay refused, so ``reconcile`` closes them later and any payment is refunded."""
    failed = []
    for intent in open_intents_for(obj).order_by("pk"):
        try:
            close_intent(intent, user=user, reason="withdrawn", refuse=reason)
        except (ProviderError, NotificationRejected) as exc:
            logger.warning("closing %s failed: %s", intent.public_id, exc)
            failed.append(intent)
    return failed
