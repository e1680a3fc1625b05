"""The public complaint statistics (R2): per provider and city-wide, for the last
``R2_STATS_MONTHS`` months up to today.

| figure | definition |
|---|---|
| received | complaints about the provider received in the window |
| accepted | of those, accepted by the bureau (not rejected, not still waiting) |
| upheld | decided upheld or partly upheld (the current decision, after any re-examination) |
| upheld rate | upheld ÷ decided, in per cent |
| median days to close | calendar days from receipt to the decision (or the rejection), concluded complaints only |
| share on time | concluded within the deadline: a rejection within the acceptance deadline, a decision within the decision deadline |
| per 100 completed orders | received ÷ orders completed in the window × 100 |

Only counts leave this module: never a complaint's text, evidence or complainant. Each function
runs a fixed number of queries whatever the number of complaints or providers.
"""

import datetime
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from core.dates import add_months
from marketplace.catalogue.models import Provider
from marketplace.orders.models import Order, OrderStatus

from ..models.complaints import UPHELD_DECISIONS, Complaint, ComplaintChannel, ComplaintStatus

S = ComplaintStatus
ONE_PLACE = Decimal("0.1")
FIELDS = (
    "provider_id",
    "status",
    "received_on",
    "accept_due",
    "accepted_on",
    "decision",
    "decided_on",
    "decision_due",
    "closed_on",
)


def window(today=None):
    today = today or timezone.localdate()
    return add_months(today, -settings.R2_STATS_MONTHS), today


@dataclass
class Figures:
    received: int = 0
    accepted: int = 0
    decided: int = 0
    upheld: int = 0
    concluded_days: list = None
    on_time: int = 0
    completed_orders: int = 0

    def __post_init__(self):
        self.concluded_days = [] if self.concluded_days is None else self.concluded_days

    @staticmethod
    def _percent(part, whole):
        if not whole:
            return None
        return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, ROUND_HALF_UP)

    @property
    def concluded(self):
        return len(self.concluded_days)

    @property
    def upheld_rate(self):
        return self._percent(self.upheld, self.decided)

    @property
    def median_days_to_close(self):
        if not self.concluded_days:
            return None
        return Decimal(str(statistics.median(self.concluded_days))).quantize(ONE_PLACE, ROUND_HALF_UP)

    @property
    def on_time_share(self):
        return self._percent(self.on_time, self.concluded)

    @property
    def per_100_orders(self):
        return self._percent(self.received, self.completed_orders)

    def add(self, row):
        self.received += 1
        if row["accepted_on"] is not None:
            self.accepted += 1
        if row["status"] in (S.DECIDED, S.CLOSED) and row["decided_on"] is not None:
            self.decided += 1
            if row["decision"] in UPHELD_DECISIONS:
                self.upheld += 1
            self.concluded_days.append((row["decided_on"] - row["received_on"]).days)
            if row["decided_on"] <= row["decision_due"]:
                self.on_time += 1
        elif row["status"] == S.REJECTED:
            self.concluded_days.append((row["closed_on"] - row["received_on"]).days)
            if row["closed_on"] <= row["accept_due"]:
                self.on_time += 1

    def as_row(self):
        return {
            "received": self.received,
            "accepted": self.accepted,
            "upheld": self.upheld,
            "upheld_rate": self.upheld_rate,
            "median_days_to_close": self.median_days_to_close,
            "on_time_share": self.on_time_share,
            "completed_orders": self.completed_orders,
            "per_100_orders": self.per_100_orders,
        }


def _rows(start, end, provider=None):
    complaints = Complaint.objects.filter(
        channel=ComplaintChannel.PROVIDER, received_on__gte=start, received_on__lte=end
    )
    start_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    end_at = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    )
    orders = Order.objects.filter(
        status=OrderStatus.COMPLETED, completed_at__gte=start_at, completed_at__lt=end_at
    )
    if provider is not None:
        complaints = complaints.filter(provider=provider)
        orders = orders.filter(provider=provider)
    completed = dict(orders.values_list("provider_id").annotate(n=Count("pk")).order_by())
    return list(complaints.values(*FIELDS)), completed


def provider_figures(provider, today=None):
    """The figures of one provider (two queries)."""
    start, end = window(today)
    rows, completed = _rows(start, end, provider)
    figures = Figures(completed_orders=completed.get(provider.pk, 0))
    for row in rows:
        figures.add(row)
    return figures


@dataclass
class CityTable:
    start: datetime.date
    end: datetime.date
    rows: list  # [(provider, Figures)], providers with complaints or completed orders, by name
    city: Figures


def city_table(today=None):
    """Every published provider's figures and the city's (three queries)."""
    start, end = window(today)
    rows, completed = _rows(start, end)
    by_provider = {}
    city = Figures(completed_orders=sum(completed.values()))
    for row in rows:
        by_provider.setdefault(row["provider_id"], Figures()).add(row)
        city.add(row)
    providers = Provider.objects.filter(is_published=True).order_by("name", "pk").only("name", "slug", "type")
    table = []
    for provider in providers:
        figures = by_provider.get(provider.pk, Figures())
        figures.completed_orders = completed.get(provider.pk, 0)
        table.append((provider, figures))
    return CityTable(start=start, end=end, rows=table, city=city)


# --- The chart (inline SVG, no script; the table beside it has the same numbers) -----------------

# In SVG units; the figure scales to the page, so a narrow chart keeps its labels legible on
# a phone (about 0.8 of their size at 390 px) and at most 640 px wide on a desktop.
BAR_HEIGHT, GAP, LABEL_WIDTH, CHART_WIDTH = 22, 8, 170, 440


def bar_chart(table):
    """Horizontal bars: complaints per 100 completed orders per provider with any complaint."""
    bars = [(p, f) for p, f in table.rows if f.received]
    if not bars:
        return None
    top = max((f.per_100_orders or Decimal(0)) for _p, f in bars) or Decimal(1)
    plot = CHART_WIDTH - LABEL_WIDTH - 70
    items = []
    for index, (provider, figures) in enumerate(bars):
        value = figures.per_100_orders
        width = float((value or 0) / top) * plot
        items.append(
            {
                "label": provider.name,
                "value": value,
                "received": figures.received,
                "y": index * (BAR_HEIGHT + GAP),
                "text_y": index * (BAR_HEIGHT + GAP) + BAR_HEIGHT * 0.7,
                "width": round(width, 1),
                "value_x": round(LABEL_WIDTH + width + 6, 1),
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": len(items) * (BAR_HEIGHT + GAP),
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "bars": items,
    }


def open_data_rows(today=None):
    """The statistics as open-data rows (the city first, then each provider)."""
    table = city_table(today)
    base = {"period_start": table.start.isoformat(), "period_end": table.end.isoformat()}
    rows = [{**base, "provider": "全市", "provider_slug": "", **table.city.as_row()}]
    for provider, figures in table.rows:
        rows.append({**base, "provider": provider.name, "provider_slug": provider.slug, **figures.as_row()})
    return table, rows
