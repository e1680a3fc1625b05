"""The family's 惠民殡葬 pages, mounted at /benefits/ (after /benefits/checklist/)."""

from django.urls import path

from . import views

app_name = "benefits"
urlpatterns = [
    path("", views.index, name="index"),
    path("apply/<slug:scheme>/", views.apply, name="apply"),
    path("apply/<slug:scheme>/checks/", views.checks, name="checks"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/edit/", views.edit, name="edit"),
    path("<str:number>/documents/", views.upload, name="upload"),
    path("<str:number>/documents/<int:pk>/", views.document, name="document"),
    path("<str:number>/submit/", views.submit, name="submit"),
    path("<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:number>/letter.pdf", views.letter, name="letter"),
]
