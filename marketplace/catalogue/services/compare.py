"""The comparison of a few providers side by side (issue 18, point 3): like with like.

F6 decides what is compared. First each provider's standard-package total, then the package's
components one by one (the item each provider maps to the component, with its unit and the
amount at the component's quantity), then every other category the providers offer, as the full
list of items with their units. A category is never represented by its cheapest item, so a
per-kilometre surcharge can't stand in for the base transport. The cheapest figure of a row is
named in text, never by colour alone; each column leads to that provider's quote builder."""

import statistics
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from core.money import round_money

from ..models import Provider, ServiceCategory, ServiceItem
from .current import stats_generation, today, with_current_price
from .packages import PackageBreakdown, package_breakdowns, package_prices, standard_package
from .stats import CategoryStats, city_stats


@dataclass
class ComponentCell:
    """One provider's answer to one package component: the mapped item (``line``), and the other
    items it lists in the same category (e.g. a surcharge), shown beside it but never compared."""

    line: object
    others: list = field(default_factory=list)
    cheapest: bool = False


@dataclass
class Column:
    provider: Provider
    breakdown: PackageBreakdown
    quote_url: str
    total_cheapest: bool = False
    components: list = field(default_factory=list)  # ComponentCell, in package order
    categories: list = field(default_factory=list)  # (category, [items]), the other categories

    @property
    def total(self):
        return self.breakdown.total

    @property
    def missing(self):
        """The components this provider doesn't price, by name (empty when the package is whole)."""
        return [line.component.category.display_name for line in self.breakdown.lines if line.amount is None]

    @property
    def priced_none(self):
        return all(line.amount is None for line in self.breakdown.lines)

    @property
    def shown_components(self):
        """The components a provider's card lists: all of them once it prices any, otherwise only
        those whose category it still offers items in (so no item goes unshown)."""
        return self.components if not self.priced_none else [c for c in self.components if c.others]


@dataclass
class ComponentRow:
    component: object
    cells: list  # ComponentCell per column


@dataclass
class CategoryRow:
    category: ServiceCategory
    cells: list  # [items] per column, empty when the provider doesn't offer the category
    stats: CategoryStats | None


@dataclass
class Comparison:
    package: object
    columns: list
    component_rows: list
    category_rows: list
    package_stats: CategoryStats | None

    @property
    def providers(self):
        return [column.provider for column in self.columns]


def selected_providers(slugs):
    """The public providers among ``slugs``, in the order asked, at most the setting's count."""
    slugs = list(dict.fromkeys(s for s in slugs if s))[: settings.CATALOGUE_COMPARE_MAX]
    by_slug = {p.slug: p for p in Provider.objects.public().filter(slug__in=slugs)}
    return slugs, [by_slug[s] for s in slugs if s in by_slug]


def _mark_cheapest(values):
    """Which of ``values`` (None = not priced) is the lowest: only when at least two are priced
    and they differ, so a lone or an equal price isn't called the cheapest."""
    priced = [v for v in values if v is not None]
    if len(priced) < 2 or len(set(priced)) == 1:
        return [False] * len(values)
    low = min(priced)
    return [v is not None and v == low for v in values]


def _package_stats(package, day=None):
    """Min, median and max of the complete package prices of the city's public providers.

    Cached per day and per change generation like the prices it reads (publishing or hiding a
    provider bumps the generation), so the page stays flat in queries."""
    day = day or today()
    key = f"catalogue:compare-package-stats:{package.pk}:{day.isoformat()}:{stats_generation()}"
    cached = cache.get(key)
    if cached is None:
        prices = package_prices(package, day)
        public = Provider.objects.public().filter(pk__in=list(prices)).values_list("pk", flat=True)
        values = [prices[pk] for pk in public]
        cached = (
            CategoryStats(
                minimum=min(values),
                maximum=max(values),
                median=round_money(statistics.median(values)),
                count=len(values),
            )
            if values
            else False
        )
        cache.set(key, cached, 6 * 3600)
    return cached or None


def quote_url(provider, breakdown):
    """The quote builder for this provider, starting from its standard package when it has one."""
    params = {"provider": provider.slug}
    if breakdown.complete:
        params["start"] = "package"
    return f"{reverse('catalogue:quote')}?{urlencode(params)}"


def compare_providers(providers, day=None):
    """The comparison of ``providers`` (a list, in column order), in a fixed number of queries."""
    providers = list(providers)
    package = standard_package()
    items = list(
        with_current_price(ServiceItem.objects.filter(provider__in=providers, is_active=True), day)
        .select_related("category__parent")
        .order_by("category__sort_order", "category_id", "sort_order", "pk")
    )
    items = [item for item in items if item.current_price is not None]
    breakdowns = package_breakdowns(package, providers, day=day, priced_items=items)
    components = list(package.components.all()) if package is not None else []
    component_categories = {component.category_id for component in components}
    mapped = {
        (provider.pk, line.item.pk)
        for provider in providers
        for line in breakdowns[provider.pk].lines
        if line.item is not None
    }

    by_cell = {}  # (provider id, category id) -> [items], in catalogue order
    categories = {}
    for item in items:
        by_cell.setdefault((item.provider_id, item.category_id), []).append(item)
        categories.setdefault(item.category_id, item.category)

    columns = [
        Column(provider=p, breakdown=breakdowns[p.pk], quote_url=quote_url(p, breakdowns[p.pk]))
        for p in providers
    ]
    for flag, column in zip(_mark_cheapest([c.total for c in columns]), columns, strict=True):
        column.total_cheapest = flag

    component_rows = []
    for index, component in enumerate(components):
        cells = []
        for column in columns:
            line = column.breakdown.lines[index]
            others = [
                item
                for item in by_cell.get((column.provider.pk, component.category_id), [])
                if (column.provider.pk, item.pk) not in mapped
            ]
            cells.append(ComponentCell(line=line, others=others))
        for flag, cell in zip(_mark_cheapest([c.line.amount for c in cells]), cells, strict=True):
            cell.cheapest = flag
        for column, cell in zip(columns, cells, strict=True):
            column.components.append(cell)
        component_rows.append(ComponentRow(component=component, cells=cells))

    stats = city_stats(day)
    other = sorted(
        (c for pk, c in categories.items() if pk not in component_categories),
        key=lambda c: (c.sort_order, c.pk),
    )
    category_rows = []
    for category in other:
        cells = [by_cell.get((column.provider.pk, category.pk), []) for column in columns]
        category_rows.append(CategoryRow(category=category, cells=cells, stats=stats.get(category.pk)))
        for column, cell in zip(columns, cells, strict=True):
            if cell:
                column.categories.append((category, cell))

    return Comparison(
        package=package,
        columns=columns,
        component_rows=component_rows,
        category_rows=category_rows,
        package_stats=_package_stats(package, day) if package is not None else None,
    )
