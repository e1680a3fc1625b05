"""Demo data of F11 (bookable service slots) at three demo funeral homes of the catalogue.

- **Resources.** Each home has two or three farewell halls of different sizes, one cremation line
  (two furnaces: capacity 2) and one vehicle fleet (three vehicles: capacity 3), linked to the
  home's matching catalogue items (halls: 告别室/告别厅; cremation: 火化; vehicles: 接运).
- **Slots** for the next 30 days from today (published in chunks of ``F11_PUBLISH_MAX_DAYS``),
  halls 07:30–15:30 in one-hour slots, cremation 07:00–16:00 in 90 minutes, vehicles 06:00–18:00
  in two hours; one hall is closed for maintenance two weeks from today (made before the slots,
  so that day has none).
- **Bookings**, all through the real services:
  - the demo family 王丽 (13900000002): her submitted order at 东郊 requests the hall slot of its
    wanted time, and 东郊 proposes moving it an hour later, waiting for her answer on the order
    page (an order takes slots only while submitted, so her confirmed orders have none); and two
    holds at 京西 (a hall and a cremation slot, not yet ordered). A hold lasts
    ``F11_HOLD_MINUTES`` (15) like any other, so a quarter of an hour after loading these show as
    expired: that is what a real hold does;
  - three other demo families placed new orders with their holds (hold → ``submit_order(hold=)``
    → the other slots attached): at 京西 and 东郊 the home confirmed them (``confirm_order``:
    booked), at 南苑 (no demo staff login) they wait for the home's confirmation (requested).

Dates are relative to today. Idempotent: resources are found again by (provider, name), a closure
by its resource and reason, slots already published are skipped by ``publish``, a new order by its
deceased's (demo) ID digest, 王丽's order is left alone once it has a slot, and her holds are
made only when she has no slot booking without an order yet.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.demo import DEMO_FAMILY_MOBILE, ensure_user
from accounts.models import User
from marketplace.catalogue.demo import (
    DEMO_PROVIDER_ADMIN_MOBILE,
    DEMO_SECOND_PROVIDER_ADMIN_MOBILE,
    FIRST_FUNERAL_HOME,
)
from marketplace.catalogue.models import Provider, ServiceItem

from .. import demo as orders_demo
from .. import identity
from ..models import Order
from ..services.placing import confirm_order, submit_order
from . import services
from .models import Booking, Closure, Resource, ResourceKind, Slot

DONGJIAO = "demo-dongjiao-funeral-home"
NANYUAN = "demo-nanyuan-funeral-home"
PUBLISH_DAYS = 30

HALL_HOURS = (datetime.time(7, 30), datetime.time(15, 30), 60)
CREMATION_HOURS = (datetime.time(7), datetime.time(16), 90)
VEHICLE_HOURS = (datetime.time(6), datetime.time(18), 120)

# provider slug -> halls (name, seats; the first, largest, also serves the big-hall item),
# the cremation line's name, the vehicle fleet's name
HOMES = {
    FIRST_FUNERAL_HOME: (
        (("一号告别厅", 200), ("二号告别厅", 80), ("三号告别厅", 30)),
        "火化线（两台火化炉）",
        "殡仪车队（三辆）",
    ),
    DONGJIAO: (
        (("安和厅", 200), ("思远厅", 80), ("怀念厅", 30)),
        "火化线（两台火化炉）",
        "殡仪车队（三辆）",
    ),
    NANYUAN: (
        (("大厅", 150), ("小厅", 40)),
        "火化线（两台火化炉）",
        "殡仪车队（三辆）",
    ),
}
STAFF = {FIRST_FUNERAL_HOME: DEMO_PROVIDER_ADMIN_MOBILE, DONGJIAO: DEMO_SECOND_PROVIDER_ADMIN_MOBILE}

# (provider, hall, day offset from today, reason): maintenance two weeks out.
CLOSURE = (DONGJIAO, "思远厅", 14, "设备检修（更换音响与电子屏）")

# 王丽's submitted demo order at 东郊 (orders demo PLAN index 2) requests the hall slot of its
# wanted time, and 东郊 proposes moving it an hour later before confirming (F11: a move only with
# the family's agreement; confirm_order refuses another time until she answers).
FAMILY_ORDER = (
    2,
    "思远厅",
    "该时段告别厅已有安排，建议顺延一小时至 10:30，同一告别厅，其他安排不变。",
)
# 王丽's running holds: (resource name at 京西, day offset, start)
FAMILY_HOLDS = (("二号告别厅", 8, datetime.time(9, 30)), ("火化线（两台火化炉）", 8, datetime.time(11, 30)))

# New orders of other demo families, placed with their holds:
# (mobile, real name, deceased, deceased ID (first 17), provider, day offset,
#  [(resource name, start)] with the hall first, confirmed by the home?)
NEW_ORDERS = (
    (
        "13900020001",
        "孙丽华",
        ("孙志刚", "male", 82),
        "11010619420507121",
        FIRST_FUNERAL_HOME,
        5,
        (("三号告别厅", datetime.time(8, 30)), ("火化线（两台火化炉）", datetime.time(10))),
        True,
    ),
    (
        "13900020002",
        "周建平",
        ("周桂兰", "female", 88),
        "11010519360612242",
        DONGJIAO,
        6,
        (("怀念厅", datetime.time(9, 30)), ("火化线（两台火化炉）", datetime.time(11, 30))),
        True,
    ),
    (
        "13900020003",
        "马晓燕",
        ("马德福", "male", 77),
        "11010619470918363",
        NANYUAN,
        3,
        (
            ("小厅", datetime.time(9, 30)),
            ("殡仪车队（三辆）", datetime.time(6)),
            ("火化线（两台火化炉）", datetime.time(11, 30)),
        ),
        False,
    ),
)


def _items(provider):
    """The provider's catalogue items each kind of resource serves."""
    items = ServiceItem.objects.filter(provider=provider).select_related("category")
    farewell = [i for i in items if i.category.code == "farewell" and "告别" in i.name]
    big_hall = [i for i in items if i.category.code == "hall" and "告别" in i.name]
    return {
        "hall": farewell,
        "big_hall": big_hall + farewell,
        ResourceKind.CREMATION: [i for i in items if i.category.code == "cremation" and "火化" in i.name],
        ResourceKind.VEHICLE: [i for i in items if i.category.code == "collection" and "接运" in i.name],
    }


def _resource(provider, name, kind, hours, *, capacity=1, seats=None, items=()):
    opens, closes, minutes = hours
    resource, created = Resource.objects.get_or_create(
        provider=provider,
        name=name,
        defaults={
            "kind": kind,
            "seats": seats,
            "opens": opens,
            "closes": closes,
            "slot_minutes": minutes,
            "capacity": capacity,
        },
    )
    if created and items:
        resource.items.add(*items)
    return resource


def _resources(provider, halls, cremation, vehicles):
    items = _items(provider)
    made = [
        _resource(
            provider,
            name,
            ResourceKind.HALL,
            HALL_HOURS,
            seats=seats,
            items=items["big_hall" if index == 0 else "hall"],
        )
        for index, (name, seats) in enumerate(halls)
    ]
    made.append(
        _resource(
            provider, cremation, ResourceKind.CREMATION, CREMATION_HOURS, capacity=2, items=items["cremation"]
        )
    )
    made.append(
        _resource(provider, vehicles, ResourceKind.VEHICLE, VEHICLE_HOURS, capacity=3, items=items["vehicle"])
    )
    return made


def _publish(resource, today):
    """The next PUBLISH_DAYS days, in chunks no longer than one publication may be."""
    first, last = today, today + datetime.timedelta(days=PUBLISH_DAYS - 1)
    step = datetime.timedelta(days=settings.F11_PUBLISH_MAX_DAYS)
    created = 0
    while first <= last:
        chunk_end = min(last, first + step - datetime.timedelta(days=1))
        created += services.publish(resource, first_day=first, last_day=chunk_end, today=today)[0]
        first = chunk_end + datetime.timedelta(days=1)
    return created


def _close(resources, today):
    slug, name, offset, reason = CLOSURE
    resource = resources.get((slug, name))
    if resource is None or Closure.objects.filter(resource=resource, reason=reason).exists():
        return 0
    day = today + datetime.timedelta(days=offset)
    services.close(resource, starts_on=day, ends_on=day, reason=reason)
    return 1


def _slot(resource, day, start):
    return Slot.objects.filter(
        resource=resource, starts_at=timezone.make_aware(datetime.datetime.combine(day, start))
    ).first()


def _hold(resources, slug, name, day, start, user):
    resource = resources[(slug, name)]
    slot = _slot(resource, day, start)
    if slot is None:
        raise services.SlotRefused(f"{resource.name} {day} {start:%H:%M} 没有档期")
    return services.hold(slot, user)


def _family_order_slot(resources, family, out):
    """王丽's submitted order takes its slot (held, then attached: requested), and the home
    proposes a move she has yet to answer. Only a submitted order can take a slot (F11)."""
    index, hall, note = FAMILY_ORDER
    first17, slug = orders_demo.PLAN[index][:2]
    order = Order.objects.filter(
        user=family, deceased_id_hmac=identity.digest(orders_demo.demo_id(first17))
    ).first()
    if order is None or Booking.objects.filter(order=order).exists():
        return 0
    try:
        with transaction.atomic():
            held = _hold(resources, slug, hall, order.requested_date, order.requested_time, family)
            booking = services.attach(held, order, family)
            later = _slot(booking.resource, order.requested_date, timezone.localtime(booking.ends_at).time())
            if later is not None:
                services.propose_move(booking, later, User.objects.get(mobile=STAFF[slug]), note=note)
    except ValidationError as refusal:
        out.write(f"  slots demo: {order.reference} skipped ({' '.join(refusal.messages)})")
        return 0
    return 1


def _new_orders(resources, today, out):
    """Other demo families order with their holds; the home confirms them where it has staff."""
    made = 0
    for mobile, name, deceased, first17, slug, offset, wanted, confirmed in NEW_ORDERS:
        family = ensure_user(
            mobile, display_name=f"示例家属（{name}）", real_name=name, real_name_verified_at=timezone.now()
        )
        number = orders_demo.demo_id(first17)
        if Order.objects.filter(user=family, deceased_id_hmac=identity.digest(number)).exists():
            continue
        day = today + datetime.timedelta(days=offset)
        provider = Provider.objects.get(slug=slug)
        try:
            with transaction.atomic():
                holds = [_hold(resources, slug, resource, day, start, family) for resource, start in wanted]
                quote = orders_demo._quote(family, provider, orders_demo.FUNERAL_ITEMS, "ordinary", True)
                order = submit_order(
                    family,
                    quote,
                    details={
                        "deceased_name": deceased[0],
                        "deceased_gender": deceased[1],
                        "deceased_age": deceased[2],
                        "date_of_death": today - datetime.timedelta(days=2),
                        "deceased_id": number,
                        "contact_name": name,
                        "contact_relation": "子女",
                        "requested_date": day,
                        "requested_time": wanted[0][1],
                        "family_note": "",
                    },
                    hold=holds[0],
                )
                for other in holds[1:]:
                    services.attach(other, order, family)
                if confirmed:
                    # The home confirms the time of the first slot requested (confirm_order's rule).
                    first = timezone.localtime(min(hold.starts_at for hold in holds))
                    confirm_order(
                        order,
                        User.objects.get(mobile=STAFF[slug]),
                        service_date=first.date(),
                        service_time=first.time(),
                        hall="",
                    )
        except ValidationError as refusal:
            out.write(f"  slots demo: order of {mobile} skipped ({' '.join(refusal.messages)})")
            continue
        made += 1
    return made


def _family_holds(resources, family, today, out):
    """Two holds 王丽 has not ordered yet (they lapse after F11_HOLD_MINUTES, as real ones do)."""
    demo_resources = [resource.pk for resource in resources.values()]
    if Booking.objects.filter(user=family, order__isnull=True, resource__in=demo_resources).exists():
        return 0
    made = 0
    for name, offset, start in FAMILY_HOLDS:
        try:
            with transaction.atomic():
                _hold(
                    resources,
                    FIRST_FUNERAL_HOME,
                    name,
                    today + datetime.timedelta(days=offset),
                    start,
                    family,
                )
        except ValidationError as refusal:
            out.write(f"  slots demo: hold skipped ({' '.join(refusal.messages)})")
            continue
        made += 1
    return made


def load(out):
    today = timezone.localdate()
    resources = {}
    for slug, (halls, cremation, vehicles) in HOMES.items():
        provider = Provider.objects.filter(slug=slug, type="funeral_home").first()
        if provider is None:
            continue
        for resource in _resources(provider, halls, cremation, vehicles):
            resources[(slug, resource.name)] = resource
    closures = _close(resources, today)  # before publishing, so the closed day gets no slots
    slots = sum(_publish(resource, today) for resource in resources.values())
    family = User.objects.get(mobile=DEMO_FAMILY_MOBILE)
    attached = _family_order_slot(resources, family, out)
    ordered = _new_orders(resources, today, out)
    held = _family_holds(resources, family, today, out)
    active = Booking.objects.filter(resource__in=resources.values()).filter(
        Q(status__in=("requested", "booked")) | Q(status="held", held_until__gt=timezone.now())
    )
    out.write(
        f"  service slots: {len(resources)} resources at {len({s for s, _n in resources})} funeral homes, "
        f"{slots} new slots, {closures} new closure; {attached} of {DEMO_FAMILY_MOBILE}'s orders took a slot (move proposed), "
        f"{ordered} new orders with slots, {held} new holds; {active.count()} active bookings"
    )
