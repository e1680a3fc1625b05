from django.urls import path

from core.opendata import stored

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.index, name="index"),
    path(
        "open-data/organizations.csv",
        stored("social-organisations", "csv", views.export_csv),
        name="export_csv",
    ),
    path(
        "open-data/organizations.json",
        stored("social-organisations", "json", views.export_json),
        name="export_json",
    ),
    path("<str:uscc>/", views.detail, name="detail"),
]
