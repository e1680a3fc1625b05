"""What the benefits app adds to other apps' pages (registered in ``AppConfig.ready()``).

Orders never imports benefits (``orders`` ← ``benefits``): the family's order page gets its
"申请惠民殡葬" link through ``marketplace.orders.hooks.register_order_action``."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .waivers import WAIVABLE_ORDER_STATUSES


def order_action(request, order):
    """On the family's own order page, while the order is not cancelled: apply for a 惠民殡葬
    scheme from it (the schemes open today, and the family's applications, on /benefits/).
    No query: everything it reads is on the order already."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or order.user_id != user.pk:
        return None
    if order.status not in WAIVABLE_ORDER_STATUSES:
        return None
    query = urlencode({"order": order.reference})
    return _("申请惠民殡葬"), f"{reverse('benefits:index')}?{query}#schemes-h"


def register():
    from marketplace.orders.hooks import register_order_action

    register_order_action(order_action)
