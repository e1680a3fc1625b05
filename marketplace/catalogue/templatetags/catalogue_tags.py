from django import template

from core.money import format_money

register = template.Library()

# The same filter as ``{% load money %}``, so catalogue templates need one library only.
register.filter("money", format_money)


_BADGE_CLASSES = {"gov_set": "badge-gov", "gov_guide": "badge-guide", "market": "badge-market"}


@register.filter
def basis_badge(basis):
    """The F1 price-basis badge for an item or version."""
    from django.utils.html import format_html

    from ..models import PriceBasis

    if basis not in _BADGE_CLASSES:
        return ""
    return format_html('<span class="badge {}">{}</span>', _BADGE_CLASSES[basis], PriceBasis(basis).label)
