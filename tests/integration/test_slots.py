"""F11: service slots are never double-booked, a hold expires, and a move needs the family's
agreement. Slots are published from a resource's opening hours, held while the order is placed,
booked when the provider confirms, and released when the order is cancelled."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts import sms
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.orders.slots import services
from marketplace.orders.slots.models import Booking, BookingStatus, Slot
from marketplace.orders.slots.services import SlotRefused
from tests.factories.orders import family_user, funeral_home, make_quote, order_details, staff_user
from tests.factories.slots import at, hall, published

pytestmark = pytest.mark.django_db
B = BookingStatus


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def first_slot(resource, day=None, hour=8):
    return Slot.objects.get(resource=resource, starts_at=at(day or tomorrow(), hour))


def free_starts(resource, now=None):
    day = tomorrow()
    return [
        timezone.localtime(slot.starts_at).hour
        for slot in services.availability([resource], first_day=day, last_day=day, now=now)
    ]


# --- Publishing ---------------------------------------------------------------------------------


def test_f11_publishing_creates_the_opening_hours_slots_once_and_skips_closures():
    resource = hall(funeral_home())
    closed = tomorrow() + datetime.timedelta(days=2)
    services.close(resource, starts_on=closed, ends_on=closed, reason="设备检修")
    created, skipped = services.publish(
        resource, first_day=tomorrow(), last_day=tomorrow() + datetime.timedelta(days=6)
    )
    assert (created, skipped) == (6 * 4, 0)  # 08–12 in one-hour slots, one day closed
    assert not Slot.objects.filter(resource=resource, starts_at__date=closed).exists()
    assert [timezone.localtime(s.starts_at).time() for s in Slot.objects.filter(resource=resource)[:4]] == [
        datetime.time(8),
        datetime.time(9),
        datetime.time(10),
        datetime.time(11),
    ]
    assert services.publish(
        resource, first_day=tomorrow(), last_day=tomorrow() + datetime.timedelta(days=6)
    ) == (0, 24)


def test_f11_publishing_skips_the_weekdays_a_resource_is_closed():
    resource = hall(funeral_home(), weekdays="12345")
    monday = tomorrow() + datetime.timedelta(days=(7 - tomorrow().weekday()) % 7)
    created, _skipped = services.publish(
        resource, first_day=monday, last_day=monday + datetime.timedelta(days=6)
    )
    assert created == 5 * 4
    assert {timezone.localtime(s.starts_at).isoweekday() for s in Slot.objects.filter(resource=resource)} == {
        1,
        2,
        3,
        4,
        5,
    }


def test_f11_publishing_more_than_the_setting_or_the_past_is_refused(settings):
    settings.F11_PUBLISH_MAX_DAYS = 31
    resource = hall(funeral_home())
    with pytest.raises(SlotRefused, match="一次最多发布 31 天"):
        services.publish(resource, first_day=tomorrow(), last_day=tomorrow() + datetime.timedelta(days=31))
    with pytest.raises(SlotRefused, match="已经过去"):
        services.publish(
            resource, first_day=timezone.localdate() - datetime.timedelta(days=1), last_day=tomorrow()
        )
    first, last = services.month_bounds(tomorrow().year, tomorrow().month, today=tomorrow())
    assert (
        first == tomorrow()
        and last.month == tomorrow().month
        and (last + datetime.timedelta(days=1)).day == 1
    )


def test_f11_publishing_never_overlaps_slots_of_another_length():
    resource = published(hall(funeral_home()), days=1)
    resource.slot_minutes = 90
    resource.save()
    assert services.publish(resource, first_day=tomorrow(), last_day=tomorrow()) == (0, 2)


# --- Holding ------------------------------------------------------------------------------------


def test_f11_a_held_slot_is_taken_until_the_hold_expires(settings):
    settings.F11_HOLD_MINUTES = 15
    resource = published(hall(funeral_home()), days=1)
    first, second = family_user(), family_user()
    now = timezone.now()
    booking = services.hold(first_slot(resource), first, now=now)
    assert booking.status == B.HELD and booking.held_until == now + datetime.timedelta(minutes=15)
    assert free_starts(resource, now=now) == [9, 10, 11]
    with pytest.raises(SlotRefused, match="刚刚已被预约"):
        services.hold(first_slot(resource), second, now=now + datetime.timedelta(minutes=14))
    later = now + datetime.timedelta(minutes=15)
    assert free_starts(resource, now=later) == [8, 9, 10, 11]
    taken = services.hold(first_slot(resource), second, now=later)
    assert taken.user == second and taken.unit == 1
    booking.refresh_from_db()
    assert booking.status == B.EXPIRED


def test_f11_expire_holds_marks_only_lapsed_holds():
    resource = published(hall(funeral_home()), days=1)
    now = timezone.now()
    lapsed = services.hold(first_slot(resource), family_user(), now=now - datetime.timedelta(minutes=20))
    fresh = services.hold(first_slot(resource, hour=9), family_user(), now=now)
    assert services.expire_holds(now=now) == 1
    lapsed.refresh_from_db()
    fresh.refresh_from_db()
    assert (lapsed.status, fresh.status) == (B.EXPIRED, B.HELD)


def test_f11_capacity_is_the_number_of_units_a_slot_takes():
    fleet = published(hall(funeral_home(), kind="vehicle", name="灵车", capacity=3, seats=None), days=1)
    slot = first_slot(fleet)
    units = [services.hold(slot, family_user()).unit for _n in range(3)]
    assert units == [1, 2, 3]
    with pytest.raises(SlotRefused, match="刚刚已被预约"):
        services.hold(slot, family_user())
    assert services.availability([fleet], first_day=tomorrow(), last_day=tomorrow())[0].starts_at == at(
        tomorrow(), 9
    )


def test_f11_one_account_cannot_hold_more_than_the_setting(settings):
    settings.F11_MAX_HOLDS_PER_USER = 2
    resource = published(hall(funeral_home()), days=1)
    family = family_user()
    services.hold(first_slot(resource, hour=8), family)
    services.hold(first_slot(resource, hour=9), family)
    with pytest.raises(SlotRefused, match="已暂留 2 个档期"):
        services.hold(first_slot(resource, hour=10), family)


def test_f11_a_slot_too_close_to_its_start_or_on_a_closed_day_cannot_be_held(settings):
    settings.F11_MIN_LEAD_MINUTES = 60
    resource = published(hall(funeral_home()), days=2)
    slot = first_slot(resource)
    with pytest.raises(SlotRefused, match="60 分钟以上"):
        services.hold(slot, family_user(), now=slot.starts_at - datetime.timedelta(minutes=59))
    day = tomorrow() + datetime.timedelta(days=1)
    services.close(resource, starts_on=day, ends_on=day, reason="清明节停用")
    with pytest.raises(SlotRefused, match="当天停用"):
        services.hold(first_slot(resource, day=day), family_user())
    assert all(
        timezone.localtime(s.starts_at).date() != day
        for s in services.availability([resource], first_day=tomorrow(), last_day=day)
    )


def test_f11_a_day_with_bookings_cannot_be_closed():
    resource = published(hall(funeral_home()), days=1)
    services.hold(first_slot(resource), family_user())
    with pytest.raises(SlotRefused, match="已有 1 个预约或暂留"):
        services.close(resource, starts_on=tomorrow(), ends_on=tomorrow(), reason="设备检修")


def test_f11_the_database_refuses_a_second_active_booking_of_a_unit():
    resource = published(hall(funeral_home()), days=1)
    slot = first_slot(resource)
    fields = {
        "slot": slot,
        "resource": resource,
        "unit": 1,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
    }
    Booking.objects.create(user=family_user(), status=B.BOOKED, **fields)
    Booking.objects.create(user=family_user(), status=B.RELEASED, **fields)  # inactive rows do not count
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(user=family_user(), status=B.HELD, held_until=timezone.now(), **fields)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints are PostgreSQL's")
def test_f11_postgresql_refuses_overlapping_time_ranges_of_one_unit():
    resource = published(hall(funeral_home()), days=1)
    slot = first_slot(resource)
    Booking.objects.create(
        slot=slot,
        resource=resource,
        unit=1,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        user=family_user(),
        status=B.BOOKED,
    )
    later = first_slot(resource, hour=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            slot=later,
            resource=resource,
            unit=1,
            starts_at=slot.starts_at + datetime.timedelta(minutes=30),
            ends_at=later.ends_at,
            user=family_user(),
            status=B.BOOKED,
        )


def test_f11_availability_is_one_query_however_many_slots(django_assert_max_num_queries):
    resource = published(hall(funeral_home()), days=7)
    for hour in (8, 9):
        services.hold(first_slot(resource, hour=hour), family_user())
    with django_assert_max_num_queries(2):
        free = services.availability(
            [resource], first_day=tomorrow(), last_day=tomorrow() + datetime.timedelta(days=6)
        )
    assert len(free) == 7 * 4 - 2


# --- With the order -----------------------------------------------------------------------------


def place(family, provider, booking, **details):
    quote = make_quote(family, provider)
    return orders.submit_order(family, quote, details=order_details(**details), hold=booking)


def test_f11_the_order_requests_the_held_slot_and_the_confirmation_books_it():
    provider = funeral_home()
    resource = published(hall(provider), days=1)
    family, staff = family_user(), staff_user(provider)
    order = place(family, provider, services.hold(first_slot(resource, hour=10), family))
    booking = Booking.objects.get(order=order)
    assert booking.status == B.REQUESTED and booking.held_until is None
    assert (order.requested_date, order.requested_time) == (tomorrow(), datetime.time(10))
    with pytest.raises(ValidationError, match="家属已预约"):
        orders.confirm_order(order, staff, service_date=tomorrow(), service_time=datetime.time(11), hall="")
    booking.refresh_from_db()
    assert booking.status == B.REQUESTED
    order = orders.confirm_order(
        order, staff, service_date=tomorrow(), service_time=datetime.time(10), hall=""
    )
    booking.refresh_from_db()
    assert booking.status == B.BOOKED and order.hall == "福寿厅"
    orders.cancel_order(order, family, reason="家属改变安排")
    booking.refresh_from_db()
    assert booking.status == B.RELEASED
    assert 10 in free_starts(resource)


def test_f11_an_expired_hold_places_no_order(settings):
    settings.F11_HOLD_MINUTES = 15
    provider = funeral_home()
    resource = published(hall(provider), days=1)
    family = family_user()
    booking = services.hold(first_slot(resource), family, now=timezone.now() - datetime.timedelta(minutes=16))
    with pytest.raises(SlotRefused, match="已超过 15 分钟"):
        place(family, provider, booking)
    assert not Order.objects.filter(user=family).exists()


def test_f11_another_familys_hold_or_another_providers_slot_cannot_be_ordered():
    provider, other = funeral_home(), funeral_home()
    resource = published(hall(provider), days=1)
    family, stranger = family_user(), family_user()
    with pytest.raises(SlotRefused, match="只能使用自己暂留的档期"):
        place(stranger, provider, services.hold(first_slot(resource), family))
    elsewhere = published(hall(other, name="长青厅"), days=1)
    with pytest.raises(SlotRefused, match="不属于该服务机构"):
        place(family, provider, services.hold(first_slot(elsewhere), family))
    assert not Order.objects.exists()


def test_f11_moving_a_booking_needs_the_familys_agreement(django_capture_on_commit_callbacks):
    provider = funeral_home()
    resource = published(hall(provider), days=1)
    family, staff, stranger = family_user(), staff_user(provider), family_user()
    order = place(family, provider, services.hold(first_slot(resource, hour=8), family))
    booking = Booking.objects.get(order=order)
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        proposed = services.propose_move(
            booking, first_slot(resource, hour=11), staff, note="上午八点礼厅检修"
        )
    assert [m.mobile for m in sms.outbox] == [family.mobile] and "改约至" in sms.outbox[0].text
    assert proposed.status == B.REQUESTED and proposed.slot == first_slot(resource, hour=8)
    with pytest.raises(SlotRefused, match="没有待您确认的改约"):
        services.accept_move(booking, stranger)
    services.decline_move(booking, family)
    booking.refresh_from_db()
    assert booking.proposed_slot is None and booking.status == B.REQUESTED
    services.propose_move(booking, first_slot(resource, hour=11), staff, note="上午八点礼厅检修")
    moved = services.accept_move(booking, family)
    booking.refresh_from_db()
    assert booking.status == B.MOVED and booking.moved_to == moved
    assert (moved.status, moved.order, moved.slot) == (B.REQUESTED, order, first_slot(resource, hour=11))
    assert free_starts(resource) == [8, 9, 10]


def test_f11_a_move_to_a_taken_slot_fails_and_keeps_the_booking():
    provider = funeral_home()
    resource = published(hall(provider), days=1)
    family, staff = family_user(), staff_user(provider)
    order = place(family, provider, services.hold(first_slot(resource, hour=8), family))
    booking = Booking.objects.get(order=order)
    services.propose_move(booking, first_slot(resource, hour=9), staff, note="调整")
    services.hold(first_slot(resource, hour=9), family_user())
    with pytest.raises(SlotRefused, match="已被预约"):
        services.accept_move(booking, family)
    booking.refresh_from_db()
    assert booking.status == B.REQUESTED and booking.slot == first_slot(resource, hour=8)


def test_f11_the_booking_transition_table_is_enforced():
    from core.statemachine import IllegalTransition, transition

    resource = published(hall(funeral_home()), days=1)
    booking = services.hold(first_slot(resource), family_user())
    with pytest.raises(IllegalTransition):
        transition(booking, B.BOOKED)
    transition(booking, B.EXPIRED)
    with pytest.raises(IllegalTransition):
        transition(booking, B.REQUESTED)


def test_f11_the_expiry_command_expires_lapsed_holds():
    from io import StringIO

    from django.core.management import call_command

    resource = published(hall(funeral_home()), days=1)
    lapsed = services.hold(
        first_slot(resource), family_user(), now=timezone.now() - datetime.timedelta(hours=1)
    )
    out = StringIO()
    call_command("expire_slot_holds", stdout=out)
    lapsed.refresh_from_db()
    assert lapsed.status == B.EXPIRED and "holds expired: 1" in out.getvalue()


def test_f11_with_a_hall_booked_the_service_time_is_the_halls_even_after_an_earlier_vehicle():
    provider = funeral_home()
    hall_resource = published(hall(provider), days=1)
    fleet = published(hall(provider, kind="vehicle", name="灵车", opens=datetime.time(6), seats=None), days=1)
    family, staff = family_user(), staff_user(provider)
    order = place(family, provider, services.hold(first_slot(hall_resource, hour=10), family))
    services.attach(services.hold(first_slot(fleet, hour=6), family), order, family)
    with pytest.raises(ValidationError, match="10:00"):
        orders.confirm_order(order, staff, service_date=tomorrow(), service_time=datetime.time(6), hall="")
    order = orders.confirm_order(
        order, staff, service_date=tomorrow(), service_time=datetime.time(10), hall=""
    )
    assert order.hall == "福寿厅"
    assert set(Booking.objects.filter(order=order).values_list("status", flat=True)) == {B.BOOKED}
