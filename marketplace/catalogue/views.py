"""Public pages of the funeral catalogue: the list of providers, a provider's price notice, an
item's price history, the comparison and the standard-package table. Thin: parse, call
services, render. The quote lives in ``quote_views``, downloads and open data in
``open_data_views``."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .charts import price_step_chart
from .filters import CatalogueFilter
from .hooks import provider_sections
from .models import Provider, ProviderPhoto, ServiceCategory, ServiceItem
from .services.ceilings import categories_with_ceilings, public_history
from .services.compare import compare_providers, selected_providers
from .services.current import today
from .services.notice import price_notice
from .services.packages import (
    package_breakdowns,
    package_prices,
    providers_for_page,
    sorted_by_package_price,
    standard_package,
)


def provider_choices():
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
    package = standard_package()
    prices = package_prices(package)
    filterset = CatalogueFilter(
        request.GET or None, queryset=Provider.objects.public(), package_prices=prices
    )
    ids = filterset.ordered_ids(prices)
    page = Paginator(ids, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/index.html",
        {
            "filter": filterset,
            # The narrowing filters in use (the sort order only orders): shown on the 筛选 button.
            "active_filters": sum(
                1 for name in filterset.form.fields if name != "sort" and request.GET.get(name)
            ),
            "page_obj": page,
            "providers": providers_for_page(page.object_list, prices),
            "package": package,
            "query_string": _query_string(request),
            "breadcrumbs": [(_("殡葬服务"), None)],
        },
    )


def public_provider(slug):
    return get_object_or_404(
        Provider.objects.public().prefetch_related(
            Prefetch("photos", queryset=ProviderPhoto.objects.select_related("image"))
        ),
        slug=slug,
    )


@require_GET
def provider_detail(request, slug):
    provider = public_provider(slug)
    day = today()
    notice = price_notice(provider, day)
    package = standard_package()
    breakdown = package_breakdowns(package, [provider], day, priced_items=notice["items"]).get(provider.pk)
    return render(
        request,
        "catalogue/provider.html",
        {
            "provider": provider,
            "notice": notice,
            "package": package,
            "breakdown": breakdown,
            "f6_ceiling": settings.F6_BASIC_PACKAGE_CEILING,
            "sections": provider_sections(provider, request),
            "breadcrumbs": [(_("殡葬服务"), reverse("catalogue:index")), (provider.name, None)],
        },
    )


@require_GET
def item_history(request, pk):
    item = get_object_or_404(
        ServiceItem.objects.select_related("provider", "category").filter(provider__is_published=True), pk=pk
    )
    versions = list(item.versions.select_related("flag").order_by("effective_from", "id"))
    day = today()
    current = None
    for version in versions:
        if version.effective_from <= day:
            current = version
    basis = current.basis if current else item.basis
    return render(
        request,
        "catalogue/item_history.html",
        {
            "item": item,
            "versions": versions,
            "current": current,
            "chart": price_step_chart(versions, day),
            "today": day,
            # F2: the bureau's ceilings of this category and basis, beside the price history.
            "ceiling_rows": public_history(item.category, basis, day),
            "breadcrumbs": [
                (_("殡葬服务"), reverse("catalogue:index")),
                (item.provider.name, item.provider.get_absolute_url()),
                (_("%(item)s 价格历史") % {"item": item.name}, None),
            ],
        },
    )


@require_GET
def compare(request):
    asked = request.GET.getlist("p")
    slugs, providers = selected_providers(asked)
    error = ""
    comparison = None
    if len(asked) > settings.CATALOGUE_COMPARE_MAX:
        error = _("最多可同时比较 %(n)s 家机构，已取前 %(n)s 家。") % {"n": settings.CATALOGUE_COMPARE_MAX}
    if len(providers) >= 2:
        comparison = compare_providers(providers)
    elif slugs or asked:
        error = error or _("请选择 2 至 %(n)s 家机构进行比较。") % {"n": settings.CATALOGUE_COMPARE_MAX}
    return render(
        request,
        "catalogue/compare.html",
        {
            "comparison": comparison,
            "error": error,
            "choices": provider_choices(),
            "selected": slugs,
            "slots": range(settings.CATALOGUE_COMPARE_MAX),
            "catalogue_url": reverse("catalogue:index"),
            "breadcrumbs": [(_("殡葬服务"), reverse("catalogue:index")), (_("机构比较"), None)],
        },
    )


@require_GET
def packages(request):
    package = standard_package()
    prices = package_prices(package)
    ids = sorted_by_package_price(Provider.objects.public().filter(pk__in=list(prices)), prices)
    page = Paginator(ids, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    providers = providers_for_page(page.object_list, prices)
    breakdowns = package_breakdowns(package, providers)
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


@require_GET
def ceilings(request):
    """F2: the bureau's ceilings per category, with a link to each category's full history."""
    return render(
        request,
        "catalogue/ceilings.html",
        {
            "categories": categories_with_ceilings(),
            "today": today(),
            "breadcrumbs": [(_("殡葬服务"), reverse("catalogue:index")), (_("最高限价"), None)],
        },
    )


@require_GET
def ceilings_category(request, code):
    """F2: every ceiling version of one category, newest first: effective date, amount, reason
    and document (a ceiling is never edited; a change is a new version)."""
    category = get_object_or_404(ServiceCategory, code=code)
    return render(
        request,
        "catalogue/ceilings_category.html",
        {
            "category": category,
            "ceiling_rows": public_history(category),
            "breadcrumbs": [
                (_("殡葬服务"), reverse("catalogue:index")),
                (_("最高限价"), reverse("catalogue:ceilings")),
                (category.display_name, None),
            ],
        },
    )
