from django.urls import path

from . import views

app_name = "registration"
urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("consent/<str:token>/", views.consent, name="consent"),
]
