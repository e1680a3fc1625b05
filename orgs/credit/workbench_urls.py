from django.urls import path

from . import views

app_name = "credit_workbench"
urlpatterns = [
    path("<str:uscc>/", views.workbench_home, name="home"),
    path("<str:uscc>/records/<int:record_id>/objection/", views.objection_new, name="objection_new"),
    path("<str:uscc>/objections/<int:pk>/", views.objection_detail, name="objection"),
    path("<str:uscc>/objections/<int:pk>/evidence/", views.objection_evidence, name="evidence"),
]
