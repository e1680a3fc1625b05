from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:uscc>/", views.detail, name="detail"),
    path("<str:uscc>/report.pdf", views.report_pdf, name="report"),
]
