from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import registry
from .backends import get_backend
from .forms import SearchForm


def _localized(url, language):
    """Entries store URLs in the platform's language; language-neutral ones move to the active one."""
    if language == settings.LANGUAGE_CODE or not url.startswith("/"):
        return url
    with translation.override(settings.LANGUAGE_CODE):  # resolve the stored (unprefixed) path
        return translate_url(url, language)


@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    query, doc_type = "", None
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"].strip()
        doc_type = form.cleaned_data["type"] or None
    elif form.is_bound:
        query = (request.GET.get("q") or "").strip()[:100]
    language = translation.get_language()
    backend = get_backend()
    results = backend.search(query, doc_type=doc_type, page=request.GET.get("page"), language=language)
    hits = results.hits
    for hit in hits:
        hit.url = _localized(hit.url, language)
    counts = [
        {
            "key": count.key,
            "label": count.label,
            "count": count.count,
            "capped": count.capped,
            "query_string": urlencode({"q": results.query, "type": count.key}),
        }
        for count in results.counts
    ]
    params = {"q": results.query}
    if results.doc_type:
        params["type"] = results.doc_type
    response = render(
        request,
        "search/results.html",
        {
            "form": form,
            "results": results,
            "hits": hits,
            "page_obj": results.page_obj,
            "counts": counts,
            "all_query_string": urlencode({"q": results.query}),
            "query_string": urlencode(params),
            "active_type": registry.get_type(results.doc_type) if results.doc_type else None,
            "document_types": registry.document_types(),
            "breadcrumbs": [(_("站内搜索"), None)],
        },
    )
    if not backend.writes_visible_at_once:
        # A page rendered before the engine shows a write would outlive it in the page cache.
        add_never_cache_headers(response)
    return response
