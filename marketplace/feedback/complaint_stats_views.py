"""The public complaint statistics (R2): the city-wide table at /funeral/complaints/stats/ and
the same figures as open data. Counts only; a complaint's text and evidence are never public."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import opendata

from .services import stats

HEADER = [
    "period_start",
    "period_end",
    "provider",
    "provider_slug",
    "received",
    "accepted",
    "upheld",
    "upheld_rate",
    "median_days_to_close",
    "on_time_share",
    "completed_orders",
    "per_100_orders",
]


@require_GET
def index(request):
    table = stats.city_table()
    return render(
        request,
        "feedback/complaints/stats.html",
        {
            "table": table,
            "chart": stats.bar_chart(table),
            "breadcrumbs": [(_("殡葬服务"), reverse("catalogue:index")), (_("投诉统计"), None)],
        },
    )


@require_GET
def stats_csv(request):
    _table, rows = stats.open_data_rows()
    return opendata.csv_response(
        "funeral-complaint-statistics.csv", HEADER, ([row[key] for key in HEADER] for row in rows)
    )


def _json_value(value):
    return str(value) if value is not None and not isinstance(value, int | str) else value


@require_GET
def stats_json(request):
    table, rows = stats.open_data_rows()
    return opendata.json_response(
        "funeral-complaint-statistics.json",
        opendata.dataset_meta(
            "殡葬服务投诉统计", period_start=table.start.isoformat(), period_end=table.end.isoformat()
        ),
        ({key: _json_value(row[key]) for key in HEADER} for row in rows),
    )
