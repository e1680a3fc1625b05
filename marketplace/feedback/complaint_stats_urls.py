from django.urls import path

from . import complaint_stats_views as views

app_name = "complaint_stats"

urlpatterns = [
    path("stats/", views.index, name="index"),
    path("stats.csv", views.stats_csv, name="csv"),
    path("stats.json", views.stats_json, name="json"),
]
