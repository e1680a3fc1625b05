"""Refunds: full or partial, never beyond what was captured less what is refunded or in flight
(checked under the intent's row lock), and the automatic full refund of money that arrived
for something no longer paid for."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.statemachine import transition

from .. import signals
from ..models import ZERO, PaymentIntent, Refund, Transaction
from ..providers import ProviderError, get_provider
from ._common import PaymentError, Status, as_amount, logger


def refund_refused_quietly(intent, *, user=None):
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
    amount = as_amount(amount)
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
