"""M3: a session is never oversold. 50 families book one slot with 10 places at the same moment,
each from its own thread and database connection, through the real booking service."""

import datetime
import threading

import pytest
from django.db import connection

from marketplace.memorials.visits import services
from marketplace.memorials.visits.models import Booking, GraveDayLoad, IdPeriodLoad, VisitSession
from tests.factories import visits as f

CLIENTS = 50


def _fire(sessions, families, numbers, graves, visitors=1):
    """Every family books at once (a barrier), each on its own connection, the session of the same
    position. Returns (booked, refused, errors)."""
    barrier = threading.Barrier(len(families))
    booked, refused, errors = [], [], []
    now = f.at(min(s.date for s in sessions) - datetime.timedelta(days=2))

    def attempt(session, user, number, grave):
        try:
            barrier.wait(timeout=30)
            booked.append(
                services.book(user, session, id_number=number, grave=grave, visitors=visitors, now=now).pk
            )
        except services.BookingRefused as refusal:
            refused.append(" ".join(refusal.messages))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=args)
        for args in zip(sessions, families, numbers, graves, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return booked, refused, errors


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks under concurrent connections need PostgreSQL; SQLite serialises whole transactions",
)
@pytest.mark.django_db(transaction=True)
def test_m3_fifty_concurrent_bookings_of_ten_places_get_exactly_ten():
    session = f.session(normal_capacity=10)
    families = [f.family_user() for _n in range(CLIENTS)]
    numbers = [f.new_id() for _n in range(CLIENTS)]
    graves = [f"E区{n}号" for n in range(CLIENTS)]
    booked, refused, errors = _fire([session] * CLIENTS, families, numbers, graves)
    assert errors == []
    assert len(booked) == 10
    assert len(refused) == CLIENTS - 10 and all("已约满" in message for message in refused)
    assert VisitSession.objects.get(pk=session.pk).booked == 10
    assert Booking.objects.filter(session=session).count() == 10


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks under concurrent connections need PostgreSQL; SQLite serialises whole transactions",
)
@pytest.mark.django_db(transaction=True)
def test_m3_concurrent_bookings_keep_the_grave_cap_and_the_id_limit():
    """The same grave (cap 5) from 20 families at once, and one ID (limit 1 in the period) in 21
    different sessions at once, all with room for everyone."""
    cemetery = f.cemetery()
    period = f.period(days=3)
    windows = [(datetime.time(8 + n), datetime.time(9 + n)) for n in range(7)]
    services.create_sessions(
        cemetery,
        first_day=period.starts_on,
        last_day=period.ends_on,
        windows=windows,
        area="outdoor",
        normal_capacity=500,
        today=f.today(),
    )
    sessions = list(VisitSession.objects.filter(provider=cemetery).order_by("date", "starts_at"))
    assert len(sessions) == 21
    same_day = [s for s in sessions if s.date == period.starts_on]
    graves = ["F区 1号"] * 21
    booked, _refused, errors = _fire(
        (same_day * 3)[:21], [f.family_user() for _n in range(21)], [f.new_id() for _n in range(21)], graves
    )
    assert errors == [] and len(booked) == 5
    assert GraveDayLoad.objects.get(provider=cemetery, grave_key="F区1号").visitors == 5
    number = f.new_id()
    booked, _refused, errors = _fire(
        sessions, [f.family_user() for _n in range(21)], [number] * 21, [f"G区{n}号" for n in range(21)]
    )
    assert errors == [] and len(booked) == 1
    assert (
        IdPeriodLoad.objects.get(period=period, id_hmac=Booking.objects.get(pk=booked[0]).id_hmac).bookings
        == 1
    )
