"""Public pages of the funeral catalogue. Thin: parse, call services, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import get_managed_or_404
from core import opendata

from . import exports, services
from .charts import price_step_chart
from .filters import CatalogueFilter
from .hooks import quote_actions
from .models import (
    BurialChoice,
    ChainHeads,
    ChainRehash,
    Provider,
    ProviderPhoto,
    Quote,
    ServiceCategory,
    ServiceItem,
)

QUOTE_SESSION_KEY = "catalogue_quote"


def _provider_choices():
    """(slug, name) pairs for a <select>, or None when there are too many to list."""
    choices = list(
        Provider.objects.public()
        .order_by("name")
        .values_list("slug", "name")[: settings.CATALOGUE_SELECT_MAX + 1]
    )
    return None if len(choices) > settings.CATALOGUE_SELECT_MAX else choices


def _query_string(request, drop=("page",)):
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


@require_GET
def index(request):
    package = services.standard_package()
    prices = services.package_prices(package)
    filterset = CatalogueFilter(
        request.GET or None, queryset=Provider.objects.public(), package_prices=prices
    )
    ids = services.sorted_by_package_price(filterset.qs, prices, by_name=filterset.sort_by_name)
    page = Paginator(ids, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/index.html",
        {
            "filter": filterset,
            "page_obj": page,
            "providers": services.providers_for_page(page.object_list, prices),
            "package": package,
            "query_string": _query_string(request),
            "breadcrumbs": [(_("殡葬服务"), None)],
        },
    )


def _public_provider(slug):
    return get_object_or_404(
        Provider.objects.public().prefetch_related(
            Prefetch("photos", queryset=ProviderPhoto.objects.select_related("image"))
        ),
        slug=slug,
    )


@require_GET
def provider_detail(request, slug):
    provider = _public_provider(slug)
    notice = services.price_notice(provider)
    package = services.standard_package()
    breakdown = services.package_breakdowns(package, [provider]).get(provider.pk)
    return render(
        request,
        "catalogue/provider.html",
        {
            "provider": provider,
            "notice": notice,
            "package": package,
            "breakdown": breakdown,
            "f6_ceiling": settings.F6_BASIC_PACKAGE_CEILING,
            "breadcrumbs": [(_("殡葬服务"), reverse("catalogue:index")), (provider.name, None)],
        },
    )


@require_GET
def item_history(request, pk):
    item = get_object_or_404(
        ServiceItem.objects.select_related("provider", "category").filter(provider__is_published=True), pk=pk
    )
    versions = list(item.versions.select_related("flag").order_by("effective_from", "id"))
    day = services.today()
    current = None
    for version in versions:
        if version.effective_from <= day:
            current = version
    return render(
        request,
        "catalogue/item_history.html",
        {
            "item": item,
            "versions": versions,
            "current": current,
            "chart": price_step_chart(versions, day),
            "today": day,
            "breadcrumbs": [
                (_("殡葬服务"), reverse("catalogue:index")),
                (item.provider.name, item.provider.get_absolute_url()),
                (_("%(item)s 价格历史") % {"item": item.name}, None),
            ],
        },
    )


@require_GET
def compare(request):
    slugs = list(dict.fromkeys(s for s in request.GET.getlist("p") if s))[: settings.CATALOGUE_COMPARE_MAX]
    providers_by_slug = {p.slug: p for p in Provider.objects.public().filter(slug__in=slugs)}
    providers = [providers_by_slug[s] for s in slugs if s in providers_by_slug]
    error = ""
    rows = []
    if len(request.GET.getlist("p")) > settings.CATALOGUE_COMPARE_MAX:
        error = _("最多可同时比较 %(n)s 家机构，已取前 %(n)s 家。") % {"n": settings.CATALOGUE_COMPARE_MAX}
    if len(providers) >= 2:
        items = (
            services.public_items()
            .filter(provider__in=providers, current_price__isnull=False)
            .order_by("category__sort_order", "sort_order", "pk")
        )
        table = {}
        for item in items:
            key = (item.provider_id, item.category_id)
            if key not in table or item.current_price < table[key].current_price:
                table[key] = item
        stats = services.city_stats()
        offered = {category_id for (_p, category_id) in table}
        for category in (
            ServiceCategory.objects.filter(pk__in=offered).select_related("parent").order_by("sort_order")
        ):
            cells = [table.get((provider.pk, category.pk)) for provider in providers]
            cheapest = min(item.current_price for item in cells if item is not None)
            rows.append(
                {
                    "category": category,
                    "cells": [
                        {"item": item, "cheapest": item is not None and item.current_price == cheapest}
                        for item in cells
                    ],
                    "stats": stats.get(category.pk),
                }
            )
    elif slugs or request.GET.getlist("p"):
        error = error or _("请选择 2 至 %(n)s 家机构进行比较。") % {"n": settings.CATALOGUE_COMPARE_MAX}
    choices = _provider_choices()
    return render(
        request,
        "catalogue/compare.html",
        {
            "providers": providers,
            "rows": rows,
            "error": error,
            "choices": choices,
            "selected": slugs,
            "slots": range(settings.CATALOGUE_COMPARE_MAX),
            "catalogue_url": reverse("catalogue:index"),
            "breadcrumbs": [(_("殡葬服务"), reverse("catalogue:index")), (_("机构比较"), None)],
        },
    )


@require_GET
def packages(request):
    package = services.standard_package()
    prices = services.package_prices(package)
    ids = services.sorted_by_package_price(Provider.objects.public().filter(pk__in=list(prices)), prices)
    page = Paginator(ids, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    providers = services.providers_for_page(page.object_list, prices)
    breakdowns = services.package_breakdowns(package, providers)
    return render(
        request,
        "catalogue/packages.html",
        {
            "package": package,
            "page_obj": page,
            "rows": [(p, breakdowns[p.pk]) for p in providers],
            "f6_ceiling": settings.F6_BASIC_PACKAGE_CEILING,
            "query_string": "",
            "breadcrumbs": [(_("殡葬服务"), reverse("catalogue:index")), (_("标准服务包比价"), None)],
        },
    )


# --- Quote (F7, F9) ---------------------------------------------------------------------------


def _selections_from_post(post):
    """The ticked items and their quantities; bad quantities become errors, never lost input."""
    selections, kept, errors = {}, {}, []
    for raw in post.getlist("item"):
        quantity = post.get(f"qty_{raw}", "1").strip() or "1"
        try:
            item_id = int(raw)
        except ValueError:
            continue
        kept[item_id] = quantity
        try:
            selections[item_id] = int(quantity)
        except ValueError:
            errors.append(_("“%(value)s”不是有效的数量，请填写 1 至 999 的整数。") % {"value": quantity})
    return selections, kept, errors


@require_http_methods(["GET", "POST"])
def quote(request):
    providers = _provider_choices()
    slug = request.POST.get("provider") or request.GET.get("provider")
    provider = Provider.objects.public().filter(slug=slug).first() if slug else None
    items, errors, posted = [], [], None
    if provider is not None:
        items = list(
            services.with_current_price(provider.items.filter(is_active=True)).select_related("category")
        )
        items = [i for i in items if i.current_price is not None]
    if request.method == "POST" and provider is not None:
        selections, kept, errors = _selections_from_post(request.POST)
        burial_choice = request.POST.get("burial_choice", "")
        resident = request.POST.get("beijing_resident") == "1"
        posted = {"selections": kept, "burial_choice": burial_choice, "resident": resident}
        if not selections and not errors:
            errors.append(_("请至少勾选一个项目。"))
        if not errors:
            try:
                statement = services.compute_statement(
                    provider, selections, burial_choice=burial_choice, beijing_resident=resident
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                if request.user.is_authenticated:
                    saved = services.save_quote(request.user, statement)
                    messages.success(request, _("报价单已保存，单号 %(ref)s。") % {"ref": saved.reference})
                    return redirect(saved.get_absolute_url())
                request.session[QUOTE_SESSION_KEY] = {
                    "provider": provider.pk,
                    "selections": {str(k): v for k, v in selections.items()},
                    "burial_choice": burial_choice,
                    "resident": resident,
                }
                return redirect("catalogue:quote_statement")
    elif request.method == "POST":
        errors.append(_("请先选择机构。"))
    if posted is None and provider is not None:
        saved = request.session.get(QUOTE_SESSION_KEY) or {}
        if saved.get("provider") == provider.pk:
            posted = {
                "selections": {int(k): v for k, v in saved.get("selections", {}).items()},
                "burial_choice": saved.get("burial_choice", ""),
                "resident": saved.get("resident", False),
            }
    posted = posted or {"selections": {}, "burial_choice": "", "resident": True}
    for item in items:
        item.selected = item.pk in posted["selections"]
        default = provider.term_years if item.category.cemetery_component == "maintenance" else 1
        item.quantity = posted["selections"].get(item.pk, default)
    groups = {}
    for item in items:
        groups.setdefault(item.category, []).append(item)
    my_quotes = (
        Quote.objects.filter(user=request.user).select_related("provider")[:10]
        if request.user.is_authenticated
        else []
    )
    return render(
        request,
        "catalogue/quote.html",
        {
            "providers": providers,
            "provider": provider,
            "groups": list(groups.items()),
            "errors": errors,
            "posted": posted,
            "burial_choices": BurialChoice.choices,
            "policy_reference": settings.F7_POLICY_REFERENCE,
            "my_quotes": my_quotes,
            "catalogue_url": reverse("catalogue:index"),
            "breadcrumbs": [(_("殡葬服务"), reverse("catalogue:index")), (_("费用估算"), None)],
        },
        status=400 if errors else 200,
    )


@require_GET
def quote_statement(request):
    """A visitor's statement, kept in the session and recomputed at today's posted prices."""
    saved = request.session.get(QUOTE_SESSION_KEY)
    if not saved:
        return redirect("catalogue:quote")
    provider = Provider.objects.public().filter(pk=saved.get("provider")).first()
    if provider is None:
        request.session.pop(QUOTE_SESSION_KEY, None)
        return redirect("catalogue:quote")
    try:
        statement = services.compute_statement(
            provider,
            saved.get("selections", {}),
            burial_choice=saved.get("burial_choice", ""),
            beijing_resident=saved.get("resident", False),
        )
    except ValidationError:
        messages.error(request, _("部分项目已下架或调整，请重新选择。"))
        return redirect(f"{reverse('catalogue:quote')}?provider={provider.slug}")
    return _render_statement(request, statement, None)


@require_GET
def quote_detail(request, reference):
    if not request.user.is_authenticated:
        raise Http404
    saved = get_managed_or_404(request.user, Quote.objects.select_related("provider"), reference=reference)
    return _render_statement(request, services.statement_from_quote(saved), saved)


def _render_statement(request, statement, saved):
    return render(
        request,
        "catalogue/statement.html",
        {
            "statement": statement,
            "saved": saved,
            "quote_actions": quote_actions(request, saved) if saved else [],
            "provider": statement.provider,
            "breadcrumbs": [
                (_("殡葬服务"), reverse("catalogue:index")),
                (_("费用估算"), reverse("catalogue:quote")),
                (_("费用明细"), None),
            ],
        },
    )


# --- Price lists and open data ----------------------------------------------------------------------


@require_GET
def prices_pdf(request, slug):
    provider = _public_provider(slug)
    content = exports.provider_pdf(provider, services.price_notice(provider))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{provider.slug}-prices.pdf"'
    return response


@require_GET
def prices_csv(request, slug):
    provider = _public_provider(slug)
    rows = list(exports.provider_price_rows(services.price_notice(provider)))
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
