"""Placing an order: a family's saved quote becomes an order, and the provider confirms it.

Rules:
- F4: the order is priced at the posted prices in effect today, not the prices quoted; when a
  price changed since the quote the family must accept the new one (:class:`PricesChanged`).
- F7: free basic services for Beijing residents choosing sea or natural burial become discount
  lines citing the policy (``F7_FREE_BURIAL_CHOICES``, ``F7_POLICY_REFERENCE``).
- F9: the order keeps its itemised statement (stage ``order``) beside the quote's.

The deceased's identity number is kept only masked and as a keyed digest (``identity``).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.money import round_money
from core.statemachine import transition
from marketplace.catalogue.services import compute_statement

from .. import identity, notifications
from ..models import Order, OrderLine, OrderStatus
from ..slots import services as slots
from ..slots.models import ResourceKind
from ..statements import lines_from_statement, save_lines, totals
from .common import ACTION_SUBMITTED, actor, lock_order


class PricesChanged(ValidationError):
    """The quote's prices are no longer the prices in effect; the family must accept the new ones."""

    def __init__(self, changes):
        self.changes = changes
        super().__init__(
            _("报价后部分项目的公示价格已调整，请核对新价格并勾选确认后再提交。"), code="prices_changed"
        )


@dataclass
class PriceChange:
    name: str
    quoted: Decimal | None
    now: Decimal | None


def price_changes(quote, statement):
    quoted = {line.item_id: line for line in quote.lines.all()}
    now = {row.item.pk: row for row in statement.lines}
    return [
        PriceChange(
            now[item_id].item.name,
            round_money(quoted[item_id].unit_price),
            round_money(now[item_id].unit_price),
        )
        for item_id in quoted
        if item_id in now
        and (
            quoted[item_id].unit_price != now[item_id].unit_price
            or quoted[item_id].price_version_id != now[item_id].version_id
        )
    ]


def preview_from_quote(quote):
    """The statement at today's prices for a quote, and how it differs from the quote."""
    statement = compute_statement(
        quote.provider,
        {line.item_id: line.quantity for line in quote.lines.all()},
        burial_choice=quote.burial_choice,
        beijing_resident=quote.beijing_resident,
    )
    return statement, price_changes(quote, statement)


def open_order_for(quote):
    """The order a quote already became (a cancelled or refunded one does not count)."""
    return quote.orders.exclude(status__in=(OrderStatus.CANCELLED, OrderStatus.REFUNDED)).first()


def submit_order(user, quote, *, details, accept_price_changes=False, hold=None):
    """Turn a family's saved quote into an order at the prices in effect today (F4, F7, F9).

    ``details`` holds the deceased's details, the contact and the wanted date and time;
    ``details["deceased_id"]`` is the full identity number, kept only masked and as a digest.
    ``hold`` is the family's held slot (F11): the order requests it, and its start is the
    wanted date and time."""
    with transaction.atomic():
        if quote.user_id != user.pk:
            raise ValidationError(_("只能用自己的报价单下单。"))
        if not quote.provider.is_published:
            raise ValidationError(_("该机构目前不接受网上下单。"))
        existing = open_order_for(quote)
        if existing is not None:
            raise ValidationError(_("该报价单已提交为订单 %(ref)s。") % {"ref": existing.reference})
        statement, changes = preview_from_quote(quote)
        if not statement.lines:
            raise ValidationError(_("报价单中没有项目。"))
        if changes and not accept_price_changes:
            raise PricesChanged(changes)
        number = identity.validate_resident_id(details["deceased_id"])
        lines = lines_from_statement(statement)
        sums = totals(lines)
        if hold is not None:
            starts = timezone.localtime(hold.starts_at)
            details = {**details, "requested_date": starts.date(), "requested_time": starts.time()}
        order = Order.objects.create(
            user=user,
            provider=quote.provider,
            quote=quote,
            burial_choice=quote.burial_choice,
            beijing_resident=quote.beijing_resident,
            deceased_name=details["deceased_name"].strip(),
            deceased_gender=details["deceased_gender"],
            deceased_age=details["deceased_age"],
            date_of_death=details["date_of_death"],
            deceased_id_masked=identity.mask(number),
            deceased_id_hmac=identity.digest(number),
            contact_name=details["contact_name"].strip(),
            contact_relation=details["contact_relation"].strip(),
            contact_mobile=user.mobile,
            requested_date=details["requested_date"],
            requested_time=details["requested_time"],
            family_note=details.get("family_note", ""),
            subtotal=sums.subtotal,
            exempted=sums.exempted,
            total=sums.total,
        )
        save_lines(order, OrderLine.Stage.ORDER, lines)
        if hold is not None:
            slots.attach(hold, order, user)
        log(
            order,
            ACTION_SUBMITTED,
            user=actor(user),
            data={"quote": quote.reference, "total": str(sums.total)},
        )
        notifications.order_submitted(order)
        return order


def confirm_order(order, user, *, service_date, service_time, hall, note=""):
    """The provider confirms the service date, time and hall. A slot the family booked (F11)
    fixes them: the provider confirms that slot, or proposes a move the family agrees to."""
    with transaction.atomic():
        order = lock_order(order)
        requested = list(slots.bookings_of(order).filter(status=slots.B.REQUESTED).order_by("starts_at"))
        if requested:
            # The service time is the hall's slot when a hall is booked (a vehicle may come earlier).
            halls = [b for b in requested if b.resource.kind == ResourceKind.HALL]
            anchor = halls[0] if halls else requested[0]
            starts = timezone.localtime(anchor.starts_at)
            if (service_date, service_time.replace(second=0, microsecond=0)) != (
                starts.date(),
                starts.time(),
            ):
                raise ValidationError(
                    _("家属已预约 %(when)s 的档期；请按该时间确认，或先向家属提议改约。")
                    % {"when": starts.strftime("%Y-%m-%d %H:%M")}
                )
            hall = hall.strip() or (halls[0].resource.name if halls else "")
            slots.confirm_for(order, user)
        order.service_date = service_date
        order.service_time = service_time
        order.hall = hall.strip()
        order.provider_note = note
        order.confirmed_at = timezone.now()
        order.confirmed_by = user
        reason = _("服务时间 %(date)s %(time)s，礼厅：%(hall)s") % {
            "date": service_date.isoformat(),
            "time": service_time.strftime("%H:%M"),
            "hall": order.hall or "—",
        }
        return transition(
            order,
            OrderStatus.CONFIRMED,
            user=user,
            reason=reason,
            save_fields=(
                "service_date",
                "service_time",
                "hall",
                "provider_note",
                "confirmed_at",
                "confirmed_by",
            ),
        )
