"""Payment operations. Other apps call these and listen to ``payments.signals``.

- :func:`create_intent` — idempotent on ``idempotency_key``;
- :func:`start_checkout` — begin paying through a provider channel;
- :func:`handle_notification` — the notify endpoint's whole job;
- :func:`sync_intent` — ask the gateway (the only other way an intent becomes paid);
- :func:`create_refund` — full or partial, never beyond what was captured;
- :func:`close_intent`, :func:`close_open_intents` — close at the gateway, then cancel;
- :func:`refund_refused` — give back money that arrived for something no longer paid for;
- :func:`reconcile`.

Money follows the state of what it pays for (``payments.payables``): a checkout is refused
when the payable no longer takes payment, and a payment that still arrives for it (or for
an intent the payer withdrew) is recorded, marked with the reason in ``refused_reason``
and refunded in full.

An intent becomes ``succeeded`` only through :func:`_settle_paid`, called from a
verified notification or a query the platform made, under a row lock, and the
ledger allows one charge per intent, so a payment is recorded exactly once.
"""

import logging
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from hashlib import sha256

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.statemachine import transition

from . import payables, signals
from .models import ZERO, NotificationEvent, PaymentIntent, Refund, Transaction
from .providers import ErrorKind, NotificationRejected, ProviderError, TradeStatus, get_provider

logger = logging.getLogger("payments")

CENT = Decimal("0.01")
Status = PaymentIntent.Status


class PaymentError(Exception):
    """A payment operation the rules refuse; the message is for the user."""


class IdempotencyConflict(PaymentError):
    pass


def _money(value):
    if isinstance(value, float):
        raise TypeError("money is never a float")
    amount = Decimal(value)
    if amount != amount.quantize(CENT):
        raise PaymentError(_("金额最多两位小数。"))
    return amount.quantize(CENT)


def site_url(path):
    return settings.PAYMENTS_SITE_URL.rstrip("/") + path


# --- intents -----------------------------------------------------------------------
def create_intent(
    amount,
    description,
    idempotency_key,
    *,
    payable=None,
    user=None,
    return_url="",
    metadata=None,
    provider=None,
    expires_in=None,
):
    """Create (or return the existing) intent for ``idempotency_key``.

    Calling again with the same key returns the same intent; the same key with a
    different amount or payee raises :class:`IdempotencyConflict`.
    """
    amount = _money(amount)
    if amount <= ZERO:
        raise PaymentError(_("支付金额必须大于零。"))
    provider = provider or settings.PAYMENTS_DEFAULT_VARIANT
    if provider not in settings.PAYMENT_VARIANTS:
        raise PaymentError(_("未配置的支付渠道：%(name)s") % {"name": provider})
    content_type = ContentType.objects.get_for_model(payable) if payable is not None else None
    object_id = str(payable.pk) if payable is not None else ""
    ttl = expires_in or timedelta(minutes=settings.PAYMENTS_INTENT_TTL_MINUTES)
    defaults = {
        "amount": amount,
        "description": description[:256],
        "provider": provider,
        "user": user,
        "return_url": return_url,
        "metadata": metadata or {},
        "expires_at": timezone.now() + ttl,
        "content_type": content_type,
        "object_id": object_id,
    }
    try:
        with transaction.atomic():
            intent, created = PaymentIntent.objects.get_or_create(
                idempotency_key=idempotency_key, defaults=defaults
            )
    except IntegrityError:
        intent, created = PaymentIntent.objects.get(idempotency_key=idempotency_key), False
    if not created and (
        intent.amount != amount
        or intent.content_type_id != (content_type.pk if content_type else None)
        or intent.object_id != object_id
    ):
        raise IdempotencyConflict(_("该幂等键已用于另一笔支付。"))
    if created:
        log(
            intent,
            "payments.intent_created",
            user=user if user and user.is_authenticated else None,
            data={"amount": str(amount), "provider": provider},
        )
    return intent


def intents_for(obj):
    """All intents that pay for ``obj`` (newest first), with ledger balances."""
    return PaymentIntent.objects.with_balances().filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


def notify_url(intent):
    # Gateways post server-to-server: always the unprefixed (default-language) URL.
    with translation.override(settings.LANGUAGE_CODE):
        return site_url(reverse("payments:notify", args=[intent.provider]))


def return_url(intent):
    return site_url(reverse("payments:return", args=[intent.public_id]))


def start_checkout(intent, channel, *, user=None):
    """Ask the provider for a checkout; the intent moves to processing.

    ``intent`` is updated in place (status, channel) and a :class:`Checkout` returned.
    """
    provider = get_provider(intent.provider)
    if channel not in provider.channels:
        raise PaymentError(_("不支持的支付方式。"))
    caller = intent
    with transaction.atomic():
        intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        refused = intent.refused_reason or payables.refusal(intent)
        if refused and intent.status in (Status.REQUIRES_PAYMENT, Status.PROCESSING):
            raise PaymentError(_("这笔支付已不能付款：%(reason)s") % {"reason": refused})
        if intent.is_expired and intent.status in (Status.REQUIRES_PAYMENT, Status.PROCESSING):
            raise PaymentError(_("支付单已过期，请重新下单。"))
        if intent.status == Status.REQUIRES_PAYMENT:
            intent.channel = channel
            transition(
                intent, Status.PROCESSING, user=user, reason=channel, save_fields=["channel", "updated_at"]
            )
        elif intent.status == Status.PROCESSING:
            intent.channel = channel
            intent.save(update_fields=["channel", "updated_at"])
        else:
            raise PaymentError(_("该支付单当前状态不能付款。"))
    caller.status, caller.channel, caller.updated_at = intent.status, intent.channel, intent.updated_at
    try:
        return provider.create_checkout(
            intent, channel, return_url=return_url(intent), notify_url=notify_url(intent)
        )
    except ProviderError as exc:
        logger.warning("checkout for %s failed: %s", intent.public_id, exc)
        if exc.refused:
            _trade_refused(intent, exc, user=user)
            caller.refresh_from_db()
            raise PaymentError(_("支付渠道拒绝了这笔交易：%(reason)s") % {"reason": exc.sub_code}) from exc
        raise PaymentError(_("支付渠道暂时不可用，请稍后再试。")) from exc


TRADE_ALREADY_SETTLED = {ErrorKind.ALREADY_PAID, ErrorKind.ALREADY_CLOSED}


def _trade_refused(intent, error, *, user=None):
    """The gateway refused to open the trade. If it says the trade is already paid or
    closed, ask it how things stand; otherwise this out_trade_no can never be paid.
    The provider's own codes are kept in the transition's reason."""
    if error.kind in TRADE_ALREADY_SETTLED:
        sync_intent(intent, user=user)
        return
    with transaction.atomic():
        locked = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        if locked.status == Status.PROCESSING:
            transition(locked, Status.FAILED, user=user, reason=f"{error.code} {error.sub_code}"[:200])


def _settle_paid(intent, *, amount, trade_no, source, notification=None, user=None):
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


def _settle_closed(intent, *, source, user=None):
    if intent.status in (Status.REQUIRES_PAYMENT, Status.PROCESSING):
        transition(intent, Status.CANCELED, user=user, reason=source)
        return True
    return False


# --- notifications -----------------------------------------------------------------
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
                _settle_paid(
                    intent,
                    amount=data.amount,
                    trade_no=data.trade_no,
                    source="notification",
                    notification=event,
                )
            elif data.trade_status == TradeStatus.CLOSED and not intent.transactions.exists():
                _settle_closed(intent, source="notification")
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
    _refund_refused_quietly(intent)
    return NotificationOutcome(True, *provider.notification_reply(True), event=event)


# --- active query ------------------------------------------------------------------
def sync_intent(intent, *, user=None):
    """Ask the gateway how the trade stands and settle the intent accordingly.

    Returns the gateway's neutral :class:`TradeStatus` (PAID, PENDING, CLOSED, NOT_FOUND).
    """
    provider = get_provider(intent.provider)
    result = provider.query(intent)
    with transaction.atomic():
        intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        if result.trade_status == TradeStatus.PAID:
            _settle_paid(intent, amount=result.amount, trade_no=result.trade_no, source="query", user=user)
        elif result.trade_status == TradeStatus.CLOSED and not intent.transactions.exists():
            _settle_closed(intent, source="query", user=user)
    _refund_refused_quietly(intent, user=user)
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
        try:
            provider.close(intent)
        except ProviderError:
            if sync_intent(intent, user=user) == TradeStatus.PAID:
                return False
            raise
    with transaction.atomic():
        intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        return _settle_closed(intent, source=reason, user=user)


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


def _refund_refused_quietly(intent, *, user=None):
    """The payment is recorded whatever happens to its refund; reconcile retries a failure."""
    try:
        refund_refused(intent, user=user)
    except Exception:
        logger.exception("automatic refund of %s failed", intent.public_id)


def refund_refused(intent, *, user=None):
    """Refund in full what a refused intent captured and has not yet refunded.

    Called after every settlement and by ``reconcile`` (which retries when the gateway was
    down). Returns the refund, or None when nothing was due or the gateway refused."""
    intent = PaymentIntent.objects.with_balances().get(pk=intent.pk)
    if not intent.refused_reason or intent.status != Status.SUCCEEDED:
        return None
    amount = refundable_amount(intent)
    if amount <= ZERO:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("自动全额退款：%(reason)s") % {"reason": intent.refused_reason}
    try:
        return create_refund(intent, amount, reason, user=user)
    except PaymentError as exc:
        logger.warning("automatic refund of %s failed: %s", intent.public_id, exc)
        return None


# --- refunds -----------------------------------------------------------------------
def refundable_amount(intent):
    """Captured minus refunded minus refunds still in flight."""
    pending = sum((r.amount for r in intent.refunds.filter(status=Refund.Status.PENDING)), ZERO)
    return intent.amount_captured - intent.amount_refunded - pending


def create_refund(intent, amount, reason, *, user=None):
    """Refund part or all of what was captured; never more."""
    amount = _money(amount)
    if amount <= ZERO:
        raise PaymentError(_("退款金额必须大于零。"))
    if not reason.strip():
        raise PaymentError(_("请填写退款原因。"))
    with transaction.atomic():
        intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        if intent.status != Status.SUCCEEDED:
            raise PaymentError(_("只有已支付的支付单可以退款。"))
        available = refundable_amount(intent)
        if amount > available:
            raise PaymentError(
                _("退款金额 ¥%(amount)s 超过可退金额 ¥%(available)s。")
                % {"amount": amount, "available": available}
            )
        refund = Refund.objects.create(intent=intent, amount=amount, reason=reason[:256], created_by=user)
        log(
            intent,
            "payments.refund_requested",
            user=user,
            data={"refund": refund.public_id, "amount": str(amount), "reason": reason},
        )
    try:
        result = get_provider(intent.provider).refund(intent, refund)
    except ProviderError as exc:
        with transaction.atomic():
            refund = Refund.objects.select_for_update().get(pk=refund.pk)
            refund.failure_message = str(exc)[:500]
            transition(
                refund,
                Refund.Status.FAILED,
                user=user,
                reason=str(exc)[:200],
                save_fields=["failure_message"],
            )
        logger.warning("refund %s failed: %s", refund.public_id, exc)
        raise PaymentError(_("退款未被支付渠道受理：%(error)s") % {"error": exc}) from exc
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        refund.provider_refund_id = result.provider_refund_id[:128]
        entry = Transaction.objects.create(
            intent=intent,
            kind=Transaction.Kind.REFUND,
            amount=refund.amount,
            refund=refund,
            provider_reference=refund.provider_refund_id,
            source="refund",
        )
        transition(
            refund,
            Refund.Status.SUCCEEDED,
            user=user,
            reason=reason[:200],
            save_fields=["provider_refund_id"],
        )
        signals.refund_succeeded.send(sender=Refund, refund=refund, intent=intent, transaction=entry)
    return refund


# --- reconciliation ----------------------------------------------------------------
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
            if _settle_closed(locked, source="expired"):
                summary.expired += 1
    # Money that arrived for something no longer paid for, whose refund the gateway
    # could not take at the time.
    refused = PaymentIntent.objects.with_balances().filter(status=Status.SUCCEEDED).exclude(refused_reason="")
    for intent in refused.filter(captured__gt=F("refunded")).order_by("pk"):
        if refund_refused(intent) is not None:
            summary.refunded += 1
    return summary
