"""Who may see an order: the family that placed it and the staff of its provider.

Views fetch through :func:`family_order_or_404` / :func:`provider_order_or_404`, so
another family's or another provider's order answers 404.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import get_managed_or_404, register_policy
from accounts.workbench import Panel
from marketplace.catalogue.permissions import member_provider_ids

from .models import Order


def _can_manage(user, order):
    return order.user_id == user.pk or order.provider_id in member_provider_ids(user)


def _scope(user, queryset):
    if user.is_superuser:
        return queryset
    from django.db.models import Q

    return queryset.filter(Q(user=user) | Q(provider_id__in=member_provider_ids(user)))


def family_orders(user):
    """The orders a family placed."""
    return Order.objects.filter(user=user)


def provider_orders(user):
    """The orders of the providers ``user`` is a member of."""
    return Order.objects.filter(provider_id__in=member_provider_ids(user))


def is_provider_member(user, order):
    return order.provider_id in member_provider_ids(user)


def register_policies():
    register_policy(Order, can_manage=_can_manage, scope=_scope)


def family_order_or_404(user, queryset=None, **lookup):
    queryset = (queryset if queryset is not None else Order.objects.all()).filter(user=user)
    return get_managed_or_404(user, queryset, **lookup)


def provider_order_or_404(user, queryset=None, **lookup):
    queryset = (queryset if queryset is not None else Order.objects.all()).filter(
        provider_id__in=member_provider_ids(user)
    )
    return get_managed_or_404(user, queryset, **lookup)


def workbench_panels(user):
    if not member_provider_ids(user):
        return []
    return [
        Panel(
            title=_("殡葬服务订单"),
            url=reverse("orders_workbench:index"),
            description=_("确认订单、出具和会签合同、提出变更、完成服务并出具电子证明。"),
            kind=_("殡葬服务机构"),
        )
    ]


def submit_quote_action(request, quote):
    """On a family's saved quote: submit it as an order (only the quote's owner sees it)."""
    if not request.user.is_authenticated or quote.user_id != request.user.pk:
        return None
    return _("提交为订单"), f"{reverse('orders:new')}?quote={quote.reference}"
