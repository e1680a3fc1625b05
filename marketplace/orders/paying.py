"""Orders and the payments app (issue 5, section 7): paying for an order, refunds on
cancellation (F8) and the payment receipt.

The payments app knows nothing about orders: the family's "pay" button creates a
``PaymentIntent`` whose payable is the order, and this module reacts to the
payments signals. An order is marked paid only from ``payment_succeeded``, which
the payments app sends after a verified notification or its own query of the
gateway — never from the browser coming back to the return URL.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import pdf as platform_pdf
from core.models import VerifiableDocument
from core.money import ZERO, round_money
from core.verification import documents_for, issue_document
from payments import services as payment_services

from .models import Contract, Order, OrderPayment, OrderStatus
from .services.cancellation import cancel_order
from .services.history import balance_due, mark_paid, mark_refunded, paid_total
from .statements import deposit_amount
from .terms import cancellation_clause, schedule_in_force

PAYABLE_STATUSES = {OrderStatus.COUNTERSIGNED, OrderStatus.PAID, OrderStatus.IN_SERVICE}


def can_pay(order):
    return order.status in PAYABLE_STATUSES and balance_due(order) > 0


def _contract(order):
    return Contract.objects.filter(order=order).first()


def deposit_due(order):
    """F8: the deposit the contract sets, when nothing has been paid on it yet; else None."""
    contract = _contract(order)
    if (
        order.status != OrderStatus.COUNTERSIGNED
        or contract is None
        or not contract.deposit_percent
        or paid_total(order) > 0
    ):
        return None
    return min(deposit_amount(contract), balance_due(order))


def amount_to_pay(order):
    """What the next payment is: the contract's deposit first (if it sets one), then the balance."""
    if not can_pay(order):
        return ZERO
    deposit = deposit_due(order)
    return deposit if deposit is not None else balance_due(order)


def start_payment(order, user, *, return_url):
    """The intent for what the family owes now. Pressing "pay" twice for the same balance
    gives the same intent (the idempotency key names the order, its payments so far and
    the amount), so a double click can't charge twice."""
    if not can_pay(order):
        raise ValidationError(_("该订单当前没有待支付的金额。"))
    due = amount_to_pay(order)
    part = _("定金") if deposit_due(order) is not None else _("款项")
    paid_count = order.payments.filter(kind=OrderPayment.Kind.CHARGE).count()
    return payment_services.create_intent(
        due,
        _("殡葬服务合同 %(ref)s %(part)s · %(provider)s")
        % {"ref": order.reference, "part": part, "provider": order.provider.name},
        f"order:{order.reference}:charge:{paid_count}:{due}",
        payable=order,
        user=user,
        return_url=return_url,
        metadata={"order": order.reference},
    )


def _order_for(intent):
    return intent.payable if isinstance(intent.payable, Order) else None


def on_payment_succeeded(sender, intent, transaction, **kwargs):
    order = _order_for(intent)
    if order is not None:
        mark_paid(order, amount=transaction.amount, reference=intent.public_id)


def on_refund_succeeded(sender, refund, intent, transaction, **kwargs):
    order = _order_for(intent)
    if order is not None:
        mark_refunded(order, amount=transaction.amount, reference=refund.public_id, note=refund.reason)


def payment_refusal(order):
    """Registered with ``payments.payables``: why ``order`` takes no more money ("" if it does).
    A cancelled order takes none; money that still arrives for it is refunded in full."""
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        return _("订单 %(ref)s 已取消（%(reason)s）") % {
            "ref": order.reference,
            "reason": order.cancel_reason or "—",
        }
    return ""


# --- F8: refunds on cancellation ---------------------------------------------------------------


def refund_ratio(order, today=None):
    """The share of what was paid that comes back when ``order`` is cancelled today: the schedule
    written into its contract when it was issued (days before the service date → share), or
    the bureau's current ``F8_CANCELLATION_REFUND_SCHEDULE`` for an order without a contract."""
    today = today or timezone.localdate()
    service_day = order.service_date or order.requested_date
    days_before = (service_day - today).days if service_day else None
    for min_days, ratio in schedule_in_force(_contract(order)):
        if days_before is None or days_before >= min_days:
            return Decimal(ratio)
    return Decimal("0")


def cancellation_intro(order, today=None):
    """The cancel page's first words: the clause in force and what cancelling now gives back."""
    text = _("取消条款：%(terms)s") % {"terms": cancellation_clause(schedule_in_force(_contract(order)))}
    paid = paid_total(order)
    if paid > 0:
        text += " " + _("现在取消，将退还已付款项中的 ¥%(amount)s。") % {
            "amount": f"{refund_due_on_cancel(order, today):,.2f}"
        }
    return text


def refund_due_on_cancel(order, today=None):
    return round_money(paid_total(order) * refund_ratio(order, today))


def refund_cancelled_order(order, user=None, today=None):
    """Refund a cancelled order's payments as the cancellation terms say; the server computes
    the amount and spreads it over the order's succeeded intents, newest first."""
    if order.status != OrderStatus.CANCELLED:
        raise ValidationError(_("只有已取消的订单才能退款。"))
    remaining = refund_due_on_cancel(order, today)
    reason = _("按合同取消条款退款（订单 %(ref)s）") % {"ref": order.reference}
    refunds = []
    for intent in payment_services.intents_for(order):
        if remaining <= 0:
            break
        amount = min(payment_services.refundable_amount(intent), remaining)
        if amount > 0:
            refunds.append(payment_services.create_refund(intent, amount, reason, user=user))
            remaining -= amount
    return refunds


# --- The payment receipt -----------------------------------------------------------------------


def receipt_for(payment, base_url=""):
    """The sealed receipt of one charge, made the first time it is asked for."""
    existing = documents_for(payment).filter(kind=VerifiableDocument.Kind.PAYMENT_RECEIPT).first()
    if existing is not None:
        return existing
    order = payment.order
    return issue_document(
        source=payment,
        kind=VerifiableDocument.Kind.PAYMENT_RECEIPT,
        title=_("支付凭证 %(ref)s") % {"ref": payment.reference},
        issuer_name=order.provider.name,
        holder_name=order.contact_name,
        render=lambda code, url: render_receipt(payment, code, url),
        reason=_("支付凭证"),
        base_url=base_url or settings.WAGTAILADMIN_BASE_URL,
    )


def render_receipt(payment, code, url):
    order = payment.order
    return platform_pdf.receipt(
        title="殡葬服务支付凭证",
        document_title=f"支付凭证 {payment.reference}",
        rows=[
            ("收款单位", order.provider.name),
            ("付款人", order.contact_name),
            ("订单号", order.reference),
            ("支付流水号", payment.reference),
            ("支付金额", f"¥{payment.amount:,.2f}"),
            ("支付时间", timezone.localtime(payment.recorded_at).strftime("%Y-%m-%d %H:%M")),
            ("合同总额", f"¥{order.total:,.2f}"),
            ("累计已付", f"¥{paid_total(order):,.2f}"),
        ],
        code=code,
        url=url,
    )


def order_url(order, request=None):
    path = reverse("orders:detail", kwargs={"reference": order.reference})
    return request.build_absolute_uri(path) if request is not None else path


def cancel_and_refund(order, user, *, reason):
    """Cancel ``order`` and, if money was taken, start the refund the cancellation terms give.

    Every open payment intent of the order is closed first, at the gateway: a family still
    in the cashier can no longer pay, and a payment that got through meanwhile is refunded
    in full. An intent the gateway can't close now stays refused (``reconcile_payments``
    closes it later; money reaching it is refunded).

    Returns ``(order, refund_error)``. A gateway failure doesn't undo the cancellation: the
    error is returned for the page to show, and the bureau can refund from the admin."""
    order = cancel_order(order, user, reason=reason)
    with translation.override(settings.LANGUAGE_CODE):
        refusal = payment_refusal(order)
    payment_services.close_open_intents(order, reason=refusal, user=user)
    order.refresh_from_db()
    if paid_total(order) <= 0:
        return order, None
    try:
        refund_cancelled_order(order, user)
    except payment_services.PaymentError as exc:
        return order, str(exc)
    return order, None
