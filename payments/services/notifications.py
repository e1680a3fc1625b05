"""The notify endpoint's whole job: store the raw notification first, in its own transaction,
then verify it and settle the intent it names. The gateway's answer is the provider's."""

import traceback
from dataclasses import dataclass
from hashlib import sha256

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import NotificationEvent, PaymentIntent
from ..providers import NotificationRejected, TradeStatus, get_provider
from ._common import logger
from .refunds import refund_refused_quietly
from .settlement import settle_closed, settle_paid


@dataclass
class NotificationOutcome:
    ok: bool
    body: str
    status: int
    event: NotificationEvent | None = None


def record_notification(variant, raw_body, headers, remote_ip):
    """Store the raw notification in its own transaction, before any check.

    The same bytes delivered again are one row with a higher ``replay_count``; a
    different body claiming an id already seen is stored under that id plus its digest,
    so no body is ever lost or overwritten.
    """
    provider = get_provider(variant)
    text = raw_body.decode("utf-8", errors="backslashreplace")
    digest = sha256(raw_body).hexdigest()
    notification_id = (provider.notification_id(raw_body) or "")[:64] or f"sha256:{digest}"
    for candidate in (notification_id, f"{notification_id}#{digest[:16]}"):
        with transaction.atomic():
            event, created = NotificationEvent.objects.get_or_create(
                provider=variant,
                notification_id=candidate,
                defaults={"raw_body": text, "headers": headers, "remote_ip": remote_ip},
            )
            if created:
                return event
            if event.raw_body == text:
                NotificationEvent.objects.filter(pk=event.pk).update(
                    replay_count=F("replay_count") + 1, last_received_at=timezone.now()
                )
                event.refresh_from_db()
                return event
    raise IntegrityError("notification id collision")


def _mark(event, **outcome):
    NotificationEvent.objects.filter(pk=event.pk).update(**outcome)
    for name, value in outcome.items():
        setattr(event, name, value)


def handle_notification(variant, raw_body, *, headers=None, remote_ip=None):
    """Verify and apply one asynchronous notification; return what to answer."""
    provider = get_provider(variant)
    event = record_notification(variant, raw_body, headers or {}, remote_ip)
    if event.processed:
        return NotificationOutcome(True, *provider.notification_reply(True), event=event)
    verified = False
    try:
        with transaction.atomic():
            data = provider.verify_notification(raw_body)
            verified = True
            intent = (
                PaymentIntent.objects.select_for_update()
                .filter(public_id=data.out_trade_no, provider=variant)
                .first()
            )
            if intent is None:
                raise NotificationRejected(f"unknown out_trade_no {data.out_trade_no!r}", verified=True)
            provider.check_against_intent(data, intent)
            if data.trade_status == TradeStatus.PAID:
                settle_paid(
                    intent,
                    amount=data.amount,
                    trade_no=data.trade_no,
                    source="notification",
                    notification=event,
                )
            elif data.trade_status == TradeStatus.CLOSED and not intent.transactions.exists():
                settle_closed(intent, source="notification")
            _mark(event, verified=True, processed=True, intent=intent, error="", traceback="")
    except NotificationRejected as exc:
        logger.warning("payment notification %s rejected: %s", event.notification_id, exc)
        _mark(event, verified=exc.verified, processed=False, error=str(exc), traceback=traceback.format_exc())
        return NotificationOutcome(False, *provider.notification_reply(False), event=event)
    except Exception as exc:
        logger.exception("payment notification %s failed", event.notification_id)
        _mark(
            event,
            verified=verified,
            processed=False,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
        return NotificationOutcome(False, *provider.notification_reply(False), event=event)
    refund_refused_quietly(intent)
    return NotificationOutcome(True, *provider.notification_reply(True), event=event)
