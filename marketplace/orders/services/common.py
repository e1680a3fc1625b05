"""What every orders use case shares: the audit action names, the acting user, the order row
lock, and the rule that legal documents are written in the platform's language.

No rule of its own; no setting read here except ``LANGUAGE_CODE``. This module imports
nothing from the other services modules or from ``pdfs``, so both may import it.
"""

import functools

from django.conf import settings
from django.utils import translation

from ..models import Order

ACTION_SUBMITTED = "orders.submitted"
ACTION_SIGNED = "orders.signed"
ACTION_SEALED = "orders.sealed"
ACTION_CHANGE_PROPOSED = "orders.change_proposed"
ACTION_PAYMENT = "orders.payment"
ACTION_CERTIFICATE = "orders.certificate"


def actor(user):
    """The user to write into the audit log: ``None`` for no one or an anonymous user."""
    return user if user is not None and user.is_authenticated else None


def lock_order(order):
    """The order row, re-read under ``SELECT … FOR UPDATE`` (call inside a transaction)."""
    return Order.objects.select_for_update().get(pk=order.pk)


def in_platform_language(function):
    """Legal documents are written in the platform's language (Chinese) whatever the language
    of the page that issued them. A fresh ``override`` per call keeps this thread-safe."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper
