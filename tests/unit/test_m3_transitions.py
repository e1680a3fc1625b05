"""M3: the booking's state machine, every (from, to) pair on a real row (as
tests/unit/test_transition_tables.py does for the other tables)."""

import itertools

import pytest
from wagtail.models import ModelLogEntry

from core.statemachine import TRANSITION_ACTION, IllegalTransition, transition
from marketplace.memorials.visits.models import Booking, BookingStatus
from tests.factories import visits as f
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

LEGAL = {("booked", "used"), ("booked", "cancelled"), ("booked", "no_show")}


def test_m3_booking_table_is_exactly_booked_to_used_cancelled_or_no_show():
    assert {(str(a), str(b)) for a, b in Booking.TRANSITIONS} == LEGAL


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.product(BookingStatus.values, BookingStatus.values))
)
def test_m3_every_booking_move_is_made_or_refused_on_a_real_row(source, target):
    booking = f.book(f.session())
    Booking.objects.filter(pk=booking.pk).update(status=source)
    booking.refresh_from_db()
    user = UserFactory()
    entries = ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(booking.pk))
    before = entries.count()
    if (source, target) in LEGAL:
        transition(booking, target, user=user, reason="测试")
        assert Booking.objects.get(pk=booking.pk).status == target
        assert entries.count() == before + 1
        assert entries.latest("timestamp").data["to"] == target
    else:
        with pytest.raises(IllegalTransition) as caught:
            transition(booking, target, user=user, reason="测试")
        assert source in str(caught.value) and target in str(caught.value)
        assert Booking.objects.get(pk=booking.pk).status == source
        assert entries.count() == before
