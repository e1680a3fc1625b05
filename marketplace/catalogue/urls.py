from django.urls import path, re_path

from core.opendata import stored

from . import open_data_views, quote_views, views

odv = open_data_views
PRICES, HISTORY = "funeral-current-prices", "funeral-price-history"  # their keys in core.opendata

app_name = "catalogue"
urlpatterns = [
    path("", views.index, name="index"),
    path("providers/<slug:slug>/", views.provider_detail, name="provider"),
    path("providers/<slug:slug>/prices.pdf", open_data_views.prices_pdf, name="prices_pdf"),
    path("providers/<slug:slug>/prices.csv", open_data_views.prices_csv, name="prices_csv"),
    path("items/<int:pk>/history/", views.item_history, name="item_history"),
    path("ceilings/", views.ceilings, name="ceilings"),
    path("ceilings/<slug:code>/", views.ceilings_category, name="ceilings_category"),
    path("compare/", views.compare, name="compare"),
    path("packages/", views.packages, name="packages"),
    path("quote/", quote_views.quote, name="quote"),
    path("quote/statement/", quote_views.quote_statement, name="quote_statement"),
    path("quote/<str:reference>/", quote_views.quote_detail, name="quote_detail"),
    # Bulk files: built by a task and stored (core.opendata.stored), streamed from disk.
    path("open-data/current-prices.csv", stored(PRICES, "csv", odv.open_prices_csv), name="open_prices_csv"),
    path(
        "open-data/current-prices.json", stored(PRICES, "json", odv.open_prices_json), name="open_prices_json"
    ),
    path(
        "open-data/price-history.csv", stored(HISTORY, "csv", odv.open_history_csv), name="open_history_csv"
    ),
    path(
        "open-data/price-history.json",
        stored(HISTORY, "json", odv.open_history_json),
        name="open_history_json",
    ),
    path("chain-heads/", open_data_views.chain_heads, name="chain_heads"),
    path("chain-heads/index.json", open_data_views.chain_heads_index_json, name="chain_heads_index_json"),
    path(
        "chain-heads/root-cert.pem",
        open_data_views.chain_heads_root_certificate,
        name="chain_heads_root_certificate",
    ),
    re_path(
        r"^chain-heads/(?P<day>\d{4}-\d{2}-\d{2})\.json$",
        open_data_views.chain_heads_json,
        name="chain_heads_json",
    ),
    re_path(
        r"^chain-heads/(?P<day>\d{4}-\d{2}-\d{2})\.sig$",
        open_data_views.chain_heads_signature,
        name="chain_heads_signature",
    ),
    re_path(
        r"^chain-heads/(?P<day>\d{4}-\d{2}-\d{2})\.pem$",
        open_data_views.chain_heads_certificate,
        name="chain_heads_certificate",
    ),
]
