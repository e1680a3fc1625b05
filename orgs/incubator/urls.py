from django.urls import path

from core.opendata import stored

from . import opendata, views

app_name = "incubator"
urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("offers/", views.offers, name="offers"),
    path("offers/<int:pk>/", views.offer, name="offer"),
    path("needs/", views.needs, name="needs"),
    path("statistics/", views.statistics, name="statistics"),
    path("open-data/grants.csv", stored("incubator-grants", "csv", opendata.csv_response), name="grants_csv"),
    path(
        "open-data/grants.json",
        stored("incubator-grants", "json", opendata.json_response),
        name="grants_json",
    ),
]
