"""City statistics of current prices: the F2 median a market price is measured against, and
the min/median/max the comparison page shows beside each category."""

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from core.money import round_money

from ..models import PriceBasis
from .current import public_items, stats_generation, today


@dataclass(frozen=True)
class CategoryStats:
    minimum: Decimal
    median: Decimal
    maximum: Decimal
    count: int


def _stats_from(prices_by_category):
    return {
        category_id: CategoryStats(
            minimum=round_money(min(prices)),
            median=round_money(statistics.median(prices)),
            maximum=round_money(max(prices)),
            count=len(prices),
        )
        for category_id, prices in prices_by_category.items()
        if prices
    }


def city_stats(day=None):
    """Min, median and max of the current prices of every category, city-wide.

    Cached per day and per change generation (any saved provider, item or price
    bumps the generation), so pages that show it stay flat in queries."""
    day = day or today()
    key = f"catalogue:city-stats:{day.isoformat()}:{stats_generation()}"
    stats = cache.get(key)
    if stats is None:
        prices_by_category = {}
        rows = (
            public_items(day).filter(current_price__isnull=False).values_list("category_id", "current_price")
        )
        for category_id, price in rows.iterator(chunk_size=5000):
            prices_by_category.setdefault(category_id, []).append(round_money(price))
        stats = _stats_from(prices_by_category)
        cache.set(key, stats, 6 * 3600)
    return stats


def category_median(category, day=None, exclude_item=None):
    """The city median of the current market prices in one category (F2), or None if too few."""
    items = public_items(day).filter(
        category=category, current_price__isnull=False, current_basis=PriceBasis.MARKET
    )
    if exclude_item is not None and exclude_item.pk:
        items = items.exclude(pk=exclude_item.pk)
    prices = [round_money(price) for price in items.values_list("current_price", flat=True)]
    if len(prices) < settings.F2_ANOMALY_MIN_SAMPLE:
        return None
    return round_money(statistics.median(prices))
