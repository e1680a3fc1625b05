"""Downloads and open data of the catalogue: a provider's price list (PDF, CSV), the city's
current prices and price history, and the F10 anchoring records (the published, signed
price-chain heads, their signatures and certificates)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import opendata

from . import exports
from .models import ChainHeads, ChainRehash
from .services.notice import price_notice
from .views import public_provider


@require_GET
def prices_pdf(request, slug):
    provider = public_provider(slug)
    content = exports.provider_pdf(provider, price_notice(provider))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{provider.slug}-prices.pdf"'
    return response


@require_GET
def prices_csv(request, slug):
    provider = public_provider(slug)
    rows = list(exports.provider_price_rows(price_notice(provider)))
    return opendata.csv_response(f"{provider.slug}-prices.csv", exports.PROVIDER_CSV_HEADER, rows)


@require_GET
def open_prices_csv(request):
    records = exports.current_price_records()
    return opendata.csv_response(
        "funeral-current-prices.csv",
        exports.CURRENT_HEADER,
        ([record[key] for key in exports.CURRENT_HEADER] for record in records),
    )


@require_GET
def open_prices_json(request):
    return opendata.json_response(
        "funeral-current-prices.json",
        opendata.dataset_meta("殡葬服务现行价格"),
        exports.current_price_records(),
    )


@require_GET
def open_history_csv(request):
    records = exports.history_records()
    return opendata.csv_response(
        "funeral-price-history.csv",
        exports.HISTORY_HEADER,
        ([record[key] for key in exports.HISTORY_HEADER] for record in records),
    )


@require_GET
def open_history_json(request):
    return opendata.json_response(
        "funeral-price-history.json", opendata.dataset_meta("殡葬服务价格历史"), exports.history_records()
    )


# --- F10 anchoring: the published, signed price-chain heads --------------------------------------


def _heads_record(day):
    import datetime

    try:
        parsed = datetime.date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    return get_object_or_404(ChainHeads, day=parsed)


@require_GET
def chain_heads(request):
    records = Paginator(ChainHeads.objects.order_by("-day"), settings.CATALOGUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "catalogue/chain_heads.html",
        {
            "records": records,
            "rehashes": ChainRehash.objects.order_by("-performed_at"),
            "breadcrumbs": [(_("殡葬服务"), reverse("catalogue:index")), (_("价格哈希链链头公示"), None)],
        },
    )


@require_GET
def chain_heads_json(request, day):
    """The exact bytes that were signed."""
    response = HttpResponse(
        _heads_record(day).payload_bytes(), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="price-chain-heads-{day}.json"'
    return response


@require_GET
def chain_heads_signature(request, day):
    response = HttpResponse(_heads_record(day).signature_bytes(), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="price-chain-heads-{day}.sig"'
    return response


@require_GET
def chain_heads_certificate(request, day):
    """The seal certificate that signed the record (issued by the platform root)."""
    return HttpResponse(_heads_record(day).certificate, content_type="application/x-pem-file")


@require_GET
def chain_heads_root_certificate(request):
    from core import sealing

    return HttpResponse(sealing.root_certificate_pem(), content_type="application/x-pem-file")


@require_GET
def chain_heads_index_json(request):
    """Open data: every published record with its links and the re-hash notes."""
    records = ChainHeads.objects.order_by("day").only("day", "published_at", "payload_sha256", "chain_count")

    def rows():
        for record in records.iterator(chunk_size=500):
            day = record.day.isoformat()
            yield {
                "day": day,
                "published_at": record.published_at.isoformat(),
                "chains": record.chain_count,
                "payload_sha256": record.payload_sha256,
                "json": request.build_absolute_uri(reverse("catalogue:chain_heads_json", args=[day])),
                "signature": request.build_absolute_uri(
                    reverse("catalogue:chain_heads_signature", args=[day])
                ),
                "certificate": request.build_absolute_uri(
                    reverse("catalogue:chain_heads_certificate", args=[day])
                ),
            }

    meta = opendata.dataset_meta(
        _("殡葬服务价格哈希链链头"),
        root_certificate=request.build_absolute_uri(reverse("catalogue:chain_heads_root_certificate")),
        rehashes=[
            {
                "performed_at": note.performed_at.isoformat(),
                "scheme_from": note.scheme_from,
                "scheme_to": note.scheme_to,
                "reason": note.reason,
                "heads": note.heads,
                "skipped": note.skipped,
            }
            for note in ChainRehash.objects.order_by("performed_at")
        ],
    )
    return opendata.json_response("price-chain-heads.json", meta, rows())
