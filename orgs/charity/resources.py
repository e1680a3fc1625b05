"""Charity disclosure's open-data API resources (C4):

- ``/api/v1/charity/projects/`` and ``…/<id>/`` (the id of ``/charity/projects/<id>/``), with the
  raised and spent totals of the current records, filtered by the HTML page's ``ProjectFilter``;
- ``/api/v1/charity/donations/`` and ``…/<receipt number>/``: current donations only (a corrected
  row is replaced by its correction, so an amount is always the net after corrections);
- ``/api/v1/charity/expenditures/`` and ``…/<id>/``: current spending only.

An anonymous donor appears only as 匿名 (``Donation.public_donor_name``), in every output: the
donation itself, and the ``donor`` filter, which matches the public name only, so searching for
an anonymous donor's real name finds nothing. Vouchers stay behind the hash-checked download
view; the API gives its public URL only.
"""

import django_filters
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.base import PublicViewSet
from api.registry import register

from . import services
from .filters import ProjectFilter
from .models import ANONYMOUS, CharityProject, Donation, Expenditure


class OrganizationRefSerializer(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()


class ProjectSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    area_display = serializers.CharField(source="get_area_display", read_only=True)
    raised = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    project_url = serializers.SerializerMethodField()

    class Meta:
        model = CharityProject
        fields = [
            "id",
            "name",
            "organization",
            "plan_filing_number",
            "plan_filed_on",
            "public_fundraising",
            "goal",
            "raised",
            "spent",
            "starts_on",
            "ends_on",
            "status",
            "status_display",
            "area",
            "area_display",
            "description",
            "project_url",
        ]

    def get_project_url(self, project) -> str:
        return reverse("charity:project", args=[project.pk])


class DonationSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    donor = serializers.CharField(source="public_donor_name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    is_correction = serializers.SerializerMethodField()

    class Meta:
        model = Donation
        fields = [
            "receipt_number",
            "organization",
            "project",
            "project_name",
            "donor",
            "anonymous",
            "kind",
            "kind_display",
            "amount",
            "in_kind_description",
            "donated_on",
            "channel",
            "channel_display",
            "is_correction",
            "correction_note",
        ]

    def get_is_correction(self, donation) -> bool:
        return donation.corrects_id is not None


class ExpenditureSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(source="project.organization", read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    is_correction = serializers.SerializerMethodField()
    voucher_url = serializers.SerializerMethodField()

    class Meta:
        model = Expenditure
        fields = [
            "id",
            "organization",
            "project",
            "project_name",
            "voucher_number",
            "amount",
            "purpose",
            "beneficiary_count",
            "spent_on",
            "is_correction",
            "voucher_url",
        ]

    def get_is_correction(self, expenditure) -> bool:
        return expenditure.corrects_id is not None

    def get_voucher_url(self, expenditure) -> str | None:
        return reverse("charity:voucher", args=[expenditure.pk]) if expenditure.document else None


class DonationFilter(django_filters.FilterSet):
    organization = django_filters.CharFilter(label=_("统一社会信用代码"), method="filter_organization")
    project = django_filters.NumberFilter(label=_("项目编号"), field_name="project_id")
    donor = django_filters.CharFilter(label=_("捐赠人"), method="filter_donor")
    kind = django_filters.ChoiceFilter(label=_("捐赠类型"), choices=Donation.Kind.choices)
    channel = django_filters.ChoiceFilter(label=_("捐赠渠道"), choices=Donation.Channel.choices)

    class Meta:
        model = Donation
        fields = ["organization", "project", "donor", "kind", "channel"]

    def filter_organization(self, queryset, name, value):
        return queryset.filter(organization__uscc=value.strip().upper())

    def filter_donor(self, queryset, name, value):
        """By the public donor name only: an anonymous donor's real name is never matched."""
        value = value.strip()
        if not value:
            return queryset
        public = Q(anonymous=False, donor_name__icontains=value)
        if value in str(ANONYMOUS):
            public |= Q(anonymous=True)
        return queryset.filter(public)


class ExpenditureFilter(django_filters.FilterSet):
    organization = django_filters.CharFilter(
        label=_("统一社会信用代码"), field_name="project__organization__uscc"
    )
    project = django_filters.NumberFilter(label=_("项目编号"), field_name="project_id")

    class Meta:
        model = Expenditure
        fields = ["organization", "project"]


class ProjectViewSet(PublicViewSet):
    """慈善项目（含已募集、已支出金额）。"""

    queryset = services.with_totals(CharityProject.objects.select_related("organization"))
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    lookup_value_regex = "[0-9]+"
    ordering = ("-starts_on", "pk")
    cache_sections = ("orgs",)


class DonationViewSet(PublicViewSet):
    """慈善捐赠明细（匿名捐赠人仅显示为“匿名”）。按票据号查询。"""

    queryset = Donation.objects.current().select_related("organization", "project")
    serializer_class = DonationSerializer
    filterset_class = DonationFilter
    lookup_field = "receipt_number"
    lookup_value_regex = "[^/]+"
    ordering = ("-donated_on", "-pk")
    cache_sections = ("orgs",)

    def get_object(self):
        """The current donation with that receipt number (``services.find_donation``, the
        lookup of ``/charity/lookup/``); ``?organization=<uscc>`` tells apart two
        organisations' receipts with the same number."""
        receipt_number = self.kwargs["receipt_number"]
        originals = Donation.objects.filter(receipt_number=receipt_number, corrects__isnull=True)
        uscc = self.request.query_params.get("organization")
        if uscc:
            originals = originals.filter(organization__uscc=uscc.strip().upper())
        found = list(originals.select_related("organization")[:2])
        if len(found) != 1:
            raise Http404
        donation = services.find_donation(found[0].organization, receipt_number)
        if donation is None:
            raise Http404
        return donation


class ExpenditureViewSet(PublicViewSet):
    """慈善项目支出明细。"""

    queryset = Expenditure.objects.current().select_related("project", "project__organization")
    serializer_class = ExpenditureSerializer
    filterset_class = ExpenditureFilter
    lookup_value_regex = "[0-9]+"
    ordering = ("-spent_on", "-pk")
    cache_sections = ("orgs",)


register("charity/projects", ProjectViewSet, "charity-project")
register("charity/donations", DonationViewSet, "charity-donation")
register("charity/expenditures", ExpenditureViewSet, "charity-expenditure")
