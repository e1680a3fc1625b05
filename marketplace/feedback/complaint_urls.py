from django.urls import path

from . import complaint_views as views

app_name = "complaints"

urlpatterns = [
    path("new/", views.new, name="new"),
    path("new/number/", views.change_number, name="change_number"),
    path("mine/", views.mine, name="mine"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/evidence/<int:pk>/", views.evidence, name="evidence"),
]
