from django.urls import path

from . import views

app_name = "sandbox"
urlpatterns = [
    path("gateway.do", views.gateway_view, name="gateway"),
    path("cashier/<str:token>/", views.cashier, name="cashier"),
]
