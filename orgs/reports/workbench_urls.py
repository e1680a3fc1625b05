from django.urls import path

from . import views

app_name = "reports_workbench"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:uscc>/", views.report_list, name="list"),
    path("<str:uscc>/<int:year>/", views.edit, name="edit"),
    path("<str:uscc>/<int:year>/check/", views.check, name="check"),
    path("<str:uscc>/<int:year>/attachments/<int:pk>/", views.download_attachment, name="attachment"),
    path("<str:uscc>/<int:year>/receipts/<int:sequence>.pdf", views.receipt, name="receipt"),
]
