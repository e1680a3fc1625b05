from django.urls import path

from . import workbench_views as views

app_name = "charity_workbench"
urlpatterns = [
    path("<str:uscc>/", views.home, name="home"),
    path("<str:uscc>/basic-info/", views.basic_info, name="basic_info"),
    path("<str:uscc>/import-templates/<slug:kind>.csv", views.import_template, name="import_template"),
    path("<str:uscc>/projects/<int:pk>/import/<slug:kind>/", views.import_records, name="import"),
    path("<str:uscc>/projects/<int:pk>/status/", views.change_status, name="status"),
    path("<str:uscc>/projects/new/", views.project_form, name="project_new"),
    path("<str:uscc>/projects/<int:pk>/", views.project_detail, name="project"),
    path("<str:uscc>/projects/<int:pk>/edit/", views.project_form, name="project_edit"),
    path(
        "<str:uscc>/projects/<int:pk>/donations/new/",
        views.record_form,
        {"kind": "donation"},
        name="donation_new",
    ),
    path(
        "<str:uscc>/projects/<int:pk>/expenditures/new/",
        views.record_form,
        {"kind": "expenditure"},
        name="expenditure_new",
    ),
    path(
        "<str:uscc>/projects/<int:pk>/reports/new/", views.record_form, {"kind": "report"}, name="report_new"
    ),
]
