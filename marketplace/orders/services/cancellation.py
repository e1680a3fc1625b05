"""Cancelling an order, by the family or the provider.

Rules:
- F8: the cancellation terms posted before purchase apply. Refunds follow the schedule written
  into the contract (``paying.refund_cancelled_order``; setting
  ``F8_CANCELLATION_REFUND_SCHEDULE`` for an order without a contract).
- F9 / M2: unsigned documents (an issued contract, open change orders) become void or
  withdrawn; a sealed contract or change order stays on record and is shown as revoked on the
  public verification page.

A reason is required and kept with the order (at most 300 characters).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.statemachine import transition
from core.verification import revoke

from ..models import ChangeOrder, ChangeStatus, Contract, ContractStatus, OrderStatus
from ..slots import services as slots
from .common import lock_order


def cancel_order(order, user, *, reason):
    """Cancel by the family or the provider (F8 cancellation terms apply); unsigned documents are void,
    a sealed contract is marked revoked on the verification page."""
    with transaction.atomic():
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("请填写取消原因。")})
        order = lock_order(order)
        order.cancel_reason = reason[:300]
        transition(order, OrderStatus.CANCELLED, user=user, reason=reason, save_fields=("cancel_reason",))
        slots.release_for(order, user, reason=reason)  # F11: the family's slots go back
        contract = Contract.objects.filter(order=order).first()
        if contract is not None:
            if contract.status in (ContractStatus.ISSUED, ContractStatus.FAMILY_SIGNED):
                transition(contract, ContractStatus.VOID, user=user, reason=reason)
            elif contract.sealed_document_id:
                revoke(contract.sealed_document, _("订单已取消：%(reason)s") % {"reason": reason})
        for change in order.change_orders.filter(status__in=ChangeOrder.OPEN):
            transition(change, ChangeStatus.WITHDRAWN, user=user, reason=reason)
        for change in order.change_orders.filter(sealed_document__isnull=False).select_related(
            "sealed_document"
        ):
            revoke(change.sealed_document, _("订单已取消：%(reason)s") % {"reason": reason})
        return order
