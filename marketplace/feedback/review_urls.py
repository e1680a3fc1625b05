from django.urls import path

from . import review_views as views

app_name = "reviews"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("orders/<str:reference>/", views.new, name="new"),
    path("<int:pk>/report/", views.report, name="report"),
    path("providers/<slug:slug>/", views.provider_reviews, name="provider"),
]
