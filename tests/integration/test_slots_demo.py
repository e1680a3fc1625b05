"""The F11 demo data: three demo funeral homes with halls, a cremation line and a vehicle fleet,
slots for the next 30 days (one hall closed for maintenance one day), the demo family's holds,
requested and booked slots of demo orders, one move proposal waiting for the family; loading
twice creates nothing new."""

import datetime
import io
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.demo import DEMO_FAMILY_MOBILE
from core.demo import loading
from marketplace.orders.models import Order
from marketplace.orders.slots.models import Booking, BookingStatus, Closure, Resource, ResourceKind, Slot

pytestmark = pytest.mark.django_db


def _load_up_to_slots(out):
    """The demo as ``load_demo_data`` loads it, up to and including the slots."""
    with loading():
        for app in settings.PROJECT_APPS:
            if app != "core" and find_spec(f"{app}.demo") is not None:
                import_module(f"{app}.demo").load(out)
            if app == "marketplace.orders.slots":
                break


def _counts():
    return (
        Resource.objects.count(),
        Resource.items.through.objects.count(),
        Closure.objects.count(),
        Slot.objects.count(),
        Booking.objects.count(),
        Order.objects.count(),
    )


def test_demo_slots_resources_bookings_and_a_move_proposal():
    out = io.StringIO()
    _load_up_to_slots(out)
    counts = _counts()
    _load_up_to_slots(out)  # idempotent
    assert _counts() == counts
    assert "skipped" not in out.getvalue(), out.getvalue()

    # Three funeral homes, each with halls of different sizes, a cremation line and a fleet.
    homes = {resource.provider for resource in Resource.objects.select_related("provider")}
    assert len(homes) == 3 and {home.type for home in homes} == {"funeral_home"}
    for home in homes:
        resources = Resource.objects.filter(provider=home)
        halls = resources.filter(kind=ResourceKind.HALL)
        assert halls.count() >= 2 and len(set(halls.values_list("seats", flat=True))) == halls.count()
        assert resources.get(kind=ResourceKind.CREMATION).capacity == 2
        assert resources.get(kind=ResourceKind.VEHICLE).capacity == 3
        for resource in resources:
            assert resource.items.exists(), resource  # linked to the home's catalogue items
            assert {item.provider_id for item in resource.items.all()} == {home.pk}

    # Slots on every day of the next 30, except the one day a hall is closed for maintenance.
    today = timezone.localdate()
    days = {today + datetime.timedelta(days=n) for n in range(30)}
    closure = Closure.objects.get()
    assert closure.starts_on > today + datetime.timedelta(days=7) and closure.reason
    for resource in Resource.objects.all():
        published = {timezone.localtime(s).date() for s in resource.slots.values_list("starts_at", flat=True)}
        closed = {closure.starts_on} if resource == closure.resource else set()
        assert published == days - closed, resource
    hall = Resource.objects.filter(kind=ResourceKind.HALL).first()
    first = timezone.localtime(hall.slots.order_by("starts_at").first().starts_at)
    assert first.time() == datetime.time(7, 30)
    assert hall.slots.filter(starts_at__date=first.date()).count() == 8  # 07:30–15:30, an hour each

    # The demo family's holds, requested and booked slots of demo orders, one move proposal.
    bookings = Booking.objects.select_related("user", "order", "resource")
    held = bookings.filter(status=BookingStatus.HELD)
    assert held.count() == 2
    assert {b.user.mobile for b in held} == {DEMO_FAMILY_MOBILE} and not any(b.order for b in held)
    requested = bookings.filter(status=BookingStatus.REQUESTED)
    booked = bookings.filter(status=BookingStatus.BOOKED)
    assert requested.count() == 4 and booked.count() == 4
    assert all(b.order and b.order.user_id == b.user_id for b in [*requested, *booked])
    assert {b.resource.kind for b in [*requested, *booked]} == set(ResourceKind.values)
    assert {b.order.status for b in booked} >= {"confirmed"}
    assert {b.order.status for b in requested} >= {"submitted"}
    for booking in [*requested, *booked]:  # the order's date and time are its hall slot's
        if booking.resource.kind == ResourceKind.HALL:
            order = booking.order
            wanted = (order.service_date or order.requested_date, order.service_time or order.requested_time)
            starts = timezone.localtime(booking.starts_at)
            assert (starts.date(), starts.time()) == wanted
    proposal = bookings.get(proposed_slot__isnull=False)
    assert proposal.user.mobile == DEMO_FAMILY_MOBILE and proposal.status == BookingStatus.REQUESTED
    assert proposal.proposal_note and proposal.proposed_slot.resource == proposal.resource
    assert proposal.proposed_slot.starts_at == proposal.ends_at
    assert bookings.filter(user__mobile=DEMO_FAMILY_MOBILE, status=BookingStatus.REQUESTED).exists()

    # The family sees the proposal on her order page, with her answer to give.
    client = Client()
    client.force_login(proposal.user)
    page = client.get(f"/orders/{proposal.order.reference}/").content.decode()
    assert proposal.proposal_note in page and "同意改约" in page
