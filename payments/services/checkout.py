"""Paying: begin a checkout through a provider channel. A checkout is refused when the
payable no longer takes payment or the intent expired; a trade the gateway refuses to open
is failed, or settled when the gateway says it is already paid or closed."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.statemachine import transition

from .. import payables
from ..models import PaymentIntent
from ..providers import ErrorKind, ProviderError, get_provider
from ._common import PaymentError, Status, logger, site_url
from .syncing import sync_intent


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
