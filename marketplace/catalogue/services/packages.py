"""F6 the bureau's standard package: each provider's price for it, computed from the items it
maps to the package's components, its breakdown, and the catalogue order by package price."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from core.money import ZERO, round_money

from ..models import PackageComponent, PackageMapping, Provider, ServiceItem, StandardPackage
from .current import MONEY_FIELD, stats_generation, today, version_in_effect, with_current_price


def standard_package():
    return (
        StandardPackage.objects.filter(code=settings.F6_STANDARD_PACKAGE_CODE, is_active=True)
        .prefetch_related(
            Prefetch("components", queryset=PackageComponent.objects.select_related("category"))
        )
        .first()
    )


def with_package_price(providers, package, day=None):
    """Annotate providers with ``package_price`` (None unless every component is priced)."""
    day = day or today()
    if package is None:
        return providers.annotate(package_price=Value(None, output_field=MONEY_FIELD))
    component_count = len(package.components.all())
    priced = (
        PackageMapping.objects.filter(
            provider=OuterRef("pk"), component__package=package, item__is_active=True
        )
        .annotate(unit_price=Subquery(version_in_effect(day, "item_id").values("price")[:1]))
        .filter(unit_price__isnull=False)
        .order_by()
        .values("provider")
    )
    total = priced.annotate(total=Sum(F("unit_price") * F("component__quantity"), output_field=MONEY_FIELD))
    count = priced.annotate(n=Count("pk"))
    return providers.annotate(
        package_total=Subquery(total.values("total")[:1], output_field=MONEY_FIELD),
        package_components_priced=Coalesce(Subquery(count.values("n")[:1], output_field=IntegerField()), 0),
    ).annotate(
        package_price=Case(
            When(package_components_priced=component_count, then=F("package_total")),
            default=Value(None),
            output_field=MONEY_FIELD,
        )
    )


def package_prices(package, day=None):
    """Every provider's complete package price (F6) as ``{provider_id: total}``.

    One grouped pass over the mappings, cached per day and per change generation like the
    city statistics, so listing pages sort thousands of providers without recomputing."""
    if package is None:
        return {}
    day = day or today()
    key = f"catalogue:package-prices:{package.pk}:{day.isoformat()}:{stats_generation()}"
    prices = cache.get(key)
    if prices is None:
        quantities = {component.pk: component.quantity for component in package.components.all()}
        rows = (
            PackageMapping.objects.filter(component__package=package, item__is_active=True)
            .annotate(unit_price=Subquery(version_in_effect(day, "item_id").values("price")[:1]))
            .filter(unit_price__isnull=False)
            .values_list("provider_id", "component_id", "unit_price")
        )
        totals, counts = {}, {}
        for provider_id, component_id, unit_price in rows.iterator(chunk_size=5000):
            totals[provider_id] = (
                totals.get(provider_id, ZERO) + round_money(unit_price) * quantities[component_id]
            )
            counts[provider_id] = counts.get(provider_id, 0) + 1
        prices = {pid: round_money(total) for pid, total in totals.items() if counts[pid] == len(quantities)}
        cache.set(key, prices, 6 * 3600)
    return prices


def sorted_by_package_price(providers, prices, *, by_name=False):
    """Provider ids of a queryset in catalogue order: package price (unpriced last) or name."""
    rows = list(providers.values_list("pk", "name"))
    if by_name:
        rows.sort(key=lambda row: (row[1], row[0]))
    else:
        rows.sort(key=lambda row: (row[0] not in prices, prices.get(row[0], 0), row[1], row[0]))
    return [pk for pk, _name in rows]


def providers_for_page(ids, prices):
    """The providers of one page, in the given order, each with ``package_price`` set."""
    by_pk = Provider.objects.in_bulk(ids)
    page = [by_pk[pk] for pk in ids if pk in by_pk]
    for provider in page:
        provider.package_price = prices.get(provider.pk)
    return page


@dataclass
class PackageLine:
    component: PackageComponent
    item: ServiceItem | None
    unit_price: Decimal | None
    amount: Decimal | None


@dataclass
class PackageBreakdown:
    provider: Provider
    lines: list = field(default_factory=list)

    @property
    def complete(self):
        return bool(self.lines) and all(line.amount is not None for line in self.lines)

    @property
    def total(self):
        return round_money(sum(line.amount for line in self.lines)) if self.complete else None


def package_breakdowns(package, providers, day=None, priced_items=None):
    """The F6 breakdown of each provider's package price, in two queries whatever the count;
    in one when ``priced_items`` holds every active item of the providers, priced for ``day``
    (``with_current_price``, as the price notice has them)."""
    day = day or today()
    providers = list(providers)
    result = {provider.pk: PackageBreakdown(provider=provider) for provider in providers}
    if package is None or not providers:
        return result
    components = list(package.components.all())
    mappings = PackageMapping.objects.filter(
        provider__in=providers, component__package=package, item__is_active=True
    )
    if priced_items is None:
        priced_items = with_current_price(ServiceItem.objects.filter(pk__in=mappings.values("item_id")), day)
    prices = {item.pk: item for item in priced_items}
    by_key = {(m.provider_id, m.component_id): prices.get(m.item_id) for m in mappings}
    for provider in providers:
        for component in components:
            item = by_key.get((provider.pk, component.pk))
            unit = item.current_price if item is not None else None
            amount = round_money(unit * component.quantity) if unit is not None else None
            result[provider.pk].lines.append(PackageLine(component, item, unit, amount))
    return result
