"""Mounted at /payments/ inside the language prefix (/en/payments/… in English). Gateways
call the unprefixed notify and gateway URLs, which resolve in the default language."""

from django.conf import settings
from django.urls import include, path

from . import views

app_name = "payments"
urlpatterns = [
    path("notify/<str:variant>/", views.notify, name="notify"),
    path("checkout/<str:public_id>/", views.checkout, name="checkout"),
    path("return/<str:public_id>/", views.return_view, name="return"),
    path("return/<str:public_id>/refresh/", views.refresh, name="refresh"),
]

if settings.PAYMENTS_SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("payments.sandbox.urls")))
