"""What booked visits show rather than decide (M3): the cemetery's day sheet, the bureau's
city-wide load, and the 代为祭扫 a cemetery offers a family who can't come. The rules that
take places and limits are in ``services``."""

from django.db.models import Q, Sum

from marketplace.catalogue.services.current import with_current_price

from .models import Booking, BookingStatus, VisitSession

# --- The cemetery's day sheet -------------------------------------------------------------


def day_sheet(provider, day):
    """The bookings of one cemetery on one day, in session order, for the gate and the CSV."""
    return (
        Booking.objects.filter(session__provider=provider, session__date=day)
        .select_related("session", "pass_document")
        .order_by("session__starts_at", "session__area", "created_at")
    )


# --- The bureau's city-wide load ----------------------------------------------------------


def city_load(first, last):
    """Places booked and capacity per day and per cemetery, with arrivals, from ``first`` to ``last``.

    Returns (days, rows): ``days`` is [(date, booked, capacity, arrived)] city-wide, ``rows`` is
    [(date, provider name, booked, capacity, arrived)]; two grouped queries whatever the size."""
    per_cemetery = (
        VisitSession.objects.filter(date__range=(first, last))
        .values("date", "provider_id", "provider__name")
        .annotate(booked=Sum("booked"), capacity=Sum("capacity"))
        .order_by("date", "provider__name")
    )
    arrived = {
        (row["session__date"], row["session__provider_id"]): row["visitors"]
        for row in Booking.objects.filter(session__date__range=(first, last), status=BookingStatus.USED)
        .values("session__date", "session__provider_id")
        .annotate(visitors=Sum("visitors", filter=Q(status=BookingStatus.USED)))
    }
    rows, days = [], {}
    for row in per_cemetery:
        came = arrived.get((row["date"], row["provider_id"]), 0)
        rows.append((row["date"], row["provider__name"], row["booked"], row["capacity"], came))
        total = days.setdefault(row["date"], [0, 0, 0])
        total[0] += row["booked"]
        total[1] += row["capacity"]
        total[2] += came
    return [(day, *totals) for day, totals in sorted(days.items())], rows


# --- 代为祭扫: tomb-sweeping on the family's behalf (M3) ----------------------------------
PROXY_SWEEPING_CATEGORIES = ("proxy-sweeping", "proxy-sweeping-extended")


def proxy_sweeping_items(provider):
    """The cemetery's posted 代为祭扫 items at today's prices, basic (free by rule: the bureau's
    ¥0 ceiling on its category refuses any other price, F2's check) before extended. A family
    orders them through the ordinary quote, order and contract (F4); a ¥0 contract needs no
    payment."""
    items = with_current_price(
        provider.items.filter(is_active=True, category__code__in=PROXY_SWEEPING_CATEGORIES)
    ).select_related("category")
    return sorted(
        (item for item in items if item.current_price is not None),
        key=lambda item: (PROXY_SWEEPING_CATEGORIES.index(item.category.code), item.sort_order, item.pk),
    )
