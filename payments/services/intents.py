"""Creating a payment intent (idempotent on its key) and finding the intents that pay for a
record. Settings: ``PAYMENTS_DEFAULT_VARIANT``, ``PAYMENT_VARIANTS``, ``PAYMENTS_INTENT_TTL_MINUTES``."""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..models import ZERO, PaymentIntent
from ._common import IdempotencyConflict, PaymentError, as_amount


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
    amount = as_amount(amount)
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
