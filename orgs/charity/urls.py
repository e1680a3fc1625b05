from django.urls import path

from core.opendata import stored

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
    *(
        path(
            f"open-data/{name}.{fmt}",
            stored(f"charity-{name}", fmt, views.export, name=name, fmt=fmt),
            name=f"{name}_{fmt}",
        )
        for name in ("projects", "donations", "expenditures")
        for fmt in ("csv", "json")
    ),
]
