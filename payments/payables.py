"""Whether what an intent pays for still takes money: a registry the paying apps fill.

The payments app never imports what is paid for. An app whose models are payables
registers, in ``AppConfig.ready()``, a function that looks at one payable and returns why
it no longer takes payment (a short sentence in the platform language), or ``""`` when it
still does::

    payables.register(Order, lambda order: _("订单已取消") if order.status == "cancelled" else "")

:func:`refusal` asks that function about an intent's payable, read fresh from the
database. ``start_checkout`` refuses a checkout the payable refuses, and a payment that
still arrives for it is recorded and then refunded in full (``services.refund_refused``).
"""

from django.conf import settings
from django.utils import translation

_checks = {}


def register(model, check):
    """``check(payable) -> str``: why ``payable`` takes no more payment, or ``""``."""
    _checks[model._meta.label_lower] = check


def registered():
    return dict(_checks)


def refusal(intent):
    """Why ``intent``'s payable takes no more payment ("" when it does, or has no check)."""
    if intent.content_type_id is None:
        return ""
    model = intent.content_type.model_class()
    check = _checks.get(model._meta.label_lower) if model is not None else None
    if check is None:
        return ""
    payable = model._default_manager.filter(pk=intent.object_id).first()
    if payable is None:
        return ""
    # Stored with the intent and shown to the bureau: always in the platform language.
    with translation.override(settings.LANGUAGE_CODE):
        return str(check(payable) or "")[:300]
