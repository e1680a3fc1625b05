from django.urls import path

from . import views
from .slots import views as slot_views

app_name = "orders"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("new/check/", views.check, name="check"),
    path("new/slots/", slot_views.choose, name="slots"),
    path("new/slots/release/", slot_views.release, name="slot_release"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/cancel/", views.cancel, name="cancel"),
    path("<str:reference>/contract/draft.pdf", views.contract_draft, name="contract_draft"),
    path("<str:reference>/contract/sealed.pdf", views.contract_sealed, name="contract_sealed"),
    path("<str:reference>/contract/sign/", views.contract_sign, name="contract_sign"),
    path("<str:reference>/changes/<int:number>/draft.pdf", views.change_draft, name="change_draft"),
    path("<str:reference>/changes/<int:number>/sealed.pdf", views.change_sealed, name="change_sealed"),
    path("<str:reference>/changes/<int:number>/sign/", views.change_sign, name="change_sign"),
    path("<str:reference>/changes/<int:number>/decline/", views.change_decline, name="change_decline"),
    path("<str:reference>/certificates/<str:number>.pdf", views.certificate, name="certificate"),
    path("<str:reference>/pay/", views.pay, name="pay"),
    path("<str:reference>/slots/<int:pk>/accept-move/", slot_views.accept_move, name="slot_accept_move"),
    path("<str:reference>/slots/<int:pk>/decline-move/", slot_views.decline_move, name="slot_decline_move"),
    path("<str:reference>/receipts/<str:payment_reference>.pdf", views.receipt, name="receipt"),
]
