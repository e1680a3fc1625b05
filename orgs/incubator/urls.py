from django.urls import path

from core.opendata import stored

from . import founding_views, opendata, views

app_name = "incubator"
urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("offers/", views.offers, name="offers"),
    path("offers/<int:pk>/", views.offer, name="offer"),
    path("needs/", views.needs, name="needs"),
    path("statistics/", views.statistics, name="statistics"),
    path("founding/", founding_views.home, name="founding_home"),
    path("founding/new/", founding_views.new_group, name="founding_new"),
    path("founding/<int:group>/apply/<int:pk>/", founding_views.apply, name="founding_apply"),
    path("founding/applications/<int:pk>/", founding_views.application, name="founding_application"),
    path("open-data/grants.csv", stored("incubator-grants", "csv", opendata.csv_response), name="grants_csv"),
    path(
        "open-data/grants.json",
        stored("incubator-grants", "json", opendata.json_response),
        name="grants_json",
    ),
]
