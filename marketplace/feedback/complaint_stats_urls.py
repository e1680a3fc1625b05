from django.urls import path

from core.opendata import stored

from . import complaint_stats_views as views

app_name = "complaint_stats"

urlpatterns = [
    path("stats/", views.index, name="index"),
    path("stats.csv", stored("funeral-complaint-statistics", "csv", views.stats_csv), name="csv"),
    path("stats.json", stored("funeral-complaint-statistics", "json", views.stats_json), name="json"),
]
