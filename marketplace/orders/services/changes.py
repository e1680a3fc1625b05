"""Change orders: the only way the final bill can differ from the contract.

Rules:
- F9: after the contract is sealed and before the service is complete (the order statuses in
  ``CHANGEABLE_STATUSES``, a fact of the order state machine, not policy) the provider may propose one change order at a time,
  with a reason; it binds only once the family and the provider have both signed it
  (signing: ``signing.sign``). The family may decline it; the provider may withdraw it.
- F4: added items are posted, active items of this provider at the price in effect, and a
  price the page sent that is no longer posted is refused.
- F7: an added free basic service gets its discount line; a removed item that was exempted
  has its discount reversed, at the price it was billed at.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.money import round_money
from core.statemachine import transition

from .. import notifications, pdfs
from ..models import ChangeOrder, ChangeStatus, OrderLine, OrderStatus
from ..statements import (
    Line,
    bill_lines,
    check_expected_prices,
    f7_discount_line,
    lines_from_statement,
    save_lines,
    statement_for,
    totals,
)
from .common import ACTION_CHANGE_PROPOSED, lock_order


def removal_lines(order, removals):
    """Lines that take items off the bill at the price they were billed at (and reverse their F7 discount)."""
    current = bill_lines(order)
    result, errors = [], []
    for item_id, wanted in removals.items():
        held = [line for line in current if line.item_id == item_id and not line.is_discount]
        available = sum(line.quantity for line in held)
        if wanted > available:
            name = held[0].name if held else str(item_id)
            errors.append(_("“%(name)s”最多可减少 %(n)s。") % {"name": name, "n": available})
            continue
        # What each price version still holds: a signed removal has already taken its units
        # from the version it refunded, so the next removal must not take them again.
        net, billed = {}, {}
        for line in held:
            net[line.price_version_id] = net.get(line.price_version_id, 0) + line.quantity
            if line.quantity > 0:
                billed.setdefault(line.price_version_id, line)
        remaining = wanted
        for version_id in reversed(list(net)):
            if remaining <= 0 or net[version_id] <= 0:
                continue
            line = billed[version_id]
            take = min(net[version_id], remaining)
            remaining -= take
            removal = Line(
                OrderLine.Kind.ITEM,
                line.item,
                line.price_version_id,
                line.name,
                line.category_name,
                line.unit,
                -take,
                line.unit_price,
                round_money(-line.unit_price * take),
            )
            result.append(removal)
            discounted = any(
                d.is_discount and d.item_id == item_id and d.price_version_id == line.price_version_id
                for d in current
            )
            if discounted:
                result.append(f7_discount_line(removal))
    if errors:
        raise ValidationError(errors)
    return result


# F9: the order states in which the sealed contract can still change (countersigned, paid and
# not yet complete). Before countersigning the contract itself is reissued instead.
CHANGEABLE_STATUSES = (OrderStatus.COUNTERSIGNED, OrderStatus.PAID, OrderStatus.IN_SERVICE)


def can_propose_change(order):
    return (
        order.status in CHANGEABLE_STATUSES
        and not order.change_orders.filter(status__in=ChangeOrder.OPEN).exists()
    )


def propose_change(order, user, *, additions, removals, reason, expected_prices=None):
    """The provider proposes extra or removed items after signing (F9). Additions follow F4:
    only posted, active items of this provider at the price in effect."""
    with transaction.atomic():
        order = lock_order(order)
        if order.status not in CHANGEABLE_STATUSES:
            raise ValidationError(_("只有合同生效后、服务完成前才能提出变更。"))
        if order.change_orders.filter(status__in=ChangeOrder.OPEN).exists():
            raise ValidationError(_("已有一份待签署的变更单，请等待签署完毕或撤回后再提出。"))
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("请填写变更原因。")})
        additions = {int(k): int(v) for k, v in (additions or {}).items() if int(v) > 0}
        removals = {int(k): int(v) for k, v in (removals or {}).items() if int(v) > 0}
        if not additions and not removals:
            raise ValidationError(_("请至少增加或减少一个项目。"))
        lines = []
        if additions:
            statement = statement_for(order.provider, additions, order)
            check_expected_prices(statement, expected_prices)
            lines += lines_from_statement(statement)
        lines += removal_lines(order, removals)
        return _new_change(order, user, lines, reason)


def _new_change(order, user, lines, reason, bureau_decision=""):
    """Number, render, store and announce a change order of ``lines`` (``order`` is locked)."""
    delta = totals(lines).total
    number = (order.change_orders.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    change = ChangeOrder(
        order=order,
        number=number,
        reason=reason,
        delta=delta,
        bureau_decision=bureau_decision,
        proposed_by=user,
        proposed_at=timezone.now(),
    )
    pdf = pdfs.change_order_pdf(change, lines, signatures=[])
    change.draft_sha256 = pdfs.sha256(pdf)
    change.draft_file.save(f"{change.display_number}-draft.pdf", pdfs.content_file(pdf), save=False)
    change.save()
    save_lines(order, OrderLine.Stage.CHANGE, lines, change_order=change)
    log(
        order,
        ACTION_CHANGE_PROPOSED,
        user=user,
        data={"change": number, "delta": str(delta), "reason": reason, "decision": bureau_decision},
    )
    notifications.change_proposed(change)
    return change


def propose_bureau_change(order, user, *, lines, reason, decision):
    """A change the bureau decided (a 惠民殡葬 waiver, B1): discount lines only, so the bill can
    only go down. Like any change it binds once both sides sign it (F9); the provider cannot
    withdraw it and the family cannot decline it. Returns None while the order cannot take it
    yet (no sealed contract, the service complete, another change open): the caller tries again
    when that changes."""
    with transaction.atomic():
        order = lock_order(order)
        if not decision:
            raise ValidationError(_("请写明所执行的决定。"))
        if not lines or any(not line.is_discount or line.amount > 0 for line in lines):
            raise ValidationError(_("民政部门决定的变更只能减免费用。"))
        if not can_propose_change(order):
            return None
        return _new_change(order, user, lines, reason, bureau_decision=decision)


def _not_bureau_decision(change):
    if change.is_bureau_decision:
        raise ValidationError(
            _("变更单 %(n)s 执行民政部门的决定（%(decision)s），只能签署。")
            % {"n": change.display_number, "decision": change.bureau_decision}
        )


def decline_change(change, user, *, reason=""):
    with transaction.atomic():
        _not_bureau_decision(change)
        return transition(change, ChangeStatus.DECLINED, user=user, reason=reason or _("家属拒绝变更"))


def withdraw_change(change, user, *, reason=""):
    with transaction.atomic():
        _not_bureau_decision(change)
        return transition(change, ChangeStatus.WITHDRAWN, user=user, reason=reason or _("机构撤回变更"))
