import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.registry.models import District, ServiceField

from .models import Offer, OfferKind, Programme, ProgrammeKind

WHEN = [("open", _("正在接受申请")), ("upcoming", _("即将开始")), ("closed", _("已截止"))]


class ProgrammeFilter(django_filters.FilterSet):
    """The public list of programmes. A field or district matches a programme that names it in
    its criteria, or that is open to every field or district."""

    kind = django_filters.ChoiceFilter(label=_("类型"), choices=ProgrammeKind.choices)
    service_field = django_filters.ChoiceFilter(
        label=_("服务领域"), choices=ServiceField.choices, method="filter_listed"
    )
    district = django_filters.ChoiceFilter(
        label=_("所在区"), choices=District.choices, method="filter_listed"
    )
    when = django_filters.ChoiceFilter(label=_("申请状态"), choices=WHEN, method="filter_when")

    class Meta:
        model = Programme
        fields = ["kind"]

    def filter_listed(self, queryset, name, value):
        # The criteria are JSON lists, which SQLite can't query by element; programmes are few,
        # so the match is made on their ids, in one query.
        column = {"service_field": "service_fields", "district": "districts"}[name]
        ids = [pk for pk, values in queryset.values_list("pk", column) if not values or value in values]
        return queryset.filter(pk__in=ids)

    def filter_when(self, queryset, name, value):
        today = timezone.localdate()
        if value == "open":
            return queryset.filter(opens_on__lte=today, closes_on__gte=today)
        if value == "upcoming":
            return queryset.filter(opens_on__gt=today)
        return queryset.filter(closes_on__lt=today)


class OfferFilter(django_filters.FilterSet):
    """The public list of offers: by kind, field, district and deadline."""

    kind = django_filters.ChoiceFilter(label=_("资源类型"), choices=OfferKind.choices)
    field = django_filters.ChoiceFilter(label=_("服务领域"), choices=ServiceField.choices)
    district = django_filters.ChoiceFilter(label=_("所在区"), choices=District.choices)
    deadline_before = django_filters.DateFilter(
        label=_("截止日期不晚于"),
        field_name="deadline",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Offer
        fields = ["kind", "field", "district"]
