from django.urls import path

from . import workbench_views as views

app_name = "order_slots_workbench"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.provider, name="provider"),
    path("<slug:slug>/resources/new/", views.add_resource, name="add_resource"),
    path("<slug:slug>/resources/<int:pk>/edit/", views.edit_resource, name="edit_resource"),
    path("<slug:slug>/publish/", views.publish, name="publish"),
    path("<slug:slug>/closures/new/", views.close, name="close"),
    path("<slug:slug>/days/<str:day>/", views.day_sheet, name="day"),
    path("<slug:slug>/days/<str:day>/bookings.csv", views.day_sheet_csv, name="day_csv"),
    path("<slug:slug>/days/<str:day>/bookings.pdf", views.day_sheet_pdf, name="day_pdf"),
    path("<slug:slug>/bookings/<int:pk>/move/", views.propose_move, name="move"),
]
