from django.urls import path

from . import views

app_name = "memorials"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("<str:token>/", views.detail, name="detail"),
    path("<str:token>/tributes/", views.tribute, name="tribute"),
    path("<str:token>/access/", views.access, name="access"),
    path("<str:token>/report/", views.report, name="report"),
    path("<str:token>/tributes/<int:tribute_id>/report/", views.report, name="report_tribute"),
    path("<str:token>/edit/", views.edit, name="edit"),
    path("<str:token>/manage/", views.manage, name="manage"),
    path("<str:token>/photos/", views.photos, name="photos"),
    path("<str:token>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("<str:token>/photos/<int:photo_id>/delete/", views.photo_delete, name="photo_delete"),
]
