from django.urls import path, re_path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.index, name="index"),
    path("providers/<slug:slug>/", views.provider_detail, name="provider"),
    path("providers/<slug:slug>/prices.pdf", views.prices_pdf, name="prices_pdf"),
    path("providers/<slug:slug>/prices.csv", views.prices_csv, name="prices_csv"),
    path("items/<int:pk>/history/", views.item_history, name="item_history"),
    path("compare/", views.compare, name="compare"),
    path("packages/", views.packages, name="packages"),
    path("quote/", views.quote, name="quote"),
    path("quote/statement/", views.quote_statement, name="quote_statement"),
    path("quote/<str:reference>/", views.quote_detail, name="quote_detail"),
    path("open-data/current-prices.csv", views.open_prices_csv, name="open_prices_csv"),
    path("open-data/current-prices.json", views.open_prices_json, name="open_prices_json"),
    path("open-data/price-history.csv", views.open_history_csv, name="open_history_csv"),
    path("open-data/price-history.json", views.open_history_json, name="open_history_json"),
    path("chain-heads/", views.chain_heads, name="chain_heads"),
    path("chain-heads/index.json", views.chain_heads_index_json, name="chain_heads_index_json"),
    path(
        "chain-heads/root-cert.pem", views.chain_heads_root_certificate, name="chain_heads_root_certificate"
    ),
    re_path(
        r"^chain-heads/(?P<day>\d{4}-\d{2}-\d{2})\.json$", views.chain_heads_json, name="chain_heads_json"
    ),
    re_path(
        r"^chain-heads/(?P<day>\d{4}-\d{2}-\d{2})\.sig$",
        views.chain_heads_signature,
        name="chain_heads_signature",
    ),
    re_path(
        r"^chain-heads/(?P<day>\d{4}-\d{2}-\d{2})\.pem$",
        views.chain_heads_certificate,
        name="chain_heads_certificate",
    ),
]
