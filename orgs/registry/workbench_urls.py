from django.urls import path

from . import views

app_name = "registry_workbench"
urlpatterns = [
    path("<str:uscc>/", views.workbench_home, name="home"),
    path("<str:uscc>/profile/", views.edit_profile, name="profile"),
    path("<str:uscc>/members/", views.members, name="members"),
]
