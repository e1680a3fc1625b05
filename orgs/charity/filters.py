import django_filters
from django.utils.translation import gettext_lazy as _

from orgs.registry.models import District, Organization

from .models import CharityProject, ProjectStatus

YES_NO = (("yes", _("是")), ("no", _("否")))


class ProjectFilter(django_filters.FilterSet):
    organization = django_filters.ModelChoiceFilter(
        label=_("慈善组织"),
        queryset=Organization.objects.filter(charity_projects__isnull=False).distinct().order_by("name"),
        empty_label=_("全部"),
    )
    status = django_filters.ChoiceFilter(
        label=_("项目状态"), choices=ProjectStatus.choices, empty_label=_("全部")
    )
    public_fundraising = django_filters.ChoiceFilter(
        label=_("公开募捐"), choices=YES_NO, method="filter_public", empty_label=_("全部")
    )
    area = django_filters.ChoiceFilter(label=_("受益地区"), choices=District.choices, empty_label=_("全部"))
    year = django_filters.NumberFilter(label=_("年度"), method="filter_year", min_value=2000, max_value=2100)

    class Meta:
        model = CharityProject
        fields = ["organization", "status", "public_fundraising", "area", "year"]

    def filter_public(self, queryset, name, value):
        return queryset.filter(public_fundraising=value == "yes")

    def filter_year(self, queryset, name, value):
        """Projects running at any time in that year."""
        return queryset.filter(starts_on__year__lte=value, ends_on__year__gte=value)
