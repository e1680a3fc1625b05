from django.urls import path

from . import review_workbench_views as views

app_name = "review_workbench"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/reply/", views.reply, name="reply"),
]
