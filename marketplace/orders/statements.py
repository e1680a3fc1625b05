"""Statement lines and totals: the itemised statement of an order at every stage.

Rules:
- F4: a line is a posted, active item of the provider at the price in effect
  (:func:`statement_for` recomputes through ``catalogue.services.compute_statement``;
  :func:`check_expected_prices` refuses a price the page sent that is no longer posted).
- F7: a free basic service for a Beijing resident choosing sea or natural burial is an item
  line followed by a discount line that cancels it and cites the policy
  (:func:`f7_discount_line`, built here once; settings ``F7_FREE_BURIAL_CHOICES`` and
  ``F7_POLICY_REFERENCE``; the free categories are ``ServiceCategory.f7_free``).
- F9: the same line form at quote (:func:`quote_lines`), order and contract
  (:func:`lines_from_statement`, :func:`lines_from_records`) and final bill
  (:func:`bill_lines`: the contract plus every change order both sides signed).
- F8: the deposit a contract sets (:func:`deposit_amount`, from ``Provider.deposit_percent``
  copied into the contract when it is issued).

Money is ``Decimal`` rounded half up to the fen (``core.money.round_money``). Nothing here
writes except :func:`save_lines`. It sits below both ``services`` and ``pdfs`` (it imports
neither), so the PDFs can use it without running the services package.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.money import ZERO, round_money
from marketplace.catalogue.services import compute_statement, statement_from_quote

from .models import ChangeStatus, OrderLine


@dataclass
class Line:
    """An unsaved line: an item at a price version, or a discount line citing a policy."""

    kind: str
    item: object
    price_version_id: int
    name: str
    category_name: str
    unit: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    policy_reference: str = ""

    @property
    def is_discount(self):
        return self.kind == OrderLine.Kind.DISCOUNT

    @property
    def item_id(self):
        return self.item.pk


def f7_discount_line(line, policy_reference=""):
    """F7: the discount line that cancels item ``line`` (same item, version and quantity, the
    price and amount negated), citing ``policy_reference`` or ``settings.F7_POLICY_REFERENCE``."""
    return Line(
        OrderLine.Kind.DISCOUNT,
        line.item,
        line.price_version_id,
        _("政策减免：%(item)s") % {"item": line.name},
        line.category_name,
        line.unit,
        line.quantity,
        -line.unit_price,
        -line.amount,
        policy_reference or settings.F7_POLICY_REFERENCE,
    )


def lines_from_statement(statement, *, policy_reference=""):
    """Item lines at the posted price; F7 exemptions as separate discount lines citing the policy."""
    lines = []
    for row in statement.lines:
        item = row.item
        unit_price = round_money(row.unit_price)
        line = Line(
            OrderLine.Kind.ITEM,
            item,
            row.version_id,
            item.name,
            item.category.name,
            item.unit,
            row.quantity,
            unit_price,
            round_money(unit_price * row.quantity),
        )
        lines.append(line)
        if row.f7_free:
            lines.append(f7_discount_line(line, policy_reference))
    return lines


def lines_from_records(records):
    """Saved ``OrderLine`` rows in the same line form."""
    return [
        Line(
            r.kind,
            r.item,
            r.price_version_id,
            r.name,
            r.category_name,
            r.unit,
            r.quantity,
            r.unit_price,
            r.amount,
            r.policy_reference,
        )
        for r in records
    ]


def quote_lines(quote):
    """F9: the saved quote in the same line form, at the prices as quoted (F7 exemptions as
    discount lines citing the policy the quote recorded)."""
    return lines_from_statement(statement_from_quote(quote), policy_reference=quote.policy_reference)


@dataclass
class Totals:
    subtotal: Decimal
    exempted: Decimal
    total: Decimal


def totals(lines):
    """Items, exemptions and what is payable, computed from the lines (never from a form)."""
    subtotal = round_money(sum((line.amount for line in lines if not line.is_discount), ZERO))
    exempted = round_money(-sum((line.amount for line in lines if line.is_discount), ZERO))
    return Totals(subtotal, exempted, round_money(subtotal - exempted))


def save_lines(order, stage, lines, change_order=None):
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            stage=stage,
            change_order=change_order,
            kind=line.kind,
            item=line.item,
            price_version_id=line.price_version_id,
            name=line.name,
            category_name=line.category_name,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            policy_reference=line.policy_reference,
            sort_order=index,
        )
        for index, line in enumerate(lines)
    )


def check_expected_prices(statement, expected):
    """F4: refuse when a price sent with the page is not the posted price in effect for that line
    (the forms already refuse prices for items that are not on the page)."""
    if not expected:
        return
    posted = {row.item.pk: round_money(row.unit_price) for row in statement.lines}
    wrong = [
        posted_item
        for item_id, price in expected.items()
        if (posted_item := posted.get(int(item_id))) is not None and round_money(price) != posted_item
    ]
    if wrong:
        raise ValidationError(
            _("提交的价格与公示价格不一致（F4：只能按公示价格收费），请刷新页面按现行公示价格重新提交。"),
            code="f4_price",
        )


def deposit_amount(contract, total=None):
    """F8: the deposit the contract sets: its deposit percentage of ``total`` (the contract total
    when not given), rounded half up to the fen."""
    total = contract.total if total is None else total
    return round_money(total * Decimal(contract.deposit_percent) / Decimal(100))


def statement_for(provider, quantities, order_like, day=None):
    """F4: recompute lines from item quantities at the price in effect (raises ValidationError)."""
    return compute_statement(
        provider,
        quantities,
        burial_choice=order_like.burial_choice,
        beijing_resident=order_like.beijing_resident,
        day=day,
    )


def order_quantities(order, stage=OrderLine.Stage.ORDER):
    """The item quantities of ``order`` at ``stage`` (discount lines follow from F7 again)."""
    return {
        line.item_id: line.quantity
        for line in order.lines.all()
        if line.stage == stage and line.kind == OrderLine.Kind.ITEM
    }


def current_item_quantities(order):
    """Item id → the quantity the order charges now: the bill once a contract exists, else the
    order's own lines (discount lines don't count)."""
    records = order.lines.filter(kind=OrderLine.Kind.ITEM)
    if order.lines.filter(stage=OrderLine.Stage.CONTRACT).exists():
        records = records.filter(stage=OrderLine.Stage.CONTRACT) | records.filter(
            stage=OrderLine.Stage.CHANGE, change_order__status=ChangeStatus.SIGNED
        )
    else:
        records = records.filter(stage=OrderLine.Stage.ORDER)
    quantities = {}
    for item_id, quantity in records.values_list("item_id", "quantity"):
        quantities[item_id] = quantities.get(item_id, 0) + quantity
    return quantities


def bill_lines(order):
    """The final bill: the contract lines plus the lines of every signed change order (F9)."""
    records = order.lines.filter(stage=OrderLine.Stage.CONTRACT) | order.lines.filter(
        stage=OrderLine.Stage.CHANGE, change_order__status=ChangeStatus.SIGNED
    )
    return lines_from_records(
        records.select_related("item").order_by("stage", "change_order__number", "sort_order", "id")
    )
