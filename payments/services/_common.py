"""What every payment operation shares: the errors for the user, the status names, money
to the cent (never a float) and the site's absolute URLs (``PAYMENTS_SITE_URL``)."""

import logging
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from ..models import PaymentIntent

logger = logging.getLogger("payments")

CENT = Decimal("0.01")
Status = PaymentIntent.Status


class PaymentError(Exception):
    """A payment operation the rules refuse; the message is for the user."""


class IdempotencyConflict(PaymentError):
    pass


def as_amount(value):
    if isinstance(value, float):
        raise TypeError("money is never a float")
    amount = Decimal(value)
    if amount != amount.quantize(CENT):
        raise PaymentError(_("金额最多两位小数。"))
    return amount.quantize(CENT)


def site_url(path):
    return settings.PAYMENTS_SITE_URL.rstrip("/") + path
