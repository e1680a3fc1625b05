"""Builders for booked visits (M3): cemeteries, festival periods, sessions, families with ID
numbers, and aware times in Asia/Shanghai."""

import datetime

from django.utils import timezone

from marketplace.memorials.visits import services
from marketplace.memorials.visits.models import FestivalPeriod, VisitSession
from tests.factories.catalogue import ProviderFactory, make_member
from tests.factories.orders import family_user, id_number

__all__ = ["family_user", "id_number"]


def at(day, clock="10:00"):
    """An aware datetime on ``day`` at ``clock`` (HH:MM or HH:MM:SS), Asia/Shanghai."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.fromisoformat(clock)))


def today():
    return timezone.localdate()


def cemetery(**fields):
    fields.setdefault("type", "cemetery")
    fields.setdefault("name", "测试西山公墓")
    return ProviderFactory(**fields)


def cemetery_staff(provider):
    return make_member(provider)


def period(starts_on=None, days=10, **fields):
    starts_on = starts_on or today() + datetime.timedelta(days=1)
    fields.setdefault("name", "测试清明")
    return FestivalPeriod.objects.create(
        starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=days - 1), **fields
    )


def session(
    provider=None, day=None, *, normal_capacity=10, area="outdoor", start="08:00", end="10:00", **fields
):
    """A session as the cemetery's bulk creation makes it (the festival share applied)."""
    provider = provider or cemetery()
    day = day or today() + datetime.timedelta(days=2)
    fields.setdefault("max_visitors_per_booking", 5)
    services.create_sessions(
        provider,
        first_day=day,
        last_day=day,
        windows=[(datetime.time.fromisoformat(start), datetime.time.fromisoformat(end))],
        area=area,
        normal_capacity=normal_capacity,
        max_visitors_per_booking=fields["max_visitors_per_booking"],
        today=min(day, today()),
    )
    return VisitSession.objects.get(provider=provider, date=day, starts_at=start, area=area)


_serial = [0]


def new_id():
    """A fresh valid resident ID number."""
    _serial[0] += 1
    return id_number(f"110108199001{_serial[0] % 100000:05d}")


def book(session, user=None, *, visitors=1, grave=None, id_number=None, now=None):
    _serial[0] += 1
    return services.book(
        user or family_user(),
        session,
        id_number=id_number or new_id(),
        grave=grave or f"A区{_serial[0]}排1号",
        visitors=visitors,
        now=now or at(session.date - datetime.timedelta(days=2)),
    )
