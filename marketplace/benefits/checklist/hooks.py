"""What the checklist adds to other apps' pages (registered in ``AppConfig.ready()``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Checklist


def order_action(request, order):
    """The family's order page links to the order's 身后一件事 checklist, or offers to start
    one (one small query). Not for a cancelled or refunded order: the death may be handled
    elsewhere, and a standalone checklist covers it."""
    from marketplace.orders.models import OrderStatus

    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED) or order.user_id != request.user.pk:
        return None
    reference = Checklist.objects.filter(order=order).values_list("reference", flat=True).first()
    if reference:
        return _("身后一件事清单"), reverse("benefit_checklist:detail", kwargs={"reference": reference})
    return _("建立身后一件事清单"), f"{reverse('benefit_checklist:start')}?order={order.reference}"
