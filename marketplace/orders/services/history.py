"""What an order has been through: its ledger of payments and refunds, its audit history in
words, and the quote → contract → final bill comparison.

Rules:
- F9: the comparison puts the itemised statement at quote, contract and final bill side by
  side, line by line (items and their F7 discount lines), so every difference shows.
- F8: the ledger records what was paid and refunded against the current bill. The payments
  integration (``paying``) calls :func:`mark_paid` and :func:`mark_refunded`, idempotent by
  the payment's or refund's reference; a countersigned order moves to ``paid`` once covered,
  and a cancelled one to ``refunded`` once everything paid came back.
- Audit: every step is in Wagtail's log; :func:`history` describes it (who, when, from which
  status to which, and why).
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.money import ZERO, round_money
from core.statemachine import TRANSITION_ACTION, transition

from ..models import ChangeStatus, OrderLine, OrderPayment, OrderStatus, Signature
from ..statements import Totals, lines_from_records, quote_lines, totals
from .common import (
    ACTION_CERTIFICATE,
    ACTION_CHANGE_PROPOSED,
    ACTION_PAYMENT,
    ACTION_SEALED,
    ACTION_SIGNED,
    ACTION_SUBMITTED,
    actor,
    lock_order,
)

# --- The ledger (called by the payments integration) ---------------------------------------------


def paid_total(order):
    sums = {row["kind"]: row["s"] for row in order.payments.values("kind").annotate(s=Sum("amount"))}
    return round_money(sums.get(OrderPayment.Kind.CHARGE, ZERO) - sums.get(OrderPayment.Kind.REFUND, ZERO))


def balance_due(order):
    """What the family still owes on the current bill (negative when the platform owes a refund)."""
    return round_money(order.total - paid_total(order))


def mark_paid(order, *, amount, reference, user=None):
    """Record a successful payment for ``order``; idempotent by ``reference`` (the payment's id).

    The payments integration calls this from ``payments.signals.payment_succeeded`` with the
    intent's amount and public id. A countersigned order moves to ``paid`` once the payments
    cover the bill; later payments (for signed change orders) are recorded against the balance.
    Returns the order."""
    with transaction.atomic():
        amount = round_money(amount)
        if amount <= ZERO:
            raise ValidationError(_("支付金额必须大于零。"))
        order = lock_order(order)
        existing = OrderPayment.objects.filter(reference=reference).first()
        if existing is not None:
            if (
                existing.order_id != order.pk
                or existing.amount != amount
                or existing.kind != OrderPayment.Kind.CHARGE
            ):
                raise ValidationError(_("支付流水号已用于另一笔记录。"))
            return order
        OrderPayment.objects.create(
            order=order, kind=OrderPayment.Kind.CHARGE, amount=amount, reference=reference
        )
        log_payment(order, user, kind="charge", amount=amount, reference=reference)
        if order.status == OrderStatus.COUNTERSIGNED and balance_due(order) <= ZERO:
            transition(
                order,
                OrderStatus.PAID,
                user=user,
                reason=_("已收到付款 ¥%(amount)s（%(ref)s）") % {"amount": amount, "ref": reference},
            )
        return order


def mark_refunded(order, *, amount, reference, user=None, note=""):
    """Record a refund (from ``payments.signals.refund_succeeded``) with its reason (``note``); a
    cancelled order whose payments are fully refunded moves to ``refunded``. Idempotent by
    ``reference``."""
    with transaction.atomic():
        amount = round_money(amount)
        if amount <= ZERO:
            raise ValidationError(_("退款金额必须大于零。"))
        order = lock_order(order)
        if OrderPayment.objects.filter(reference=reference).exists():
            return order
        OrderPayment.objects.create(
            order=order, kind=OrderPayment.Kind.REFUND, amount=amount, reference=reference, note=note[:300]
        )
        log_payment(order, user, kind="refund", amount=amount, reference=reference)
        if order.status == OrderStatus.CANCELLED and paid_total(order) <= ZERO:
            transition(
                order,
                OrderStatus.REFUNDED,
                user=user,
                reason=_("已退款 ¥%(amount)s（%(ref)s）") % {"amount": amount, "ref": reference},
            )
        return order


def log_payment(order, user, *, kind, amount, reference):
    log(
        order,
        ACTION_PAYMENT,
        user=actor(user),
        data={"kind": kind, "amount": str(amount), "reference": reference},
    )


# --- The quote → contract → final bill comparison (F9) -------------------------------------------


@dataclass
class Cell:
    quantity: int = 0
    amount: Decimal = ZERO
    unit_prices: list = field(default_factory=list)

    def add(self, line):
        self.quantity += line.quantity
        self.amount = round_money(self.amount + line.amount)
        if line.unit_price not in self.unit_prices and line.quantity > 0:
            self.unit_prices.append(line.unit_price)

    @property
    def present(self):
        return self.quantity != 0 or self.amount != ZERO


@dataclass
class ComparisonRow:
    name: str
    unit: str
    is_discount: bool
    policy_reference: str
    quote: Cell
    contract: Cell
    final: Cell

    @property
    def contract_differs(self):
        return (self.quote.quantity, self.quote.amount) != (self.contract.quantity, self.contract.amount)

    @property
    def final_differs(self):
        return (self.contract.quantity, self.contract.amount) != (self.final.quantity, self.final.amount)


@dataclass
class Comparison:
    rows: list
    quote: Totals
    contract: Totals
    final: Totals | None
    has_contract: bool = False


def comparison(order):
    """F9: quote → contract → final bill, line by line (items and their discount lines)."""
    columns = {"quote": quote_lines(order.quote)}
    records = list(order.lines.all().select_related("change_order"))
    contract = [r for r in records if r.stage == OrderLine.Stage.CONTRACT]
    if not contract:
        contract = [r for r in records if r.stage == OrderLine.Stage.ORDER]
    columns["contract"] = lines_from_records(contract)
    signed = [
        r
        for r in records
        if r.stage == OrderLine.Stage.CHANGE and r.change_order.status == ChangeStatus.SIGNED
    ]
    columns["final"] = columns["contract"] + lines_from_records(signed)
    rows = OrderedDict()
    for column, lines in columns.items():
        for line in lines:
            key = (line.item_id, line.kind)
            if key not in rows:
                rows[key] = ComparisonRow(
                    line.name, line.unit, line.is_discount, line.policy_reference, Cell(), Cell(), Cell()
                )
            getattr(rows[key], column).add(line)
    ordered = sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1] == OrderLine.Kind.DISCOUNT))
    has_contract = any(r.stage == OrderLine.Stage.CONTRACT for r in records)
    return Comparison(
        rows=[row for _key, row in ordered],
        quote=totals(columns["quote"]),
        contract=totals(columns["contract"]),
        final=totals(columns["final"]) if has_contract else None,
        has_contract=has_contract,
    )


# --- The audit history in words ------------------------------------------------------------------


@dataclass
class HistoryEntry:
    timestamp: object
    user: object
    text: str
    # The reason recorded with a status change, as written at the time (in Chinese): shown as
    # recorded, marked with its own language on pages in other languages.
    reason: str = ""


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def describe(entry):
    """The audit entry in words: who did what, from which status to which, and why."""
    data = entry.data or {}
    if entry.action == TRANSITION_ACTION:
        text = _("状态：%(from)s → %(to)s") % {
            "from": _label(OrderStatus, data.get("from")),
            "to": _label(OrderStatus, data.get("to")),
        }
        return text
    if entry.action == ACTION_SUBMITTED:
        return _("家属提交订单（报价单 %(quote)s，应付 ¥%(total)s）") % data
    if entry.action == ACTION_SIGNED:
        return _("%(role)s签署%(document)s（文本 SHA-256 %(sha)s…）") % {
            "role": _label(Signature.Role, data.get("role")),
            "document": data.get("document", ""),
            "sha": (data.get("sha256") or "")[:16],
        }
    if entry.action == ACTION_SEALED:
        return _("平台加盖电子印章，核验码 %(code)s") % {"code": data.get("code", "")}
    if entry.action == ACTION_CHANGE_PROPOSED:
        return _("机构提出变更单 %(n)s（金额变化 ¥%(delta)s）：%(reason)s") % {
            "n": data.get("change"),
            "delta": data.get("delta"),
            "reason": data.get("reason", ""),
        }
    if entry.action == ACTION_PAYMENT:
        template = (
            _("收到付款 ¥%(amount)s（%(reference)s）")
            if data.get("kind") == "charge"
            else _("退款 ¥%(amount)s（%(reference)s）")
        )
        return template % {"amount": data.get("amount"), "reference": data.get("reference")}
    if entry.action == ACTION_CERTIFICATE:
        return _("出具电子证明 %(number)s，核验码 %(code)s") % {
            "number": data.get("number"),
            "code": data.get("code"),
        }
    return entry.action


def history(order):
    from wagtail.models import ModelLogEntry

    entries = (
        ModelLogEntry.objects.filter(
            content_type__app_label="orders", content_type__model="order", object_id=str(order.pk)
        )
        .select_related("user")
        .order_by("timestamp", "id")
    )
    return [
        HistoryEntry(
            entry.timestamp,
            entry.user,
            describe(entry),
            (entry.data or {}).get("reason", "") if entry.action == TRANSITION_ACTION else "",
        )
        for entry in entries
    ]
