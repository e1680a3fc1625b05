"""F11: thirty families hold one hall-slot at the same moment, each from its own thread and
database connection, through the real service. Exactly one gets it: the unique key on active
bookings (and the exclusion constraint) decide, not a read before the write."""

import threading

import pytest
from django.db import connection

from marketplace.orders.slots import services
from marketplace.orders.slots.models import Booking, BookingStatus
from tests.factories.orders import family_user, funeral_home
from tests.factories.slots import hall, published

CLIENTS = 30


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent connections need PostgreSQL; SQLite serialises whole transactions",
)
@pytest.mark.django_db(transaction=True)
def test_f11_thirty_concurrent_holds_of_one_hall_slot_get_exactly_one():
    resource = published(hall(funeral_home()), days=1)
    slot = resource.slots.order_by("starts_at").first()
    families = [family_user() for _n in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS)
    held, refused, errors = [], [], []

    def attempt(user):
        try:
            barrier.wait(timeout=30)
            held.append(services.hold(slot, user).pk)
        except services.SlotRefused as refusal:
            refused.append(" ".join(refusal.messages))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in families]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(held) == 1
    assert len(refused) == CLIENTS - 1 and all("刚刚已被预约" in message for message in refused)
    assert Booking.objects.filter(slot=slot, status=BookingStatus.HELD).count() == 1
