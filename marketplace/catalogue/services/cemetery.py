"""F5 cemetery pricing: a plot costs its use fee plus the yearly maintenance fee times the
term of years."""

from decimal import Decimal

from core.money import round_money

from ..models import ServiceCategory


def plot_total(plot_use_price, maintenance_per_year, years):
    """F5: plot use plus maintenance per year times the years of the term."""
    return round_money(Decimal(plot_use_price) + Decimal(maintenance_per_year or 0) * int(years))


def plot_totals(provider, items):
    """For a cemetery's plot-use items (annotated with current_price), the F5 total each."""
    by_id = {item.pk: item for item in items}
    totals = []
    for item in items:
        if (
            item.category.cemetery_component != ServiceCategory.Component.PLOT_USE
            or item.current_price is None
        ):
            continue
        maintenance = by_id.get(item.maintenance_item_id)
        per_year = maintenance.current_price if maintenance is not None else None
        totals.append(
            {
                "item": item,
                "maintenance": maintenance,
                "per_year": per_year,
                "years": provider.term_years,
                "total": plot_total(item.current_price, per_year, provider.term_years),
            }
        )
    return totals
