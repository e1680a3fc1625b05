from django.urls import path

from . import application_views as views

app_name = "registration_workbench"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/<str:kind>/", views.start, name="start"),
    path("prechecks/<str:kind>/", views.prechecks, name="prechecks"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/edit/", views.edit, name="edit"),
    path("<str:number>/materials/", views.upload, name="upload"),
    path("<str:number>/materials/<int:pk>/", views.material, name="material"),
    path("<str:number>/consents/", views.invite, name="invite"),
    path("<str:number>/submit/", views.submit, name="submit"),
    path("<str:number>/withdraw/", views.withdraw, name="withdraw"),
]
