"""Rule texts that quote rule numbers (S5, S6): the numbers are settings, so a text names
the settings it quotes and fills them in when it is shown — in the active language, after
``override_settings`` — never when the module is imported::

    setting_text(gettext_noop("列入满%(months)s个月"), months="S5_AUTO_REMOVAL_MONTHS")

A ``Decimal`` setting is an amount of yuan: “5万元” in Chinese, “¥50,000” in English.
"""

from decimal import Decimal

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext

TEN_THOUSAND = Decimal(10000)


def yuan(amount):
    """An amount of yuan as the active language writes it in a rule text."""
    language = get_language() or settings.LANGUAGE_CODE
    if language.startswith("zh") and amount >= TEN_THOUSAND:
        wan = (amount / TEN_THOUSAND).normalize()
        return f"{wan:f}万元"
    if language.startswith("zh"):
        return f"{amount.normalize():f}元"
    return f"¥{amount:,.0f}" if amount == amount.to_integral_value() else f"¥{amount:,.2f}"


def _render(message, setting_names):
    values = {}
    for key, name in setting_names.items():
        value = getattr(settings, name)
        values[key] = yuan(value) if isinstance(value, Decimal) else value
    return gettext(message) % values


_lazy_render = lazy(_render, str)


def setting_text(message, **setting_names):
    """``message`` (marked with ``gettext_noop``) translated and filled with the named settings
    when shown: ``setting_names`` maps each ``%(key)s`` placeholder to a setting's name."""
    return _lazy_render(message, setting_names)
