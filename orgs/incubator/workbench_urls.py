from django.urls import path

from . import workbench_views as views

app_name = "incubator_workbench"
urlpatterns = [
    path("<str:uscc>/", views.home, name="home"),
    path("<str:uscc>/programmes/<int:pk>/", views.apply, name="apply"),
    path("<str:uscc>/applications/<int:pk>/", views.application, name="application"),
    path(
        "<str:uscc>/applications/<int:pk>/milestones/<int:milestone>/",
        views.submit_milestone,
        name="milestone",
    ),
    path("<str:uscc>/evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("<str:uscc>/offers/", views.matches, name="matches"),
    path("<str:uscc>/offers/<int:pk>/", views.offer, name="offer"),
    path("<str:uscc>/needs/", views.needs, name="needs"),
    path("<str:uscc>/needs/<int:pk>/close/", views.close_need_view, name="close_need"),
]
