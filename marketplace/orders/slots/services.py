"""F11: publishing slots, holding one while the order is placed, booking it, moving it.

- **Publishing.** :func:`publish` creates a resource's slots from its opening hours for every open
  weekday between two days, at most ``F11_PUBLISH_MAX_DAYS`` at once (a month); closures and slots
  already published are skipped, so publishing twice creates nothing new.
- **Holding.** :func:`hold` takes one free unit of a slot for ``F11_HOLD_MINUTES`` for the family,
  no later than ``F11_MIN_LEAD_MINUTES`` before it starts, and at most ``F11_MAX_HOLDS_PER_USER``
  open holds per account (so one account cannot hold a whole day of halls). The insert is the
  decision: the database's unique key (and on PostgreSQL its exclusion constraint) refuses a
  second active booking of a unit, and the service tries the next unit or refuses.
- **Booking.** Placing the order attaches the hold (:func:`attach`); the provider's confirmation
  books it (:func:`confirm_for`); a cancelled order releases it (:func:`release_for`). A hold not
  attached in time expires (:func:`expire_holds`; a stale hold never blocks anyone, because the
  services expire a slot's stale holds before they count it).
- **Moving.** Only with the family's agreement: the provider proposes (:func:`propose_move`), the
  family accepts (:func:`accept_move`) or declines (:func:`decline_move`). A move to a resource
  billed at another price (a larger hall) is a change order (F9): the proposal takes the new
  unit at once and proposes the change (the old item off the bill, the new one on); the move
  completes in the same transaction as the provider's countersignature
  (:func:`on_change_transition`), and a declined or withdrawn change releases the unit.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.statemachine import transition

from .. import notifications
from ..models import ChangeOrder, ChangeStatus, OrderStatus
from ..statements import current_item_quantities
from .models import ACTIVE_STATES, Booking, BookingStatus, Closure, Resource, Slot

B = BookingStatus


class SlotRefused(ValidationError):
    """A publication, hold, booking or move that F11 refuses, with a message naming why."""


def _now(now):
    return now or timezone.now()


def _aware(day, time):
    return timezone.make_aware(datetime.datetime.combine(day, time))


def closed_days(resource, first_day, last_day):
    """The days of ``first_day``..``last_day`` that a closure takes out."""
    return closed_days_by_resource([resource.pk], first_day, last_day).get(resource.pk, set())


def closed_days_by_resource(resource_ids, first_day, last_day):
    """resource id -> the closed days of ``first_day``..``last_day``, in one query."""
    days = {}
    for closure in Closure.objects.filter(
        resource__in=resource_ids, starts_on__lte=last_day, ends_on__gte=first_day
    ):
        day = max(closure.starts_on, first_day)
        while day <= min(closure.ends_on, last_day):
            days.setdefault(closure.resource_id, set()).add(day)
            day += datetime.timedelta(days=1)
    return days


def starts_of_day(resource, day):
    """The slot starts of one open day, from the opening time while a whole slot fits."""
    length = datetime.timedelta(minutes=resource.slot_minutes)
    start, end = _aware(day, resource.opens), _aware(day, resource.closes)
    starts = []
    while start + length <= end:
        starts.append(start)
        start += length
    return starts


def publish(resource, *, first_day, last_day, today=None):
    """Create the slots of ``first_day``..``last_day``. Returns (created, skipped)."""
    with transaction.atomic():
        today = today or timezone.localdate()
        if first_day < today:
            raise SlotRefused(_("不能为已经过去的日期发布档期。"))
        if last_day < first_day:
            raise SlotRefused(_("结束日期不能早于开始日期。"))
        days = (last_day - first_day).days + 1
        if days > settings.F11_PUBLISH_MAX_DAYS:
            raise SlotRefused(
                _("一次最多发布 %(max)s 天的档期，您选择了 %(days)s 天。")
                % {"max": settings.F11_PUBLISH_MAX_DAYS, "days": days}
            )
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        closed = closed_days(resource, first_day, last_day)
        window = (
            _aware(first_day, datetime.time.min),
            _aware(last_day + datetime.timedelta(days=1), datetime.time.min),
        )
        existing = list(
            Slot.objects.filter(resource=resource, starts_at__range=window).values_list(
                "starts_at", "ends_at"
            )
        )
        length = datetime.timedelta(minutes=resource.slot_minutes)
        new, skipped = [], 0
        for offset in range(days):
            day = first_day + datetime.timedelta(days=offset)
            if str(day.isoweekday()) not in resource.weekdays or day in closed:
                continue
            for start in starts_of_day(resource, day):
                end = start + length
                # An existing slot that overlaps (the same start, or another length) stays as it is.
                if any(start < other_end and other_start < end for other_start, other_end in existing):
                    skipped += 1
                    continue
                new.append(Slot(resource=resource, starts_at=start, ends_at=end))
        Slot.objects.bulk_create(new)
        return len(new), skipped


def month_bounds(year, month, today=None):
    """The days of a month still to come (from today), for publishing a month at once."""
    today = today or timezone.localdate()
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return max(first, today), last


def close(resource, *, starts_on, ends_on, reason, today=None):
    """Take days out (a holiday, maintenance). Refused while a family holds or has booked a slot
    on those days: the provider moves those bookings first, with the families' agreement."""
    with transaction.atomic():
        reason = (reason or "").strip()
        if not reason:
            raise SlotRefused(_("请填写停用原因。"))
        if ends_on < starts_on:
            raise SlotRefused(_("结束日期不能早于开始日期。"))
        window = (
            _aware(starts_on, datetime.time.min),
            _aware(ends_on + datetime.timedelta(days=1), datetime.time.min),
        )
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        expire_holds(resource=resource)
        taken = Booking.objects.filter(
            resource=resource, status__in=ACTIVE_STATES, starts_at__range=window
        ).count()
        if taken:
            raise SlotRefused(
                _("这些日期已有 %(count)s 个预约或暂留，请先与家属协商改约后再停用。") % {"count": taken}
            )
        return Closure.objects.create(resource=resource, starts_on=starts_on, ends_on=ends_on, reason=reason)


def live(now, prefix=""):
    """Bookings that take a unit at ``now``: a hold counts only until it lapses."""
    return Q(**{f"{prefix}status__in": (B.REQUESTED, B.BOOKED)}) | Q(
        **{f"{prefix}status": B.HELD, f"{prefix}held_until__gt": now}
    )


def expire_holds(*, now=None, resource=None, slot=None):
    """Mark the lapsed holds expired (all of them, or one resource's or slot's). Returns how many."""
    now = _now(now)
    stale = Booking.objects.filter(status=B.HELD, held_until__lte=now)
    if resource is not None:
        stale = stale.filter(resource=resource)
    if slot is not None:
        stale = stale.filter(slot=slot)
    count = 0
    with transaction.atomic():
        for booking in stale.select_for_update(skip_locked=True):
            transition(
                booking,
                B.EXPIRED,
                reason=_("暂留超过 %(minutes)s 分钟未下单") % {"minutes": settings.F11_HOLD_MINUTES},
            )
            count += 1
    return count


def bookable_resources(provider, items=()):
    """The active resources of a provider that serve any of ``items`` (all of them when none)."""
    resources = Resource.objects.filter(provider=provider, is_active=True)
    if items:
        resources = resources.filter(items__in=items).distinct()
    return resources


def availability(resources, *, first_day, last_day, now=None):
    """The slots of ``resources`` between two days that can still be held, each with its free
    units (``slot.free``), in time order. Two queries, however many slots, resources and bookings."""
    now = _now(now)
    earliest = now + datetime.timedelta(minutes=settings.F11_MIN_LEAD_MINUTES)
    window_end = _aware(last_day + datetime.timedelta(days=1), datetime.time.min)
    slots = (
        Slot.objects.filter(
            resource__in=resources,
            resource__is_active=True,
            starts_at__gte=max(earliest, _aware(first_day, datetime.time.min)),
            starts_at__lt=window_end,
        )
        .select_related("resource")
        .annotate(taken=Count("bookings", filter=live(now, prefix="bookings__")))
        .order_by("starts_at", "resource__name")
    )
    slots = list(slots)
    closed = closed_days_by_resource({slot.resource_id for slot in slots}, first_day, last_day)
    free = []
    for slot in slots:
        slot.free = slot.resource.capacity - slot.taken
        if slot.free > 0 and timezone.localtime(slot.starts_at).date() not in closed.get(
            slot.resource_id, ()
        ):
            free.append(slot)
    return free


def _check_holdable(slot, user, now):
    resource = slot.resource
    if not resource.is_active or not resource.provider.is_published:
        raise SlotRefused(_("该资源目前不接受预约。"))
    if slot.starts_at < now + datetime.timedelta(minutes=settings.F11_MIN_LEAD_MINUTES):
        raise SlotRefused(
            _("档期须在开始前 %(minutes)s 分钟以上预约，请选择其他时段。")
            % {"minutes": settings.F11_MIN_LEAD_MINUTES}
        )
    day = timezone.localtime(slot.starts_at).date()
    if day in closed_days(resource, day, day):
        raise SlotRefused(_("该资源当天停用，请选择其他日期。"))
    holds = Booking.objects.filter(user=user, status=B.HELD, held_until__gt=now).count()
    if holds >= settings.F11_MAX_HOLDS_PER_USER:
        raise SlotRefused(_("您已暂留 %(count)s 个档期，请先下单或释放后再选择。") % {"count": holds})


def _take_unit(slot, now, **fields):
    """Insert a booking on the lowest unit of ``slot`` that no live booking takes, or None when
    every unit is taken. The insert decides: the unique key (and the exclusion constraint)
    refuses a unit another family took a moment ago, and the next unit is tried."""
    expire_holds(now=now, slot=slot)
    taken = set(Booking.objects.filter(slot=slot).filter(live(now)).values_list("unit", flat=True))
    for unit in range(1, slot.resource.capacity + 1):
        if unit in taken:
            continue
        try:
            with transaction.atomic():
                return Booking.objects.create(
                    slot=slot,
                    resource=slot.resource,
                    unit=unit,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    **fields,
                )
        except IntegrityError:
            continue  # another family took this unit a moment ago: try the next
    return None


def hold(slot, user, *, now=None):
    """Hold one free unit of ``slot`` for ``user`` for ``F11_HOLD_MINUTES`` (F11). The database
    decides between families who click at the same moment: exactly one gets each unit."""
    now = _now(now)
    slot = Slot.objects.select_related("resource__provider").get(pk=slot.pk)
    _check_holdable(slot, user, now)
    booking = _take_unit(
        slot,
        now,
        status=B.HELD,
        user=user,
        held_until=now + datetime.timedelta(minutes=settings.F11_HOLD_MINUTES),
    )
    if booking is not None:
        return booking
    raise SlotRefused(_("该档期刚刚已被预约，请选择其他时段。"), code="taken")


def _locked(booking):
    return Booking.objects.select_for_update().select_related("resource", "slot").get(pk=booking.pk)


def release(booking, user, *, reason=""):
    """The family lets its own hold go before ordering."""
    with transaction.atomic():
        booking = _locked(booking)
        if booking.user_id != user.pk or booking.status != B.HELD:
            raise SlotRefused(_("只能释放自己尚未下单的暂留。"))
        return transition(booking, B.RELEASED, user=user, reason=reason or _("家属释放暂留"))


def attach(booking, order, user, *, now=None):
    """Placing the order turns the family's hold into a request the provider confirms."""
    with transaction.atomic():
        now = _now(now)
        booking = _locked(booking)
        if booking.user_id != user.pk or order.user_id != user.pk:
            raise SlotRefused(_("只能使用自己暂留的档期。"))
        if booking.resource.provider_id != order.provider_id:
            raise SlotRefused(_("所选档期不属于该服务机构。"))
        if order.status != OrderStatus.SUBMITTED:  # only while the order is placed
            raise SlotRefused(_("只能在提交订单时预约档期。"))
        if booking.status != B.HELD or booking.held_until <= now:
            raise SlotRefused(
                _("档期暂留已超过 %(minutes)s 分钟，已自动释放，请重新选择。")
                % {"minutes": settings.F11_HOLD_MINUTES},
                code="expired",
            )
        booking.order = order
        booking.held_until = None
        return transition(
            booking, B.REQUESTED, user=user, reason=order.reference, save_fields=("order", "held_until")
        )


def bookings_of(order):
    return Booking.objects.filter(order=order, status__in=ACTIVE_STATES).select_related("resource", "slot")


def shown_bookings(order):
    """The order's bookings as the family and the provider read them: a unit reserved for a
    priced move shows under the booking it would replace, not as a second booking."""
    return (
        bookings_of(order)
        .filter(reserved_for__isnull=True)
        .select_related("proposed_slot__resource", "move_change__order")
    )


def confirm_for(order, user):
    """The provider confirms the order: its requested slots become bookings."""
    with transaction.atomic():
        booked = []
        for booking in bookings_of(order).select_for_update(of=("self",)).filter(status=B.REQUESTED):
            booked.append(transition(booking, B.BOOKED, user=user, reason=order.reference))
        return booked


def release_for(order, user, *, reason):
    """A cancelled order gives its slots back."""
    with transaction.atomic():
        released = []
        for booking in bookings_of(order).select_for_update(of=("self",)):
            released.append(transition(booking, B.RELEASED, user=user, reason=reason))
        return released


def priced_move(booking, slot):
    """F9: ``(old item, new item, quantity)`` when moving ``booking`` to ``slot`` changes what the
    order's bill charges (the new resource does not serve the item billed for the old one), else
    None."""
    if booking.order_id is None:
        return None
    charged = current_item_quantities(booking.order)
    old = [
        item for item in booking.resource.items.order_by("sort_order", "pk") if charged.get(item.pk, 0) > 0
    ]
    if not old:
        return None
    old_item = old[0]
    served = slot.resource.items.filter(is_active=True).order_by("sort_order", "pk")
    if served.filter(pk=old_item.pk).exists():
        return None
    new_item = served.filter(category_id=old_item.category_id).first() or served.first()
    if new_item is None:
        raise SlotRefused(
            _("“%(resource)s”没有关联在售的服务项目，请先在资源设置中关联，再提议改约。")
            % {"resource": slot.resource.name}
        )
    return old_item, new_item, charged[old_item.pk]


def propose_move(booking, slot, user, *, note, now=None):
    """The provider proposes another slot of its own resources; nothing moves until the family
    agrees (F11). A slot of a resource billed at another price takes the new unit now and
    proposes the change order that moves the price (F9); signing it is the family's agreement."""
    with transaction.atomic():
        from ..services.changes import CHANGEABLE_STATUSES, propose_change

        now = _now(now)
        booking = _locked(booking)
        note = (note or "").strip()
        if not note:
            raise SlotRefused(_("请向家属说明改约原因。"))
        if booking.status not in (B.REQUESTED, B.BOOKED):
            raise SlotRefused(_("只有已提交或已预约的档期可以改约。"))
        if booking.proposed_slot_id is not None:
            raise SlotRefused(_("该档期已有一项待家属确认的改约。"))
        slot = Slot.objects.select_related("resource").get(pk=slot.pk)
        if (
            slot.resource.provider_id != booking.resource.provider_id
            or slot.resource.kind != booking.resource.kind
        ):
            raise SlotRefused(_("只能改约到本机构同类资源的档期。"))
        if slot.pk == booking.slot_id:
            raise SlotRefused(_("请选择与原档期不同的时段。"))
        if slot.starts_at < now + datetime.timedelta(minutes=settings.F11_MIN_LEAD_MINUTES):
            raise SlotRefused(_("不能改约到即将开始或已经过去的时段。"))
        price = priced_move(booking, slot)
        if price is not None:
            old_item, new_item, quantity = price
            if booking.order.status not in CHANGEABLE_STATUSES:
                raise SlotRefused(
                    _("改约到“%(resource)s”会改变价格（%(old)s → %(new)s），须在合同生效后以变更单办理。")
                    % {"resource": slot.resource.name, "old": old_item.name, "new": new_item.name}
                )
            reserved = _take_unit(slot, now, status=booking.status, user=booking.user, order=booking.order)
            if reserved is None:
                raise SlotRefused(_("该档期刚刚已被预约，请选择其他时段。"), code="taken")
            try:
                change = propose_change(
                    booking.order,
                    user,
                    additions={new_item.pk: quantity},
                    removals={old_item.pk: quantity},
                    reason=_("改约：%(old)s %(when)s 改为 %(new)s %(new_when)s。%(note)s")
                    % {
                        "old": booking.resource.name,
                        "when": timezone.localtime(booking.starts_at).strftime("%Y-%m-%d %H:%M"),
                        "new": slot.resource.name,
                        "new_when": timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M"),
                        "note": note,
                    },
                )
            except ValidationError as error:
                raise SlotRefused(error.messages) from error
            booking.reserved_move = reserved
            booking.move_change = change
        booking.proposed_slot = slot
        booking.proposal_note = note[:200]
        booking.save(update_fields=["proposed_slot", "proposal_note", "reserved_move", "move_change"])
        if booking.order_id and booking.move_change_id is None:  # a change order tells the family itself
            notifications.slot_move_proposed(booking)
        return booking


def decline_move(booking, user):
    with transaction.atomic():
        from ..services.changes import decline_change

        booking = _locked(booking)
        if booking.user_id != user.pk or booking.proposed_slot_id is None:
            raise SlotRefused(_("没有待您确认的改约。"))
        if booking.move_change_id is not None:
            decline_change(booking.move_change, user, reason=_("家属不同意改约"))  # releases the unit
            return Booking.objects.get(pk=booking.pk)
        booking.proposed_slot = None
        booking.proposal_note = ""
        booking.save(update_fields=["proposed_slot", "proposal_note"])
        return booking


def on_change_transition(sender, instance, target, user=None, **kwargs):
    """``core.statemachine.transitioned``: a priced move completes with the provider's
    countersignature of its change order, in the same transaction; a declined or withdrawn
    change gives the reserved unit back."""
    if sender is not ChangeOrder or target not in (
        ChangeStatus.SIGNED,
        ChangeStatus.DECLINED,
        ChangeStatus.WITHDRAWN,
    ):
        return
    for booking in Booking.objects.select_for_update().filter(
        move_change=instance, reserved_move__isnull=False
    ):
        reserved = booking.reserved_move
        if target == ChangeStatus.SIGNED:
            booking.moved_to = reserved
            booking.proposed_slot = None
            booking.reserved_move = None
            transition(
                booking,
                B.MOVED,
                user=user,
                reason=booking.proposal_note,
                save_fields=("moved_to", "proposed_slot", "reserved_move"),
            )
        else:
            booking.proposed_slot = None
            booking.proposal_note = ""
            booking.reserved_move = None
            booking.move_change = None
            booking.save(update_fields=["proposed_slot", "proposal_note", "reserved_move", "move_change"])
            transition(reserved, B.RELEASED, user=user, reason=_("改约变更单未生效"))


def accept_move(booking, user, *, now=None):
    """The family agrees: the new slot is taken in the same state (the database decides, as for a
    hold), and the old booking is marked moved, pointing to the new one."""
    now = _now(now)
    with transaction.atomic():
        booking = _locked(booking)
        if booking.user_id != user.pk or booking.proposed_slot_id is None or not booking.is_active:
            raise SlotRefused(_("没有待您确认的改约。"))
        if booking.move_change_id is not None:
            raise SlotRefused(
                _("这次改约会改变价格：请签署变更单 %(n)s，签署即同意改约。")
                % {"n": booking.move_change.display_number}
            )
        slot = Slot.objects.select_related("resource").get(pk=booking.proposed_slot_id)
        moved = _take_unit(slot, now, status=booking.status, user=booking.user, order=booking.order)
        if moved is not None:
            booking.moved_to = moved
            booking.proposed_slot = None
            transition(
                booking,
                B.MOVED,
                user=user,
                reason=booking.proposal_note,
                save_fields=("moved_to", "proposed_slot"),
            )
            return moved
    raise SlotRefused(_("机构提议的档期已被预约，请联系机构另选时段。"), code="taken")
