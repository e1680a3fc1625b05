"""F11 with F9: a move to a hall billed at another price is a change order. Proposing it takes
the new unit at once; the move completes with the provider's countersignature, in the same
transaction as the new bill; a declined or withdrawn change gives the unit back."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.catalogue.models import ServiceItem
from marketplace.orders import services as orders
from marketplace.orders.models import ChangeStatus, Signature
from marketplace.orders.slots import services
from marketplace.orders.slots.models import Booking, BookingStatus, Slot
from marketplace.orders.slots.services import SlotRefused
from tests.factories.catalogue import make_item
from tests.factories.orders import Scenario, make_quote, order_details, sign_as
from tests.factories.slots import at, hall, published

pytestmark = pytest.mark.django_db

B = BookingStatus


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=2)


def slot_at(resource, hour):
    return Slot.objects.get(resource=resource, starts_at=at(tomorrow(), hour))


@pytest.fixture
def two_halls():
    """A small hall serving the funeral home's farewell item (¥150) and a large one priced ¥800."""
    scenario = Scenario()
    provider = scenario.provider
    farewell = ServiceItem.objects.get(provider=provider, category__code="farewell")
    large_item = make_item(provider, "farewell", name="大告别厅告别", price="800.00", unit="次")
    small = published(hall(provider, name="福寿厅"), days=1, first_day=tomorrow())
    large = published(hall(provider, name="万福厅", seats=200), days=1, first_day=tomorrow())
    small.items.set([farewell])
    large.items.set([large_item])
    # The family's order holds the small hall at 08:00 (the quote has every item but the large one).
    quote = make_quote(
        scenario.family,
        provider,
        {item.pk: 1 for item in ServiceItem.objects.filter(provider=provider).exclude(pk=large_item.pk)},
    )
    held = services.hold(slot_at(small, 8), scenario.family)
    scenario.quote = quote
    scenario.order = orders.submit_order(scenario.family, quote, details=order_details(), hold=held)
    return scenario, small, large, farewell, large_item


def test_f11_a_move_to_a_hall_at_another_price_is_a_change_order_that_moves_on_signature(two_halls):
    scenario, small, large, farewell, large_item = two_halls
    scenario.advance("countersigned")
    booking = Booking.objects.get(order=scenario.order, status=B.BOOKED)
    total = scenario.refresh().total
    proposed = services.propose_move(booking, slot_at(large, 9), scenario.staff, note="家属亲友较多，改大厅")
    change = proposed.move_change
    assert change is not None and change.delta == Decimal("650.00")
    assert {(line.item_id, line.quantity) for line in change.lines.all()} == {
        (large_item.pk, 1),
        (farewell.pk, -1),
    }
    reserved = proposed.reserved_move
    assert (reserved.slot, reserved.status, reserved.order) == (slot_at(large, 9), B.BOOKED, scenario.order)
    # The new unit is taken at once: nobody else can hold it while the family decides.
    with pytest.raises(SlotRefused):
        services.hold(slot_at(large, 9), Scenario().family)
    # Agreeing is signing: the accept button is refused, and the family page shows one booking.
    with pytest.raises(SlotRefused, match="变更单"):
        services.accept_move(booking, scenario.family)
    assert list(services.shown_bookings(scenario.order)) == [booking]
    sign_as(change, scenario.family, Signature.Role.FAMILY)
    booking.refresh_from_db()
    assert booking.status == B.BOOKED  # not before both have signed
    sign_as(change, scenario.staff, Signature.Role.PROVIDER)
    booking.refresh_from_db()
    assert booking.status == B.MOVED and booking.moved_to == reserved and booking.proposed_slot is None
    assert scenario.refresh().total == total + Decimal("650.00")
    assert list(services.shown_bookings(scenario.order)) == [reserved]


@pytest.mark.parametrize("who", ["family declines", "provider withdraws"])
def test_f11_a_priced_move_not_signed_gives_the_reserved_unit_back(two_halls, who):
    scenario, small, large, _farewell, _large_item = two_halls
    scenario.advance("countersigned")
    booking = Booking.objects.get(order=scenario.order, status=B.BOOKED)
    proposed = services.propose_move(booking, slot_at(large, 9), scenario.staff, note="改大厅")
    reserved, change = proposed.reserved_move, proposed.move_change
    if who == "family declines":
        services.decline_move(booking, scenario.family)
    else:
        orders.withdraw_change(change, scenario.staff)
    booking.refresh_from_db()
    reserved.refresh_from_db()
    change.refresh_from_db()
    assert change.status in (ChangeStatus.DECLINED, ChangeStatus.WITHDRAWN)
    assert booking.status == B.BOOKED and booking.slot == slot_at(small, 8) and booking.proposed_slot is None
    assert booking.move_change is None and booking.reserved_move is None
    assert reserved.status == B.RELEASED
    assert services.hold(slot_at(large, 9), Scenario().family).status == B.HELD


def test_f11_a_priced_move_before_the_contract_takes_effect_is_refused_with_the_way_out(two_halls):
    scenario, _small, large, _farewell, _large_item = two_halls
    scenario.advance("confirmed")
    booking = Booking.objects.get(order=scenario.order, status=B.BOOKED)
    with pytest.raises(SlotRefused, match="合同生效后以变更单办理"):
        services.propose_move(booking, slot_at(large, 9), scenario.staff, note="改大厅")
    assert Booking.objects.filter(slot=slot_at(large, 9)).count() == 0


def test_f11_a_move_to_a_hall_serving_the_same_item_needs_no_change_order(two_halls):
    scenario, small, _large, farewell, _large_item = two_halls
    scenario.advance("countersigned")
    booking = Booking.objects.get(order=scenario.order, status=B.BOOKED)
    proposed = services.propose_move(booking, slot_at(small, 10), scenario.staff, note="检修")
    assert proposed.move_change is None and proposed.reserved_move is None
    moved = services.accept_move(booking, scenario.family)
    assert moved.slot == slot_at(small, 10)
    assert scenario.order.change_orders.count() == 0
