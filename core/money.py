"""Money, one way everywhere: yuan (CNY) as ``Decimal`` with two places, never a float.

- ``ZERO`` and ``CENT``: the constants.
- ``round_money(value)``: a ``Decimal`` rounded half up to the fen, as prices, totals,
  deposits and refunds are computed. Accepts ``Decimal``, ``int`` or a numeric string;
  a float is refused, because it has already lost the amount.
- ``MoneyField(verbose_name, **kwargs)``: the model field for an amount (12 digits, 2 places).
  ``non_negative=True`` adds the validator that refuses a negative amount with a translated
  message.
- ``format_money(value)``: ``12,345.60``, with thousands separators and two places, the same
  in every language (the ``money`` template filter uses it).
- ``gateway_amount`` / ``parse_gateway_amount``: the two-place text that payment gateways
  exchange (no exponent, no separators), and its strict reading.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def round_money(value):
    """``value`` as a Decimal rounded half up to two places."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a Decimal, an int or a string")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def MoneyField(verbose_name=None, *, non_negative=False, **kwargs):  # noqa: N802 - a field factory
    """A ``DecimalField`` for an amount in yuan."""
    validators = list(kwargs.pop("validators", ()))
    if non_negative:
        validators.append(MinValueValidator(ZERO, message=_("金额不能为负数。")))
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, validators=validators, **kwargs)


def format_money(value):
    """Yuan with two decimals and thousands separators: ``12,345.60``; '' for no value.

    Anything that is not a number is returned unchanged, so a template never breaks on it.
    """
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return value


def gateway_amount(value):
    """A Decimal amount as payment gateways write it: two decimals, no exponent."""
    return f"{Decimal(value).quantize(CENT)}"


def parse_gateway_amount(text):
    """An amount a gateway sent, refused unless it has at most two places and is finite."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if not value.is_finite() or value != value.quantize(CENT):
        raise ValueError(f"not an amount with two decimals: {text!r}")
    return value.quantize(CENT)
