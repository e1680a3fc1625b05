from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value):
    """Yuan with two decimals and thousands separators, the same in every language: 12,345.60."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return value


_BADGE_CLASSES = {"gov_set": "badge-gov", "gov_guide": "badge-guide", "market": "badge-market"}


@register.filter
def basis_badge(basis):
    """The F1 price-basis badge for an item or version."""
    from django.utils.html import format_html

    from ..models import PriceBasis

    if basis not in _BADGE_CLASSES:
        return ""
    return format_html('<span class="badge {}">{}</span>', _BADGE_CLASSES[basis], PriceBasis(basis).label)
