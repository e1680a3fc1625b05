"""What slots show rather than decide (F11): the funeral home's week calendar and day sheet,
and the bureau's load per funeral home. The rules that take and move slots are in ``services``.

Every function here runs a fixed number of queries however many slots and bookings there are
(grouped counts, not one query per slot)."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from marketplace.catalogue.models import Provider

from .models import ACTIVE_STATES, Booking, BookingStatus, Closure, Resource, Slot
from .permissions import SLOT_PROVIDER_TYPES
from .services import live

B = BookingStatus

FREE, HELD, REQUESTED, BOOKED = "free", "held", "requested", "booked"


def _midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _in_window(first_day, last_day):
    """A filter on ``starts_at`` for the local days ``first_day``..``last_day``."""
    return {
        "starts_at__gte": _midnight(first_day),
        "starts_at__lt": _midnight(last_day + datetime.timedelta(days=1)),
    }


# --- The week calendar ----------------------------------------------------------------------


@dataclass
class SlotState:
    slot: Slot
    state: str
    held: int
    requested: int
    booked: int
    capacity: int

    @property
    def taken(self):
        return self.held + self.requested + self.booked


@dataclass
class Cell:
    day: datetime.date
    closed: str = ""
    slots: list = field(default_factory=list)


def _state(held, requested, booked):
    if booked:
        return BOOKED
    if requested:
        return REQUESTED
    if held:
        return HELD
    return FREE


def week_grid(resources, first_day, *, days=7, now=None):
    """The calendar of ``resources`` (one provider's) for ``days`` days from ``first_day``.

    Returns (days, rows): ``days`` is the list of dates, ``rows`` is [(resource, [Cell per day])];
    each cell lists its slots in time order with their state (free, held, requested or booked:
    the most advanced state among the slot's units) and the closure that takes the day out, if
    any. Two queries: the slots with their counts, and the closures."""
    now = now or timezone.now()
    dates = [first_day + datetime.timedelta(days=n) for n in range(days)]
    last_day = dates[-1]
    resources = list(resources)
    ids = [resource.pk for resource in resources]
    grid = {resource.pk: {day: Cell(day) for day in dates} for resource in resources}
    if ids:
        closures = Closure.objects.filter(
            resource_id__in=ids, starts_on__lte=last_day, ends_on__gte=first_day
        )
        for closure in closures:
            for day in dates:
                if closure.starts_on <= day <= closure.ends_on:
                    grid[closure.resource_id][day].closed = closure.reason
        slots = (
            Slot.objects.filter(resource_id__in=ids, **_in_window(first_day, last_day))
            .annotate(
                n_held=Count("bookings", filter=Q(bookings__status=B.HELD, bookings__held_until__gt=now)),
                n_requested=Count("bookings", filter=Q(bookings__status=B.REQUESTED)),
                n_booked=Count("bookings", filter=Q(bookings__status=B.BOOKED)),
            )
            .order_by("starts_at", "pk")
        )
        capacity = {resource.pk: resource.capacity for resource in resources}
        for slot in slots:
            day = timezone.localtime(slot.starts_at).date()
            cell = grid[slot.resource_id][day]
            cell.slots.append(
                SlotState(
                    slot=slot,
                    state=_state(slot.n_held, slot.n_requested, slot.n_booked),
                    held=slot.n_held,
                    requested=slot.n_requested,
                    booked=slot.n_booked,
                    capacity=capacity[slot.resource_id],
                )
            )
    rows = [(resource, [grid[resource.pk][day] for day in dates]) for resource in resources]
    return dates, rows


# --- The day sheet --------------------------------------------------------------------------


def day_sheet(provider, day, *, now=None):
    """The active bookings of one funeral home on one day, in time order, with their orders.
    Only the provider's own resources, and only orders placed with it."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            resource__provider=provider,
            status__in=ACTIVE_STATES,
            **_in_window(day, day),
        )
        .filter(live(now))
        .filter(Q(order__isnull=True) | Q(order__provider=provider))
        .select_related("resource", "order", "proposed_slot__resource")
        .order_by("starts_at", "resource__name", "unit")
    )


def masked_mobile(mobile):
    mobile = mobile or ""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else ("*" * len(mobile))


# --- The bureau's load per funeral home ------------------------------------------------------


@dataclass
class Load:
    name: str
    published: int = 0
    units: int = 0
    held: int = 0
    requested: int = 0
    booked: int = 0

    @property
    def share(self):
        """Booked units as a percentage of the published units (one decimal), or None."""
        if not self.units:
            return None
        return (Decimal(self.booked) * 100 / Decimal(self.units)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def load_per_provider(first_day, last_day, *, now=None):
    """Per funeral home with bookable resources, for the days ``first_day``..``last_day``:
    slots published (and the units they offer), live holds, requests and bookings.

    Returns (rows, total): ``rows`` is a list of :class:`Load` by name, ``total`` their sum.
    Three queries whatever the size."""
    now = now or timezone.now()
    window = _in_window(first_day, last_day)
    loads = {
        row["pk"]: Load(name=row["name"])
        for row in Provider.objects.filter(type__in=SLOT_PROVIDER_TYPES, bookable_resources__isnull=False)
        .values("pk", "name")
        .distinct()
        .order_by("name")
    }
    slots = (
        Slot.objects.filter(resource__provider_id__in=list(loads), **window)
        .values("resource__provider_id")
        .annotate(published=Count("pk"), units=Sum("resource__capacity"))
        .order_by()
    )
    for row in slots:
        load = loads[row["resource__provider_id"]]
        load.published, load.units = row["published"], row["units"] or 0
    bookings = (
        Booking.objects.filter(resource__provider_id__in=list(loads), **window)
        .filter(live(now))
        .values("resource__provider_id")
        .annotate(
            held=Count("pk", filter=Q(status=B.HELD)),
            requested=Count("pk", filter=Q(status=B.REQUESTED)),
            booked=Count("pk", filter=Q(status=B.BOOKED)),
        )
        .order_by()
    )
    for row in bookings:
        load = loads[row["resource__provider_id"]]
        load.held, load.requested, load.booked = row["held"], row["requested"], row["booked"]
    rows = list(loads.values())
    total = Load(name="")
    for load in rows:
        for name in ("published", "units", "held", "requested", "booked"):
            setattr(total, name, getattr(total, name) + getattr(load, name))
    return rows, total


def resources_of(provider):
    return Resource.objects.filter(provider=provider).order_by("kind", "name")
