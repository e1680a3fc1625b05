import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Order, OrderStatus


class ProviderOrderFilter(django_filters.FilterSet):
    """The provider's order list: by status, and by order number or the deceased's name."""

    status = django_filters.ChoiceFilter(label=_("状态"), choices=OrderStatus.choices, empty_label=_("全部"))
    q = django_filters.CharFilter(label=_("订单号或逝者姓名"), method="search")

    class Meta:
        model = Order
        fields = ["status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(reference__iexact=value) | Q(deceased_name__icontains=value))
            if value
            else queryset
        )
