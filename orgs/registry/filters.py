import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import District, Organization, OrgStatus, OrgType, SupervisingUnit

YES_NO = [("1", _("是")), ("0", _("否"))]


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("名称或统一社会信用代码"),
        method="filter_q",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    org_type = django_filters.ChoiceFilter(
        label=_("组织类型"), choices=OrgType.choices, empty_label=_("全部")
    )
    district = django_filters.ChoiceFilter(label=_("所在区"), choices=District.choices, empty_label=_("全部"))
    status = django_filters.ChoiceFilter(
        label=_("登记状态"), choices=OrgStatus.choices, empty_label=_("全部")
    )
    charity = django_filters.ChoiceFilter(
        label=_("慈善组织"), choices=YES_NO, method="filter_charity", empty_label=_("全部")
    )
    public_fundraising = django_filters.ChoiceFilter(
        label=_("公开募捐资格"), choices=YES_NO, method="filter_public_fundraising", empty_label=_("全部")
    )
    supervising_unit = django_filters.ModelChoiceFilter(
        label=_("业务主管单位"), queryset=SupervisingUnit.objects.all(), empty_label=_("全部")
    )

    class Meta:
        model = Organization
        fields = ["q", "org_type", "district", "status", "charity", "public_fundraising", "supervising_unit"]

    def filter_q(self, queryset, name, value):
        return services.search_organizations(queryset, value)

    def filter_charity(self, queryset, name, value):
        return queryset.filter(charity_recognized_on__isnull=(value != "1"))

    def filter_public_fundraising(self, queryset, name, value):
        return queryset.filter(public_fundraising=(value == "1"))
