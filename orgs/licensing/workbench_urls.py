from django.urls import path

from . import views

app_name = "licensing_workbench"
urlpatterns = [
    path("<str:uscc>/", views.home, name="home"),
    path("<str:uscc>/<int:pk>/download/", views.download, name="download"),
    path("<str:uscc>/archive/", views.archive, name="archive"),
]
