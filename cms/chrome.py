"""The site and the bureau's settings that every page's chrome shows, from the shared cache.

Wagtail looks both up in the database on every request: ``Site.find_for_request`` (routing,
the main menu) and ``BureauSettings.for_request`` (the footer's address and hotline). Both
keep what they found on the request (``request._wagtail_site``, and the attribute named by
``get_cache_attr_name()``) and use it if it is already there. This middleware puts it there
from the shared cache, with the default language's ``Locale`` (:mod:`cms.locales`), so a page
rendered for the first time runs three queries fewer. It runs
as the view is about to be called, after the page cache (a page served whole from the cache
needs neither), and it opens the request's memo of Wagtail locales (:mod:`cms.locales`).

The entry's key holds the current version of the page cache's ``cms`` section
(:mod:`core.pagecache`): a save of a site, a page or these settings gives the section a new
version when it commits, on every node that shares the cache, so the chrome is never older
than the pages it is part of. A host that matches no site is remembered as such too.
"""

from django.conf import settings
from django.core.cache import caches
from django.http.request import split_domain_port
from wagtail.models import Site

from core import pagecache

from . import locales
from .models import BureauSettings

_NO_SITE = "none"


class ChromeCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = locales.open_memo()
        try:
            return self.get_response(request)
        finally:
            locales.close_memo(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # After the page cache's own process_view: a page served from it needs neither. The
        # open data API (/api/, the public URL map) renders no page chrome.
        if not request.path_info.startswith(NO_CHROME_PREFIX):
            prime(request)


NO_CHROME_PREFIX = "/api/"


def _load(request):
    site = Site.find_for_request(request)
    if site is None:
        return None
    return site, BureauSettings.for_site(site), locales.find_default_locale()


def prime(request):
    """Put the request's site and bureau settings on it, from the cache or the database."""
    host = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    cache = caches[settings.PAGE_CACHE_ALIAS]
    found = None
    for _attempt in range(2):
        (version,) = pagecache.versions(("cms",))
        key = f"cms:chrome:{host}:{port}:{version}"
        found = cache.get(key)
        if found is not None:
            break
        if hasattr(request, "_wagtail_site"):
            del request._wagtail_site  # found for the version before: look again
        found = _load(request)
        cache.set(key, _NO_SITE if found is None else found, settings.PAGE_CACHE_SECONDS)
        # Loading may itself change the section: Wagtail creates a site's settings row the
        # first time it is asked for. Then what was stored is already unreachable, and it is
        # loaded once more under the new version, so the next request finds it.
        if pagecache.versions(("cms",))[0] == version:
            break
    site, bureau, default_locale = (None, None, None) if found in (None, _NO_SITE) else found
    request._wagtail_site = site
    if default_locale is not None:
        locales.remember(settings.LANGUAGE_CODE, default_locale)
    if bureau is not None:
        bureau._request = request
        setattr(request, BureauSettings.get_cache_attr_name(), bureau)
