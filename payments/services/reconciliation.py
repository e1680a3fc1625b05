"""The periodic reconciliation (``manage.py reconcile_payments``): query processing intents
older than ``PAYMENTS_RECONCILE_AFTER_MINUTES``, close expired or withdrawn unpaid ones, and
retry refunds the gateway could not take at the time."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import PaymentIntent
from ..providers import NotificationRejected, ProviderError, TradeStatus
from ._common import Status
from .refunds import refund_refused
from .settlement import settle_closed
from .syncing import close_intent, sync_intent


@dataclass
class ReconcileSummary:
    checked: int = 0
    succeeded: int = 0
    closed: int = 0
    still_processing: int = 0
    expired: int = 0
    withdrawn: int = 0
    refunded: int = 0
    errors: list = field(default_factory=list)


# The gateway holds no payment for the trade yet: it may still be paid, or closed.
UNSETTLED = (TradeStatus.PENDING, TradeStatus.NOT_FOUND)


def reconcile(*, older_than=None, now=None):
    """Query processing intents older than ``older_than``; close expired unpaid ones."""
    now = now or timezone.now()
    older_than = (
        older_than if older_than is not None else timedelta(minutes=settings.PAYMENTS_RECONCILE_AFTER_MINUTES)
    )
    summary = ReconcileSummary()
    stale = PaymentIntent.objects.filter(status=Status.PROCESSING, updated_at__lte=now - older_than)
    for intent in stale.order_by("pk"):
        summary.checked += 1
        try:
            status = sync_intent(intent)
        except (ProviderError, NotificationRejected) as exc:
            summary.errors.append(f"{intent.public_id}: {exc}")
            continue
        intent.refresh_from_db()
        if intent.status == Status.SUCCEEDED:
            summary.succeeded += 1
        elif intent.status == Status.CANCELED:
            summary.closed += 1
        elif status in UNSETTLED and intent.refused_reason:
            try:
                if close_intent(intent, reason="withdrawn"):
                    summary.withdrawn += 1
            except ProviderError as exc:
                summary.errors.append(f"{intent.public_id}: {exc}")
        elif status in UNSETTLED and intent.expires_at <= now:
            try:
                if close_intent(intent, reason="expired"):
                    summary.expired += 1
            except ProviderError as exc:
                summary.errors.append(f"{intent.public_id}: {exc}")
        else:
            summary.still_processing += 1
    unopened = PaymentIntent.objects.filter(status=Status.REQUIRES_PAYMENT, expires_at__lte=now)
    for intent in unopened.order_by("pk"):
        with transaction.atomic():
            locked = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
            if settle_closed(locked, source="expired"):
                summary.expired += 1
    # Money that arrived for something no longer paid for, whose refund the gateway
    # could not take at the time.
    refused = PaymentIntent.objects.with_balances().filter(status=Status.SUCCEEDED).exclude(refused_reason="")
    for intent in refused.filter(captured__gt=F("refunded")).order_by("pk"):
        if refund_refused(intent) is not None:
            summary.refunded += 1
    return summary
