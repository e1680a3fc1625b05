"""The complaint statistics' open-data API resource (R2): ``/api/v1/complaint-statistics/`` and
``/api/v1/complaint-statistics/<provider slug>/``.

The figures of ``/funeral/complaints/stats/``, computed by ``services.stats`` for the same
window (the last ``R2_STATS_MONTHS`` months up to today): counts and rates per published
provider, never a complaint's text, evidence or complainant. A list page computes the whole
city's table once (a fixed number of queries however many providers or complaints there are);
one provider's record uses ``stats.provider_figures``.
"""

import datetime

from rest_framework import serializers

from api.base import PublicViewSet
from api.registry import register
from marketplace.catalogue.models import Provider

from .services import stats


class FiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    upheld = serializers.IntegerField()
    upheld_rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    median_days_to_close = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    on_time_share = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    completed_orders = serializers.IntegerField()
    per_100_orders = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)


class ProviderStatsSerializer(serializers.ModelSerializer):
    provider = serializers.CharField(source="name", read_only=True)
    period_start = serializers.SerializerMethodField()
    period_end = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField()

    class Meta:
        model = Provider
        fields = ["slug", "provider", "period_start", "period_end", "figures"]

    def _table(self):
        table = self.context.get("stats_table")
        if table is None:
            table = self.context["stats_table"] = stats.city_table()
            self.context["stats_by_provider"] = {p.pk: f for p, f in table.rows}
        return table

    def get_period_start(self, provider) -> datetime.date:
        return self._table().start

    def get_period_end(self, provider) -> datetime.date:
        return self._table().end

    def get_figures(self, provider) -> list[dict]:
        if self.context.get("single"):
            figures = stats.provider_figures(provider)
        else:
            self._table()
            figures = self.context["stats_by_provider"].get(provider.pk, stats.Figures())
        return FiguresSerializer(figures.as_row()).data


class ComplaintStatisticsViewSet(PublicViewSet):
    """殡葬服务投诉统计（按服务机构），与 /funeral/complaints/stats/ 相同的数字。"""

    queryset = Provider.objects.filter(is_published=True).only("name", "slug")
    serializer_class = ProviderStatsSerializer
    lookup_field = "slug"
    ordering = ("slug",)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["single"] = self.action == "retrieve"
        if context["single"]:
            start, end = stats.window()
            context["stats_table"] = stats.CityTable(start=start, end=end, rows=[], city=None)
        return context


register("complaint-statistics", ComplaintStatisticsViewSet, "complaint-statistics")
