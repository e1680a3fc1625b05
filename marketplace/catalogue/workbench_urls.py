from django.urls import path

from . import workbench_views as views

app_name = "catalogue_workbench"
urlpatterns = [
    path("", views.index, name="index"),
    path("providers/<slug:slug>/", views.provider, name="provider"),
    path("providers/<slug:slug>/profile/", views.profile, name="profile"),
    path("providers/<slug:slug>/items/new/", views.item_create, name="item_create"),
    path("providers/<slug:slug>/flags/", views.flags, name="flags"),
    path("providers/<slug:slug>/package/", views.package, name="package"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/price/", views.item_price, name="item_price"),
]
