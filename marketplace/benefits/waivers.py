"""B1: an approved waiver reaches the family exactly once.

| the order when the waiver is approved | what happens |
|---|---|
| placed, contract not yet in effect | the waiver waits; when the contract takes effect (countersigned), a change order carries it |
| contract in effect, service not complete (F9's ``CHANGEABLE_STATUSES``) | a change order of discount lines, proposed in the bureau's name (``bureau_decision``); it binds when both sides sign it, as every change does (F9), and neither side can withdraw or decline it |
| another change order open | the waiver waits until that one is signed, declined or withdrawn |
| service complete | no change can be made any more (F9): the waived amount becomes a payment instruction, as a cash subsidy does |

Once the change order is signed, the bill is lower. If the family had already paid more than
the new bill, the difference, up to the waived amount, is refunded through the payments app
(:func:`settle_refund`), newest payment first, and each refund is tied to the application
(``WaiverRefund``), so running it again refunds nothing more.

"Exactly once" is held by the database and the row locks: an application has at most one
waiver change order (a one-to-one field) or one payment instruction (a unique number), and both
are written under the application's ``SELECT … FOR UPDATE``. A refund is settled under a lock
in the shared cache instead (:func:`settle_refund`), so that no transaction is open while the
gateway is asked.
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from core.money import ZERO, round_money
from marketplace.catalogue.models import ServiceCategory
from marketplace.orders.models import ChangeOrder, ChangeStatus, Order, OrderLine, OrderStatus
from marketplace.orders.services.changes import CHANGEABLE_STATUSES, propose_bureau_change
from marketplace.orders.services.history import paid_total
from marketplace.orders.statements import Line, bill_lines, lines_from_records
from payments import services as payment_services
from payments.models import Refund
from payments.services import PaymentError

from .models import ApplicationStatus, BenefitApplication, SchemeKind, WaiverRefund
from .payouts import instruct_payment

logger = logging.getLogger(__name__)

# An order a waiver can still reach (a cancelled order bills nothing).
WAIVABLE_ORDER_STATUSES = tuple(
    s for s in OrderStatus.values if s not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
)


def current_lines(order):
    """The order's bill as it stands: the contract and its signed changes, or the order's own
    lines before a contract is issued."""
    lines = bill_lines(order)
    if lines:
        return lines
    return lines_from_records(order.lines.filter(stage=OrderLine.Stage.ORDER).select_related("item"))


def waiver_lines(order, category_ids, *, policy_reference):
    """The discount lines that cancel every service of ``category_ids`` (or their subcategories)
    still charged on the bill: what the items net to, less what discounts (F7, an earlier
    waiver) already cancel, at the price each was billed at."""
    if not category_ids:
        return []
    categories = set(
        ServiceCategory.objects.filter(Q(pk__in=category_ids) | Q(parent_id__in=category_ids)).values_list(
            "pk", flat=True
        )
    )
    charged, cancelled, first = defaultdict(int), defaultdict(int), {}
    for line in current_lines(order):
        if line.item.category_id not in categories:
            continue
        key = (line.item_id, line.price_version_id)
        if line.is_discount:
            cancelled[key] += line.quantity
        else:
            charged[key] += line.quantity
            if line.quantity > 0:
                first.setdefault(key, line)
    result = []
    for key, line in first.items():
        quantity = charged[key] - cancelled[key]
        if quantity <= 0:
            continue
        result.append(
            Line(
                OrderLine.Kind.DISCOUNT,
                line.item,
                line.price_version_id,
                _("惠民殡葬减免：%(item)s") % {"item": line.name},
                line.category_name,
                line.unit,
                quantity,
                -line.unit_price,
                round_money(-line.unit_price * quantity),
                policy_reference[:60],
            )
        )
    return result


def waived_amount(lines):
    return round_money(-sum((line.amount for line in lines), ZERO))


def _locked(application):
    return BenefitApplication.objects.select_for_update().get(pk=application.pk)


def _applies(application):
    return (
        application.status == ApplicationStatus.APPROVED
        and application.criteria.get("kind") == SchemeKind.WAIVER
        and application.order_id is not None
        and application.waiver_change_id is None
        and not application.instruction_number
    )


def apply_waiver(application, *, user=None):
    """Carry an approved waiver onto its order, once (see the table above). Returns the change
    order, or None when the waiver waits or has already been carried."""
    with transaction.atomic():
        application = _locked(application)
        if not _applies(application):
            return None
        order = Order.objects.select_for_update().get(pk=application.order_id)
        with translation.override(settings.LANGUAGE_CODE):  # the change order is a contract document
            lines = waiver_lines(
                order, application.criteria["waived_categories"], policy_reference=application.number
            )
            if order.status == OrderStatus.COMPLETED:
                if lines:
                    instruct_payment(application, waived_amount(lines), user=user)
                return None
            if order.status not in CHANGEABLE_STATUSES or not lines:
                return None
            change = propose_bureau_change(
                order,
                user or application.decided_by,
                lines=lines,
                reason=_("执行惠民殡葬审核决定 %(number)s（%(scheme)s）")
                % {"number": application.number, "scheme": application.scheme.name},
                decision=application.number,
            )
        if change is None:
            return None
        application.waiver_change = change
        application.amount = waived_amount(lines)
        application.save(update_fields=["waiver_change", "amount"])
        return change


def apply_pending_waivers(order_id):
    """Every approved waiver of the order still waiting (the contract took effect, or another
    change order closed). Returns how many were carried now."""
    pending = BenefitApplication.objects.filter(
        order_id=order_id,
        status=ApplicationStatus.APPROVED,
        waiver_change__isnull=True,
        instruction_number="",
        criteria__kind=SchemeKind.WAIVER,
    )
    carried = 0
    for application in pending:
        try:
            carried += apply_waiver(application) is not None
        except Exception:  # the order's own step has committed; the daily run tries again
            logger.exception(
                "the waiver of %s could not be carried onto order %s", application.number, order_id
            )
    return carried


def refunded_for(application):
    """What the waiver has refunded or is refunding now (failed refunds don't count)."""
    total = Refund.objects.filter(
        benefit_refund__application=application, status__in=(Refund.Status.PENDING, Refund.Status.SUCCEEDED)
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def refund_due(application):
    """What the waiver still owes the family in money: the part of the waived amount the family
    had already paid beyond the new bill, less what was refunded for it."""
    change = application.waiver_change
    if change is None or change.status != ChangeStatus.SIGNED:
        return ZERO
    order = change.order
    pending_elsewhere = (
        Refund.objects.filter(
            intent__in=payment_services.intents_for(order), status=Refund.Status.PENDING
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    overpaid = paid_total(order) - pending_elsewhere - order.total
    return round_money(max(ZERO, min(application.amount - refunded_for(application), overpaid)))


def refund_lock_key(application):
    """The shared cache's key that one settling of ``application``'s refund holds."""
    return f"benefits:waiver-refund:{application.pk}"


def settle_refund(application, *, user=None):
    """Refund what :func:`refund_due` says, once. Returns the refunds made now.

    One settling at a time per application, held by a lock in the shared cache (Redis or the
    database's cache table in production: every node sees it), not by a transaction: the
    gateway is asked while no transaction is open, so a slow gateway holds no row or database
    lock (on SQLite, the one write lock that the gateway's own notification would need). A
    second caller while one settles refunds nothing; what is left is refunded by the next call
    (the daily run). Each refund is recorded (pending) before the gateway is asked, so the next
    :func:`refund_due` already deducts it."""
    lock = refund_lock_key(application)
    if not cache.add(lock, True, settings.B1_REFUND_LOCK_SECONDS):
        logger.info("the waiver refund of %s is being settled elsewhere", application.number)
        return []
    try:
        return _settle_refund(BenefitApplication.objects.get(pk=application.pk), user)
    finally:
        cache.delete(lock)


def _settle_refund(application, user):
    made = []
    remaining = refund_due(application)
    if remaining <= ZERO:
        return made
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("惠民殡葬减免退款（决定 %(number)s）") % {"number": application.number}
    for intent in sorted(
        payment_services.intents_for(application.order), key=lambda i: i.created_at, reverse=True
    ):
        if remaining <= ZERO:
            break
        amount = min(payment_services.refundable_amount(intent), remaining)
        if amount <= ZERO:
            continue
        try:
            refund = payment_services.create_refund(intent, amount, reason, user=user)
        except PaymentError:
            logger.warning("the waiver refund of %s failed; the daily run tries again", application.number)
            failed = Refund.objects.filter(intent=intent, reason=reason[:256]).order_by("-created_at").first()
            if failed is not None and not WaiverRefund.objects.filter(refund=failed).exists():
                WaiverRefund.objects.create(application=application, refund=failed)
            break
        WaiverRefund.objects.create(application=application, refund=refund)
        made.append(refund)
        remaining -= amount
    return made


def on_change_signed(change_id):
    application = BenefitApplication.objects.filter(waiver_change_id=change_id).first()
    if application is None:
        return
    try:
        settle_refund(application)
    except Exception:
        logger.exception("the waiver refund of %s could not be made", application.number)


def on_transition(sender, instance, target, **kwargs):
    """``core.statemachine.transitioned``: the moments a waiting waiver can go on."""
    if sender is Order and target == OrderStatus.COUNTERSIGNED:
        order_id = instance.pk
        transaction.on_commit(lambda: apply_pending_waivers(order_id))
    elif sender is ChangeOrder and target in (
        ChangeStatus.SIGNED,
        ChangeStatus.DECLINED,
        ChangeStatus.WITHDRAWN,
    ):
        change_id, order_id = instance.pk, instance.order_id
        if target == ChangeStatus.SIGNED:
            transaction.on_commit(lambda: on_change_signed(change_id))
        transaction.on_commit(lambda: apply_pending_waivers(order_id))


def retry_all():
    """The daily run: carry every waiting waiver and settle every refund still due. Returns the
    number of waivers carried and of refunds made."""
    approved = BenefitApplication.objects.filter(
        status=ApplicationStatus.APPROVED, criteria__kind=SchemeKind.WAIVER
    )
    waiting = approved.filter(waiver_change__isnull=True, instruction_number="", order__isnull=False)
    carried = sum(
        apply_pending_waivers(order_id) for order_id in waiting.values_list("order_id", flat=True).distinct()
    )
    refunds = 0
    for application in approved.filter(waiver_change__status=ChangeStatus.SIGNED).select_related(
        "waiver_change__order"
    ):
        if refund_due(application) > ZERO:
            refunds += len(settle_refund(application))
    return carried, refunds
