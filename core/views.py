"""Operational and site-wide views: health check, robots.txt, large-text preference."""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import replica

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """Report the version, whether the database answers (503 when it doesn't) and the read
    replica's state: ``none`` without one, ``ok`` with its lag, or ``down``. A replica that is
    down leaves the site working on the primary (core.replica): the answer stays 200 with the
    status ``degraded``."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"status": "ok", "vendor": connection.vendor}
        status = 200
    except Exception as exc:  # the point of a health check is to report any failure
        logger.exception("health check: database unavailable")
        database = {"status": "error", "error": exc.__class__.__name__}
        status = 503
    replica_state = replica.health() if status == 200 else {"status": "unknown"}
    overall = "ok" if status == 200 else "error"
    if status == 200 and replica_state["status"] == "down":
        overall = "degraded"
    return JsonResponse(
        {
            "status": overall,
            "version": settings.PLATFORM_VERSION,
            "database": database,
            "replica": replica_state,
        },
        status=status,
    )


@require_GET
def favicon(request):
    """Browsers, feed readers and crawlers ask for ``/favicon.ico`` whatever the page links;
    answer with the icon instead of a 404 (the pages themselves link the SVG)."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /workbench/",
        "Disallow: /orders/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# The two preference switches in every page's header carry no CSRF token, so that the public
# pages around them can be shared from the page cache (core.pagecache): a token is per visitor.
# A forged request can only switch a visitor's display language or text size, and the
# redirect target is checked against this host.
@csrf_exempt
@require_POST
def toggle_large_text(request):
    """Switch the large-text (适老化) mode and remember it in a cookie for a year."""
    enabled = request.POST.get("large_text") == "1"
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LARGE_TEXT_COOKIE,
        "1" if enabled else "0",
        max_age=settings.LARGE_TEXT_COOKIE_MAX_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=False,  # the toggle script reads it to update the page without a reload
    )
    return response


def _strip_language_prefix(path):
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if code != settings.LANGUAGE_CODE and (path == prefix[:-1] or path.startswith(prefix)):
            return "/" + path[len(prefix) :]
    return path


@csrf_exempt  # see toggle_large_text
@require_POST
def set_language(request):
    """Switch language and return to the same page in the other language.

    Django's own view can't translate URLs when the default language is unprefixed
    and a catch-all (Wagtail) pattern exists, so the prefix is swapped here:
    Chinese pages are unprefixed, English ones live under /en/.
    """
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    path = _strip_language_prefix(target if target.startswith("/") else "/")
    if language != settings.LANGUAGE_CODE:
        path = f"/{language}{path}"
    response = HttpResponseRedirect(path)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response
