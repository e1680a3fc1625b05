"""Keeping a checked file between the dry run and the confirmation.

A file whose dry run found nothing to reject is kept in the cache for
``IMPORT_STAGING_SECONDS`` under a one-time token bound to the user, the project and the
kind of import, so only the file that was checked is confirmed, and only by whoever checked
it, for that project and kind."""

import secrets

from django.conf import settings
from django.core.cache import cache


def _cache_key(user, token):
    return f"charity-import:{user.pk}:{token}"


def stage(user, project, spec, name, data):
    """Keep the checked file; return its token."""
    token = secrets.token_urlsafe(16)
    cache.set(
        _cache_key(user, token),
        {"project": project.pk, "kind": spec.kind, "name": name, "data": data},
        settings.IMPORT_STAGING_SECONDS,
    )
    return token


def staged(user, token, project, spec):
    """The kept file as ``(name, data)``, or None when it expired or was staged by someone
    else, for another project or another kind of import."""
    stored = cache.get(_cache_key(user, token))
    if stored is None or (stored["project"], stored["kind"]) != (project.pk, spec.kind):
        return None
    return stored["name"], stored["data"]


def discard(user, token):
    """Forget the kept file (it was imported, or can no longer be read)."""
    cache.delete(_cache_key(user, token))
