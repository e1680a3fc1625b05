from django.urls import path

from . import views

app_name = "charity"
urlpatterns = [
    path("", views.index, name="index"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("lookup/", views.lookup, name="lookup"),
    path("files/vouchers/<int:pk>/", views.voucher, name="voucher"),
    path("files/report-attachments/<int:pk>/", views.report_attachment, name="report_attachment"),
    path("files/articles/<int:pk>/", views.articles, name="articles"),
    # The files' former public-media address, for links made before they moved (nginx may
    # rewrite /media/charity/… here).
    path("media/<path:name>", views.legacy_media, name="legacy_media"),
    path("projects/<int:pk>/donate/", views.donate, name="donate"),
    path("my-gifts/", views.my_gifts, name="my_gifts"),
    path("my-gifts/<str:receipt_number>.pdf", views.gift_receipt, name="gift_receipt"),
    path("my-gifts/<str:public_id>/cancel/", views.cancel_gift, name="cancel_gift"),
    path("open-data/projects.csv", views.export, {"name": "projects", "fmt": "csv"}, name="projects_csv"),
    path("open-data/projects.json", views.export, {"name": "projects", "fmt": "json"}, name="projects_json"),
    path("open-data/donations.csv", views.export, {"name": "donations", "fmt": "csv"}, name="donations_csv"),
    path(
        "open-data/donations.json", views.export, {"name": "donations", "fmt": "json"}, name="donations_json"
    ),
    path(
        "open-data/expenditures.csv",
        views.export,
        {"name": "expenditures", "fmt": "csv"},
        name="expenditures_csv",
    ),
    path(
        "open-data/expenditures.json",
        views.export,
        {"name": "expenditures", "fmt": "json"},
        name="expenditures_json",
    ),
]
