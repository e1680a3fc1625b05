"""Cross-cutting middleware: request ids for logs, security headers and the public page cache,
and the end of a request's language (:func:`restore_language`)."""

import uuid
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.utils import translation

from . import pagecache
from .logging import request_id_var

# The languages active when the requests now running in this context started (innermost last).
_languages_before = ContextVar("core_languages_before", default=())


def remember_language(**kwargs):
    _languages_before.set((*_languages_before.get(), translation.get_language()))


def restore_language(**kwargs):
    """When a request has finished (its response closed, after a streamed body was sent), make
    the language that was active before it started active again.

    ``LocaleMiddleware`` activates the visitor's language for the thread and leaves it there:
    without this, whatever the thread ran next ran in the previous visitor's language — the
    next request's middleware before ``LocaleMiddleware`` (an error page it renders), and in
    tests the code between two requests (``reverse()`` named ``/en/…`` addresses after an
    English page). Connected here, when the handler loads the middleware, as Django connects
    its own ``reset_urlconf`` to ``request_finished`` (``django.core.handlers.base``)."""
    stack = _languages_before.get()
    if stack:
        _languages_before.set(stack[:-1])
        translation.activate(stack[-1])
    else:
        translation.deactivate()


request_started.connect(remember_language, dispatch_uid="core.middleware.remember_language")
request_finished.connect(restore_language, dispatch_uid="core.middleware.restore_language")


class RequestIdMiddleware:
    """Give every request an id (or keep the proxy's X-Request-ID) for the JSON logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware doesn't set: CSP and Permissions-Policy.

    The Wagtail admin needs inline scripts, so the CSP applies to public pages only.

    Wagtail renders a preview by passing a dummy request for the page's public URL through
    this middleware (``request.is_dummy``), and the admin shows the result in a frame of its
    own: a preview's policy lets the same origin frame it (``frame-ancestors 'self'``), where
    a public page may be framed by nobody. Wagtail's preview view already sends
    ``X-Frame-Options: SAMEORIGIN``.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        form_action = " ".join(["'self'", *settings.CSP_EXTRA_FORM_ACTION])
        self.csp = f"{settings.CONTENT_SECURITY_POLICY}; form-action {form_action}"
        self.preview_csp = self.csp.replace("frame-ancestors 'none'", "frame-ancestors 'self'")

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=(), payment=()")
        if getattr(request, "is_dummy", False):
            response.setdefault("Content-Security-Policy", self.preview_csp)
        elif not request.path.startswith(("/admin/", "/django-admin/")):
            response.setdefault("Content-Security-Policy", self.csp)
        return response


class PublicPageCacheMiddleware:
    """Serve the public pages of ``settings.PAGE_CACHE_VIEWS`` from the cache (``core.pagecache``).

    Last in ``MIDDLEWARE``: the view is known (``process_view``), the visitor is known to be
    anonymous with no message waiting, and a cached page still passes through every other
    middleware's response handling (security headers, request id) like a fresh one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key is not None and pagecache.storable(request, response):
            return pagecache.store(request, response, key)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        sections = pagecache.sections_of(match.view_name) if match else None
        if sections is None or not pagecache.eligible(request):
            return None
        key = pagecache.page_key(request, sections)
        cached = pagecache.cached_response(request, key)
        if cached is None:
            request._page_cache_key = key
        return cached
