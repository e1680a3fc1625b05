from django.urls import path

from . import views

app_name = "memorial_visits"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:reference>/", views.booking, name="booking"),
    path("mine/<str:reference>/pass.pdf", views.pass_pdf, name="pass_pdf"),
    path("mine/<str:reference>/cancel/", views.cancel, name="cancel"),
    path("sessions/<int:pk>/book/", views.book, name="book"),
    path("<slug:slug>/", views.provider, name="provider"),
]
