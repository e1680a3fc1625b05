from django.urls import path

from . import workbench_views as views

app_name = "orders_workbench"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/confirm/", views.confirm, name="confirm"),
    path("<str:reference>/contract/issue/", views.issue_contract, name="issue_contract"),
    path("<str:reference>/contract/sign/", views.contract_sign, name="contract_sign"),
    path("<str:reference>/contract/draft.pdf", views.contract_draft, name="contract_draft"),
    path("<str:reference>/contract/sealed.pdf", views.contract_sealed, name="contract_sealed"),
    path("<str:reference>/start/", views.start, name="start"),
    path("<str:reference>/complete/", views.complete, name="complete"),
    path("<str:reference>/cancel/", views.cancel, name="cancel"),
    path("<str:reference>/changes/new/", views.change_new, name="change_new"),
    path("<str:reference>/changes/<int:number>/sign/", views.change_sign, name="change_sign"),
    path("<str:reference>/changes/<int:number>/withdraw/", views.change_withdraw, name="change_withdraw"),
    path("<str:reference>/changes/<int:number>/draft.pdf", views.change_draft, name="change_draft"),
    path("<str:reference>/changes/<int:number>/sealed.pdf", views.change_sealed, name="change_sealed"),
    path("<str:reference>/certificates/<str:number>.pdf", views.certificate, name="certificate"),
]
