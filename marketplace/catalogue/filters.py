"""The public catalogue's filters (django-filter). Every filter lives in the URL."""

from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import District, Provider, ProviderType, ServiceCategory, ServiceItem
from .services.current import with_current_price
from .services.packages import sorted_by_package_price
from .services.ratings import sorted_by_rating


class CatalogueFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("max_price") is not None and not cleaned.get("category"):
            self.add_error("category", _("按最高价格筛选时，请先选择服务类别。"))
        return cleaned


class CatalogueFilter(django_filters.FilterSet):
    district = django_filters.ChoiceFilter(
        label=_("所在区"), choices=District.choices, empty_label=_("全部区")
    )
    type = django_filters.ChoiceFilter(
        label=_("机构类型"), choices=ProviderType.choices, empty_label=_("全部类型")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("提供的服务类别"),
        queryset=ServiceCategory.objects.filter(parent__isnull=False).order_by("sort_order"),
        method="filter_category",
        empty_label=_("不限"),
    )
    max_price = django_filters.NumberFilter(
        label=_("该类别最高价格（元）"),
        method="filter_noop",
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
    )
    has_package = django_filters.BooleanFilter(
        label=_("已标价标准服务包"),
        method="filter_has_package",
        widget=forms.Select(choices=[("", _("不限")), ("true", _("是")), ("false", _("否"))]),
    )
    sort = django_filters.ChoiceFilter(
        label=_("排序"),
        choices=[
            ("package", _("标准服务包价格从低到高")),
            ("name", _("名称")),
            ("rating", _("评分从高到低")),
        ],
        method="filter_noop",
        empty_label=None,
    )

    class Meta:
        model = Provider
        fields = ["district", "type"]
        form = CatalogueFilterForm

    def filter_noop(self, queryset, name, value):
        return queryset

    @extend_schema_field(OpenApiTypes.INT)  # the open data API: the category's id
    def filter_category(self, queryset, name, value):
        items = ServiceItem.objects.filter(provider=OuterRef("pk"), category=value, is_active=True)
        max_price = self.form.cleaned_data.get("max_price")
        items = with_current_price(items).filter(current_price__isnull=False)
        if max_price is not None:
            items = items.filter(current_price__lte=max_price)
        return queryset.filter(Exists(items))

    def __init__(self, data=None, *args, package_prices=None, **kwargs):
        self.package_prices = package_prices or {}
        super().__init__(data, *args, **kwargs)
        self.form.fields["category"].label_from_instance = lambda category: category.display_name

    def filter_has_package(self, queryset, name, value):
        """F6: providers whose standard package is completely priced (or not)."""
        if value is None:
            return queryset
        priced = list(self.package_prices)
        return queryset.filter(pk__in=priced) if value else queryset.exclude(pk__in=priced)

    @property
    def sort_by_name(self):
        return self.is_bound and getattr(self.form, "cleaned_data", {}).get("sort") == "name"

    @property
    def sort_by_rating(self):
        return self.is_bound and getattr(self.form, "cleaned_data", {}).get("sort") == "rating"

    def ordered_ids(self, prices):
        """The filtered providers' ids in the chosen order (R1: by rating, never by money)."""
        usual = sorted_by_package_price(self.qs, prices, by_name=self.sort_by_name)
        return sorted_by_rating(self.qs, usual) if self.sort_by_rating else usual
