from django import template

from ..models import OrderStatus

register = template.Library()

MAIN_PATH = [
    OrderStatus.SUBMITTED,
    OrderStatus.CONFIRMED,
    OrderStatus.CONTRACT_ISSUED,
    OrderStatus.FAMILY_SIGNED,
    OrderStatus.COUNTERSIGNED,
    OrderStatus.PAID,
    OrderStatus.IN_SERVICE,
    OrderStatus.COMPLETED,
]


@register.simple_tag
def order_steps(order):
    """The main path of the lifecycle, with the steps done and the current one."""
    if order.status not in MAIN_PATH:
        return [{"label": OrderStatus(order.status).label, "done": False, "current": True}]
    position = MAIN_PATH.index(order.status)
    return [
        {
            "label": status.label,
            "done": index < position or status == OrderStatus.COMPLETED == order.status,
            "current": index == position,
        }
        for index, status in enumerate(MAIN_PATH)
    ]
