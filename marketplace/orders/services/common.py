"""What every orders use case shares: the audit action names, the acting user and the order
row lock. No rule of its own; it imports nothing from the other services modules."""

from ..models import Order

ACTION_SUBMITTED = "orders.submitted"
ACTION_SIGNED = "orders.signed"
ACTION_SEALED = "orders.sealed"
ACTION_CHANGE_PROPOSED = "orders.change_proposed"
ACTION_PAYMENT = "orders.payment"
ACTION_CERTIFICATE = "orders.certificate"


def actor(user):
    """The user to write into the audit log: ``None`` for no one or an anonymous user."""
    return user if user is not None and user.is_authenticated else None


def lock_order(order):
    """The order row, re-read under ``SELECT … FOR UPDATE`` (call inside a transaction)."""
    return Order.objects.select_for_update().get(pk=order.pk)
