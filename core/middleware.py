"""Cross-cutting middleware: request ids for logs and security headers."""

import uuid

from django.conf import settings

from .logging import request_id_var


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
    """

    def __init__(self, get_response):
        self.get_response = get_response
        form_action = " ".join(["'self'", *settings.CSP_EXTRA_FORM_ACTION])
        self.csp = f"{settings.CONTENT_SECURITY_POLICY}; form-action {form_action}"

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=(), payment=()")
        if not request.path.startswith(("/admin/", "/django-admin/")):
            response.setdefault("Content-Security-Policy", self.csp)
        return response
