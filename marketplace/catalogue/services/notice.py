"""F3 the public price notice of one provider: every active item with its current price and
basis, grouped by category, with upcoming changes (F10), open F2 flags and F5 plot totals."""

from ..models import PriceFlag
from .cemetery import plot_totals
from .current import today, upcoming_versions, with_current_price


def price_notice(provider, day=None):
    """Everything the F3 price notice shows, in a fixed number of queries."""
    day = day or today()
    items = list(
        with_current_price(provider.items.filter(is_active=True), day)
        .select_related("category", "category__parent")
        .order_by("category__sort_order", "sort_order", "name")
    )
    upcoming = list(upcoming_versions({"item__provider": provider, "item__is_active": True}, day))
    open_flags = {
        flag.version_id: flag
        for flag in PriceFlag.objects.filter(provider=provider).exclude(status=PriceFlag.Status.ACCEPTED)
    }
    upcoming_by_item = {}
    for version in upcoming:
        upcoming_by_item.setdefault(version.item_id, []).append(version)
    groups = {}
    for item in items:
        item.upcoming = upcoming_by_item.get(item.pk, [])
        item.flag = open_flags.get(item.current_version_id)
        groups.setdefault(item.category, []).append(item)
    last_change = max((i.current_effective_from for i in items if i.current_effective_from), default=None)
    return {
        "items": items,
        "groups": list(groups.items()),
        "upcoming": [(v, next(i for i in items if i.pk == v.item_id)) for v in upcoming],
        "last_change": last_change,
        "flags": [item for item in items if item.flag],
        "plot_totals": plot_totals(provider, items),
    }
