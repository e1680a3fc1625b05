"""The annual reports' open-data API resource: ``/api/v1/annual-reports/`` and
``/api/v1/annual-reports/<uscc>-<year>/``.

Accepted reports only (a draft, a submitted or a returned report answers 404), with the
summary the public profile shows and, for charities, the C3 spending ratios computed by
``orgs.reports.services.ratios`` (the same functions the bureau's review uses). The income
history C3 reads is fetched for a whole page in one query, so the list stays flat.
"""

import django_filters
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.base import PublicViewSet
from api.registry import register

from .models import AnnualReport, Conclusion, ReportStatus
from .services.ratios import c3_checks, c3_for


def income_histories(reports):
    """``{report.pk: [income of year-3, year-2, year-1]}`` for many reports in one query; the
    same figures as ``ratios.income_history`` reads one report at a time."""
    reports = [r for r in reports if r.organization.is_charity]
    if not reports:
        return {}
    rows = {
        (org, year): income
        for org, year, income in AnnualReport.objects.filter(
            organization_id__in={r.organization_id for r in reports},
            year__gte=min(r.year for r in reports) - 3,
            year__lt=max(r.year for r in reports),
        ).values_list("organization_id", "year", "income_total")
    }
    return {
        r.pk: [rows.get((r.organization_id, year)) for year in range(r.year - 3, r.year)] for r in reports
    }


class RatioSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    actual = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    actual_percent = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    limit = serializers.DecimalField(max_digits=12, decimal_places=4)
    limit_percent = serializers.DecimalField(max_digits=8, decimal_places=1)
    is_minimum = serializers.BooleanField()
    ok = serializers.BooleanField()
    note = serializers.CharField()


class ReportListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        reports = list(data.all() if hasattr(data, "all") else data)
        self.child.histories = income_histories(reports)
        return super().to_representation(reports)


class AnnualReportSerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField()
    uscc = serializers.CharField(source="organization.uscc", read_only=True)
    organization = serializers.CharField(source="organization.name", read_only=True)
    conclusion_display = serializers.CharField(source="get_conclusion_display", read_only=True)
    net_assets = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    c3 = serializers.SerializerMethodField()

    histories = None  # set by the list serializer for a page of reports

    class Meta:
        model = AnnualReport
        list_serializer_class = ReportListSerializer
        fields = [
            "key",
            "uscc",
            "organization",
            "year",
            "conclusion",
            "conclusion_display",
            "is_late",
            "income_total",
            "expense_total",
            "net_assets",
            "staff_count",
            "activity_count",
            "c3",
        ]

    def get_key(self, report) -> str:
        return f"{report.organization.uscc}-{report.year}"

    def get_c3(self, report) -> list[dict]:
        if self.histories is not None:
            checks = (
                c3_checks(report, self.histories.get(report.pk)) if report.organization.is_charity else []
            )
        else:
            checks = c3_for(report)
        return RatioSerializer(checks, many=True).data


class AnnualReportFilter(django_filters.FilterSet):
    uscc = django_filters.CharFilter(label=_("统一社会信用代码"), field_name="organization__uscc")
    year = django_filters.NumberFilter(label=_("报告年度"), min_value=2000, max_value=2100)
    conclusion = django_filters.ChoiceFilter(label=_("年检结论"), choices=Conclusion.choices)

    class Meta:
        model = AnnualReport
        fields = ["uscc", "year", "conclusion"]


def accepted_reports():
    """The reports the public may read: accepted ones only."""
    return AnnualReport.objects.filter(status=ReportStatus.ACCEPTED).select_related("organization")


class AnnualReportViewSet(PublicViewSet):
    """已审核的年度报告摘要及慈善组织的支出比例（C3）。"""

    queryset = accepted_reports()
    serializer_class = AnnualReportSerializer
    filterset_class = AnnualReportFilter
    lookup_field = "key"
    lookup_value_regex = "[0-9A-Za-z]+-[0-9]{4}"
    ordering = ("-year", "pk")
    cache_sections = ("orgs",)

    def get_object(self):
        uscc, _sep, year = self.kwargs["key"].rpartition("-")
        if not uscc or not year.isdigit():
            raise Http404
        report = get_object_or_404(self.get_queryset(), organization__uscc=uscc.upper(), year=int(year))
        self.check_object_permissions(self.request, report)
        return report


register("annual-reports", AnnualReportViewSet, "annual-report")
