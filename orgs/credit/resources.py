"""Credit's open-data API resource: ``/api/v1/credit/`` and ``/api/v1/credit/<uscc>/``.

What the public credit page ``/credit/<uscc>/`` shows: the entries on the abnormal-activity and
serious-violation lists (current and past) with their reasons, dates and documents, the ratings
with their validity, and the credit records with their corrections. An objection is public only
through its outcome: the correction record it led to, which names the record it corrects and
why. The objection itself (grounds, evidence, who filed it, a rejection's reasons) never is; nor
are who recorded or listed anything, internal notes or the attachments' storage names.

The ``q`` filter is the lookup of ``/credit/?q=`` (``orgs.credit.public.lookup``): an exact
USCC or a part of the name, so the API and the page find the same organisations.
"""

import django_filters
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.base import PublicViewSet
from api.registry import register
from orgs.registry.models import Organization

from . import public
from .models import CreditRecord, EntryStatus, ListEntry, ListType, Rating


class ListEntrySerializer(serializers.ModelSerializer):
    list_type_display = serializers.CharField(source="get_list_type_display", read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    removal_reason_display = serializers.CharField(source="get_removal_reason_display", read_only=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = ListEntry
        fields = [
            "list_type",
            "list_type_display",
            "reason",
            "reason_display",
            "report_year",
            "listed_on",
            "authority",
            "document_number",
            "status",
            "status_display",
            "is_current",
            "removed_on",
            "removal_reason",
            "removal_reason_display",
            "removal_document_number",
        ]

    def get_is_current(self, entry) -> bool:
        return entry.status == EntryStatus.LISTED


class RatingSerializer(serializers.ModelSerializer):
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    expired = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = [
            "grade",
            "grade_display",
            "score",
            "rated_on",
            "expires_on",
            "expired",
            "evaluating_body",
            "document_number",
        ]

    def get_expired(self, rating) -> bool:
        return rating.is_expired(self.context.get("today"))


class CorrectedRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditRecord
        fields = ["decided_on", "document_number"]


class CreditRecordSerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    corrected = serializers.SerializerMethodField()
    corrects = CorrectedRecordSerializer(read_only=True)

    class Meta:
        model = CreditRecord
        fields = [
            "category",
            "category_display",
            "decided_on",
            "summary",
            "fine_amount",
            "authority",
            "document_number",
            "recorded_on",
            "is_late",
            "corrected",
            "corrects",
            "correction_reason",
        ]

    def get_corrected(self, record) -> bool:
        """True when a later record corrects this one (the public outcome of an upheld objection)."""
        return bool(record.later_corrections)


class CreditSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    org_type_display = serializers.CharField(source="get_org_type_display", read_only=True)
    on_abnormal_list = serializers.SerializerMethodField()
    on_serious_list = serializers.SerializerMethodField()
    list_entries = ListEntrySerializer(source="public_entries", many=True, read_only=True)
    ratings = RatingSerializer(source="public_ratings", many=True, read_only=True)
    records = CreditRecordSerializer(source="public_records", many=True, read_only=True)
    credit_url = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "uscc",
            "name",
            "org_type",
            "org_type_display",
            "status",
            "status_display",
            "on_abnormal_list",
            "on_serious_list",
            "list_entries",
            "ratings",
            "records",
            "credit_url",
        ]

    def _listed(self, organization, list_type):
        return any(
            e.list_type == list_type and e.status == EntryStatus.LISTED for e in organization.public_entries
        )

    def get_on_abnormal_list(self, organization) -> bool:
        return self._listed(organization, ListType.ABNORMAL)

    def get_on_serious_list(self, organization) -> bool:
        return self._listed(organization, ListType.SERIOUS)

    def get_credit_url(self, organization) -> str:
        return reverse("credit:detail", args=[organization.uscc])


def with_public_credit(queryset):
    """The organisations with what the credit page shows, in a fixed number of queries."""
    corrections = Prefetch(
        "corrections", queryset=CreditRecord.objects.only("pk", "corrects"), to_attr="later_corrections"
    )
    return queryset.prefetch_related(
        Prefetch(
            "list_entries",
            queryset=ListEntry.objects.order_by("-listed_on", "-pk"),
            to_attr="public_entries",
        ),
        Prefetch("ratings", queryset=Rating.objects.order_by("-rated_on", "-pk"), to_attr="public_ratings"),
        Prefetch(
            "credit_records",
            queryset=CreditRecord.objects.select_related("corrects")
            .prefetch_related(corrections)
            .order_by("-decided_on", "-pk"),
            to_attr="public_records",
        ),
    )


class CreditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称或统一社会信用代码"), method="filter_q")
    listed = django_filters.ChoiceFilter(
        label=_("目前在列的名录"), choices=ListType.choices, method="filter_listed"
    )

    class Meta:
        model = Organization
        fields = ["q", "listed"]

    def filter_q(self, queryset, name, value):
        result = public.lookup(value)
        if result.organizations is None:
            return queryset
        return queryset.filter(pk__in=result.organizations.values("pk"))

    def filter_listed(self, queryset, name, value):
        listed = ListEntry.objects.filter(list_type=value, status=EntryStatus.LISTED).values("organization")
        return queryset.filter(pk__in=listed)


class CreditViewSet(PublicViewSet):
    """社会组织信用信息：名录、等级评估、信用记录及其更正。"""

    queryset = with_public_credit(Organization.objects.all())
    serializer_class = CreditSerializer
    filterset_class = CreditFilter
    lookup_field = "uscc"
    lookup_value_regex = "[0-9A-Za-z]+"
    ordering = ("uscc",)
    cache_sections = ("orgs",)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()


register("credit", CreditViewSet, "credit")
