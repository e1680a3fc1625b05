"""The registry's open-data API resource: ``/api/v1/organisations/`` and
``/api/v1/organisations/<uscc>/``.

What the public profile ``/orgs/<uscc>/`` shows and nothing more: the registry fields, the
contact details the organisation publishes itself and the change registrations (date, item,
before, after). Never the USCC override reason or who accepted it, who recorded a change or
its internal note, memberships or invitations. Filtering is the HTML registry's
``OrganizationFilter``: one definition, two outputs.
"""

from rest_framework import serializers

from api.base import PublicViewSet
from api.registry import register

from .filters import OrganizationFilter
from .models import Organization, RegistryChange


class RegistryChangeSerializer(serializers.ModelSerializer):
    item_display = serializers.CharField(source="get_item_display", read_only=True)

    class Meta:
        model = RegistryChange
        fields = ["changed_on", "item", "item_display", "before", "after"]


class OrganizationSerializer(serializers.ModelSerializer):
    org_type_display = serializers.CharField(source="get_org_type_display", read_only=True)
    registration_authority_display = serializers.CharField(
        source="get_registration_authority_display", read_only=True
    )
    supervising_unit = serializers.CharField(source="supervising_unit.name", default=None, read_only=True)
    district_display = serializers.CharField(source="get_district_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_charity = serializers.BooleanField(read_only=True)
    profile_url = serializers.CharField(source="get_absolute_url", read_only=True)
    changes = RegistryChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "uscc",
            "name",
            "org_type",
            "org_type_display",
            "registration_authority",
            "registration_authority_display",
            "supervising_unit",
            "registered_on",
            "legal_representative",
            "domicile",
            "district",
            "district_display",
            "business_scope",
            "registered_funds",
            "status",
            "status_display",
            "is_charity",
            "charity_recognized_on",
            "public_fundraising",
            "website",
            "contact_person",
            "contact_phone",
            "contact_email",
            "introduction",
            "profile_url",
            "changes",
        ]


def public_organizations():
    """Every registered organisation (the registry is public), with what the profile shows
    fetched in a fixed number of queries."""
    return Organization.objects.select_related("supervising_unit").prefetch_related("changes")


class OrganizationViewSet(PublicViewSet):
    """社会组织登记信息：按统一社会信用代码查询，含变更登记记录。"""

    queryset = public_organizations()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    lookup_field = "uscc"
    lookup_value_regex = "[0-9A-Za-z]+"
    ordering = ("uscc",)
    cache_sections = ("orgs",)

    def get_object(self):
        # The HTML profile accepts a lower-case code too.
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()


register("organisations", OrganizationViewSet, "organisation")
