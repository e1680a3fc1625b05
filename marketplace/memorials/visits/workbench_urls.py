from django.urls import path

from . import workbench_views as views

app_name = "memorial_visits_workbench"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.provider, name="provider"),
    path("<slug:slug>/sessions/new/", views.bulk_create, name="bulk_create"),
    path("<slug:slug>/gate/", views.gate, name="gate"),
    path("<slug:slug>/days/<str:day>/", views.day_sheet, name="day"),
    path("<slug:slug>/days/<str:day>/bookings.csv", views.day_sheet_csv, name="day_csv"),
    path("<slug:slug>/days/<str:day>/bookings.pdf", views.day_sheet_pdf, name="day_pdf"),
    path("<slug:slug>/days/<str:day>/no-shows/", views.no_shows, name="no_shows"),
]
