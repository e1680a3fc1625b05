from django.urls import path

from core.opendata import stored

from . import opendata, views

app_name = "credit"
urlpatterns = [
    path("", views.index, name="index"),
    path("open-data/lists.csv", stored(opendata.DATASET_KEY, "csv", opendata.lists_csv), name="lists_csv"),
    path(
        "open-data/lists.json", stored(opendata.DATASET_KEY, "json", opendata.lists_json), name="lists_json"
    ),
    path("<str:uscc>/", views.detail, name="detail"),
    path("<str:uscc>/report.pdf", views.report_pdf, name="report"),
]
