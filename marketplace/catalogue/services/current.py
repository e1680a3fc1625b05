"""Current prices (F10: the newest version in effect on a day wins) and the statistics
generation that every saved provider, item or price bumps, so cached figures are rebuilt."""

import time

from django.core.cache import cache
from django.db.models import DecimalField, OuterRef, Subquery
from django.utils import timezone

from ..models import PriceVersion, ServiceItem

MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)
STATS_GENERATION_KEY = "catalogue:stats-generation"


def today():
    return timezone.localdate()


def bump_stats_generation(**kwargs):
    cache.set(STATS_GENERATION_KEY, time.time_ns(), None)


def stats_generation():
    """The current change generation, part of every cache key of computed catalogue figures."""
    return cache.get_or_set(STATS_GENERATION_KEY, 0, None)


def version_in_effect(day, item_ref="pk"):
    """The versions of the item ``item_ref`` names in effect on ``day``, newest first."""
    return PriceVersion.objects.filter(item=OuterRef(item_ref), effective_from__lte=day).order_by(
        "-effective_from", "-id"
    )


def with_current_price(items, day=None):
    """Annotate items with the price in effect on ``day`` (F10: the newest version in effect)."""
    day = day or today()
    current = version_in_effect(day)
    return items.annotate(
        current_price=Subquery(current.values("price")[:1], output_field=MONEY_FIELD),
        current_version_id=Subquery(current.values("id")[:1]),
        current_effective_from=Subquery(current.values("effective_from")[:1]),
        current_basis=Subquery(current.values("basis")[:1]),
    )


def public_items(day=None):
    """Active items of published providers, with their current price."""
    return with_current_price(
        ServiceItem.objects.filter(is_active=True, provider__is_published=True), day
    ).select_related("category")


def upcoming_versions(items_filter, day=None):
    day = day or today()
    return PriceVersion.objects.filter(effective_from__gt=day, **items_filter).order_by(
        "effective_from", "id"
    )
