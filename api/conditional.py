"""Validators and caching headers for every API response.

**ETag.** A resource that names the page-cache sections it reads (``cache_sections``, e.g.
``("funeral",)``) gets a *version* ETag: a digest of its path, its query string in a canonical
order, the language, the release, the rule settings, today's date in Asia/Shanghai and the
current version of each section (``core.pagecache.versions``, which every save or delete in
those apps renews when it commits). It is computed before the view reads any data, so a
matching ``If-None-Match`` is answered ``304`` without a database query, and the ETag changes
exactly when data the resource shows (or the code that shows it) does. A resource without
sections gets a digest of its body instead (still a correct validator, computed after the
view ran).

**Last-Modified** (version ETags only) is the time this server first answered this resource in
its current version, kept in the cache beside the version; a new version always gets a later
second than the one before, so ``If-Modified-Since`` never hides a change. ``If-None-Match``
wins over ``If-Modified-Since`` when both are sent (RFC 9110 §13.2.2).

**Server-side cache.** The rendered body of a version is kept in the page cache
(``API_RESPONSE_CACHE_SECONDS``) under its ETag, the scheme, the host and the negotiated
format, so a repeated request for unchanged data is answered without reading the data.

**Cache-Control.** Successful answers may be kept ``API_CACHE_MAX_AGE`` seconds by any cache
(the data is public), then must be revalidated; errors, 429 included, are ``no-store``.

**Licence and citation.** Every answer carries ``Link: <licence>; rel="license"``,
``Link: <docs>; rel="describedby"``, ``X-License: CC-BY-4.0`` and ``X-Citation``.
"""

import hashlib
import math
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language

from core import pagecache
from core.opendata import LICENCE

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_ID = "CC-BY-4.0"
# Headers are ASCII; the Chinese name of the publisher (core.opendata.PUBLISHER) is on the docs page.
PUBLISHER_EN = "Beijing Municipal Bureau of Civil Affairs"
TITLE_EN = "Beijing Civil Affairs Open Data API v1"
SEEN_KEY = "api:seen:{}"


def _resource_key(request):
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    return "\n".join([request.path, query, get_language() or settings.LANGUAGE_CODE])


def version_validators(request, sections):
    """``(etag, last_modified_timestamp)`` for a resource built from ``sections``."""
    resource = _resource_key(request)
    parts = [
        resource,
        timezone.localdate().isoformat(),
        pagecache.release(),
        pagecache.rule_settings(),
        *pagecache.versions(sorted(sections)),
    ]
    version = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    etag = f'W/"{version}"'
    seen_key = SEEN_KEY.format(hashlib.sha256(resource.encode()).hexdigest())
    seen = cache.get(seen_key)
    if seen and seen[0] == version:
        return etag, seen[1]
    stamp = math.floor(time.time())
    if seen:
        stamp = max(stamp, seen[1] + 1)
    cache.set(seen_key, (version, stamp), settings.API_VALIDATOR_SECONDS)
    return etag, stamp


def _body_key(request, etag):
    """Where the rendered body of a version is kept: the version, plus what the body depends on
    besides the data (absolute URLs carry the scheme and host; the format is negotiated)."""
    accepted = getattr(request, "accepted_media_type", "") or ""
    parts = [etag, request.scheme, request.get_host(), accepted]
    return "api:body:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cached_body(request, etag):
    """``(content, content_type)`` of this version of the resource if an earlier request rendered
    it, else ``None``. Off when ``API_RESPONSE_CACHE_SECONDS`` is 0."""
    if not settings.API_RESPONSE_CACHE_SECONDS:
        return None
    return caches[settings.PAGE_CACHE_ALIAS].get(_body_key(request, etag))


def body_storer(request, etag):
    """A post-render callback keeping a successful body under its version (see :func:`cached_body`).
    The versions were read before the view read any data, so a body rendered from data that a
    concurrent commit replaced is stored under the old version, which is never asked for again."""

    def callback(response):
        if settings.API_RESPONSE_CACHE_SECONDS and response.status_code == 200 and not response.streaming:
            caches[settings.PAGE_CACHE_ALIAS].set(
                _body_key(request, etag),
                (response.content, response["Content-Type"]),
                settings.API_RESPONSE_CACHE_SECONDS,
            )
        return None

    return callback


def _etags(header):
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _weak_match(etag, header):
    """RFC 9110 weak comparison: ``W/"x"`` and ``"x"`` match; ``*`` matches anything."""
    bare = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == bare for tag in _etags(header))


def is_not_modified(request, etag, last_modified=None):
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        return _weak_match(etag, if_none_match)
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return last_modified is not None and since is not None and last_modified <= since


def not_modified_response():
    return HttpResponseNotModified()


def citation(request):
    return (
        f"{PUBLISHER_EN}, {TITLE_EN}, {request.build_absolute_uri(request.path)}, "
        f"retrieved {timezone.localdate().isoformat()}, licence {LICENCE}"
    )


def decorate(request, response, etag=None, last_modified=None):
    """Add validators, caching, licence and citation headers to ``response`` (any status)."""
    ok = response.status_code in (200, 304)
    if ok and etag:
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={settings.API_CACHE_MAX_AGE}" if ok else "no-store"
    response["Link"] = (
        f'<{LICENCE_URL}>; rel="license", <{request.build_absolute_uri(reverse("api:docs"))}>; rel="describedby"'
    )
    response["X-License"] = LICENCE_ID
    response["X-Citation"] = citation(request)
    patch_vary_headers(response, ("Accept-Language",))
    return response


def body_validator(request):
    """A post-render callback: a strong ETag from the body, and 304 when the caller has it."""

    def callback(response):
        if response.status_code != 200 or response.has_header("ETag"):
            return None
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        if is_not_modified(request, etag):
            return decorate(request, not_modified_response(), etag)
        response["ETag"] = etag
        return None

    return callback
