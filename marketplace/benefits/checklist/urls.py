from django.urls import path

from . import views

app_name = "benefit_checklist"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("accept/<str:token>/", views.accept, name="accept"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/checklist.pdf", views.pdf, name="pdf"),
    path("<str:reference>/steps/<int:step>/tick/", views.tick, name="tick"),
    path("<str:reference>/steps/<int:step>/untick/", views.untick, name="untick"),
    path("<str:reference>/keepers/", views.keepers, name="keepers"),
    path("<str:reference>/keepers/<int:pk>/revoke/", views.revoke, name="revoke"),
]
