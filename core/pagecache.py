"""Whole public pages from the cache, never stale (issue 14, goal 3).

**What is cached.** Only the views named in ``settings.PAGE_CACHE_VIEWS`` (the public list and
detail pages: the catalogue, the registry, credit, charity, open data and the CMS pages), for
``GET``/``HEAD``, for a visitor who is not signed in and has no message waiting, when the view
answers 200 without setting a cookie and without using the CSRF token (a page with a form that
posts carries a per-visitor token, so it is never shared). Signed-in pages are never cached.

**The key** is the path with its query string in a canonical order, the language, the
large-text mode (the only preference cookie that changes the HTML), today's date in
Asia/Shanghai (prices, deadlines and countdowns change at midnight), the current *version*
of every section the page shows, the values of the rule settings (a bureau that changes a
ceiling in the environment sees it on the next request after the restart) and the release
(``PAGE_CACHE_RELEASE``, or a digest of the code and templates on disk, the same on every
node built from one image), so a deploy never serves pages from the templates before it.

**Invalidation.** A section's version is a random token in the cache. ``PAGE_CACHE_APP_SECTIONS``
maps app labels to sections; a save or delete of any model of such an app (and a change of the
Wagtail page tree) sets a new token for its sections once the transaction commits, so every
page built on the old data is unreachable at once, on every web node that shares the cache.
Writes that send no signal (``bulk_create``, ``QuerySet.update``) call :func:`bump` themselves.
A request reads the versions *before* the view reads any data, so a page rendered from data
that a concurrent commit replaced is stored under the old version and never served again: a
write sets new tokens at once and again when its transaction commits, before the writer's own
response.
``PAGE_CACHE_SECONDS`` only bounds how long an entry occupies the cache.

**HTTP.** Every such page gets an ``ETag`` (a digest of its bytes) and
``Cache-Control: max-age=0, must-revalidate``: browsers and nginx may keep it but must ask
again, and a matching ``If-None-Match`` is answered ``304`` from the cache.
"""

import functools
import hashlib
import re
import uuid
from pathlib import Path
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

VERSION_KEY = "pagecache:version:{}"
CACHE_CONTROL = "max-age=0, must-revalidate"
KEPT_HEADERS = ("Content-Type", "Content-Language")


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def sections_of(view_name):
    """The sections a view's page shows, or ``None`` if the view is not cached."""
    sections = settings.PAGE_CACHE_VIEWS.get(view_name)
    return None if sections is None else tuple(sorted({*sections, *settings.PAGE_CACHE_ALWAYS}))


def versions(sections):
    """The current token of each section (a new one for a section the cache has none of)."""
    cache = _cache()
    keys = {section: VERSION_KEY.format(section) for section in sections}
    found = cache.get_many(keys.values())
    tokens = []
    for section, key in keys.items():
        token = found.get(key)
        if token is None:
            cache.add(key, uuid.uuid4().hex, None)
            token = cache.get(key)
        tokens.append(f"{section}={token}")
    return tokens


def _new_tokens(sections):
    _cache().set_many({VERSION_KEY.format(s): uuid.uuid4().hex for s in sorted(sections)}, None)


def bump(*sections):
    """Make every cached page of ``sections`` unreachable: at once (so the writer's own next read,
    even inside its transaction, is fresh) and again when the transaction commits (so a page that
    another request rendered meanwhile from the data before the commit is unreachable too).
    Within one transaction the sections are gathered into one commit callback; a rollback drops
    it with the rest of the transaction."""
    if not sections:
        return
    _new_tokens(sections)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    pending = getattr(connection, "_pagecache_pending", None)
    if pending is not None:
        index, flush = pending
        callbacks = connection.run_on_commit
        if index < len(callbacks) and callbacks[index][1] is flush:
            flush.sections.update(sections)
            return

    def flush():
        _new_tokens(flush.sections)

    flush.sections = set(sections)
    connection._pagecache_pending = (len(connection.run_on_commit), flush)
    transaction.on_commit(flush)


@functools.cache
def release():
    """This deployment: ``PAGE_CACHE_RELEASE`` (e.g. the image tag), or a digest of the names,
    sizes and modification times of the project's code, templates and translations."""
    if settings.PAGE_CACHE_RELEASE:
        return settings.PAGE_CACHE_RELEASE
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for package in (
        "config",
        "core",
        "accounts",
        "cms",
        "search",
        "marketplace",
        "orgs",
        "payments",
        "api",
        "templates",
    ):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".html", ".mo", ".txt", ".svg") and path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


RULE_SETTING = re.compile(r"^(?:[A-Z][0-9]+|WARNING)_[A-Z0-9_]+$")


_RULE_DIGEST = [None, ""]  # (the settings object it was computed for, the digest)


def rule_settings():
    """A digest of the current values of the rule settings (``config/settings/rules.py``:
    named after their rule id, ``F2_…``, ``S5_…``, or ``WARNING_…``). Computed once per
    settings object: settings change only with a restart, or with ``override_settings``,
    which installs a new one."""
    wrapped = settings._wrapped
    if _RULE_DIGEST[0] is not wrapped:
        names = sorted(name for name in dir(settings) if RULE_SETTING.match(name))
        values = repr([(name, getattr(settings, name)) for name in names])
        _RULE_DIGEST[:] = [wrapped, hashlib.sha256(values.encode()).hexdigest()]
    return _RULE_DIGEST[1]


def page_key(request, sections):
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    large_text = request.COOKIES.get(settings.LARGE_TEXT_COOKIE) == "1"
    parts = [
        request.path,
        query,
        get_language() or settings.LANGUAGE_CODE,
        "large" if large_text else "normal",
        timezone.localdate().isoformat(),
        release(),
        rule_settings(),
        *versions(sections),
    ]
    return "pagecache:page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _has_waiting_messages(request):
    if "messages" in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get("_messages"))


def eligible(request):
    user = getattr(request, "user", None)
    return (
        settings.PAGE_CACHE_ENABLED
        and request.method in ("GET", "HEAD")
        and not (user is not None and user.is_authenticated)
        and not _has_waiting_messages(request)
    )


def storable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.has_header("Cache-Control")
    )


def etag_of(content):
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def validated(request, response, etag):
    """The response with its validators, or 304 when the browser already holds these bytes."""
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        not_modified["Cache-Control"] = CACHE_CONTROL
        return not_modified
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ("Cookie",))
    return response


def cached_response(request, key):
    entry = _cache().get(key)
    if entry is None:
        return None
    content, headers = entry
    response = HttpResponse(content, status=200)
    for name, value in headers:
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return validated(request, response, etag_of(content))


def store(request, response, key):
    content = response.content
    headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
    _cache().set(key, (content, headers), settings.PAGE_CACHE_SECONDS)
    response["X-Page-Cache"] = "miss"
    return validated(request, response, etag_of(content))


# --- Invalidation by signals ------------------------------------------------------------------


def _sections_for(sender):
    meta = getattr(sender, "_meta", None)
    if meta is None or sender.__module__ == "__fake__":
        # A migration's historical model: a migration ships with a new release, and the
        # release is part of every page key, so nothing cached before it is served after it.
        return ()
    mapping = settings.PAGE_CACHE_APP_SECTIONS
    return mapping.get(meta.label_lower, mapping.get(meta.app_label, ()))


def _changed(sender, **kwargs):
    if kwargs.get("raw"):
        return
    sections = _sections_for(sender)
    if sections:
        bump(*sections)


def _m2m_changed(sender, instance=None, action="", **kwargs):
    if action.startswith("post_"):
        sections = _sections_for(type(instance))
        if sections:
            bump(*sections)


def connect_signals():
    """Called from ``CoreConfig.ready()``: one receiver for every model, filtered by app label."""
    post_save.connect(_changed, dispatch_uid="pagecache_saved")
    post_delete.connect(_changed, dispatch_uid="pagecache_deleted")
    m2m_changed.connect(_m2m_changed, dispatch_uid="pagecache_m2m")
    labels = {key.partition(".")[0] for key in settings.PAGE_CACHE_APP_SECTIONS}
    unknown = labels - {config.label for config in apps.get_app_configs()}
    if unknown:
        raise LookupError(f"PAGE_CACHE_APP_SECTIONS names apps that are not installed: {sorted(unknown)}")
