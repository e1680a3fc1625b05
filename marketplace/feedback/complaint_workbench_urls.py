from django.urls import path

from . import complaint_workbench_views as views

app_name = "complaint_workbench"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/evidence/<int:pk>/", views.evidence, name="evidence"),
]
