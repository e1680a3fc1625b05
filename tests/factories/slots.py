"""Bookable resources and their slots (F11)."""

import datetime

from django.utils import timezone

from marketplace.orders.slots import services
from marketplace.orders.slots.models import Resource, ResourceKind


def hall(provider, **fields):
    """A farewell hall open 08:00–12:00 every day, in one-hour slots."""
    fields = {
        "kind": ResourceKind.HALL,
        "name": "福寿厅",
        "seats": 80,
        "opens": datetime.time(8),
        "closes": datetime.time(12),
        "slot_minutes": 60,
        "capacity": 1,
        **fields,
    }
    return Resource.objects.create(provider=provider, **fields)


def published(resource, days=7, first_day=None):
    first_day = first_day or timezone.localdate() + datetime.timedelta(days=1)
    services.publish(resource, first_day=first_day, last_day=first_day + datetime.timedelta(days=days - 1))
    return resource


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
