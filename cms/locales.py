"""The default and the active Wagtail ``Locale``, looked up once per request.

Wagtail's ``Locale.get_default()`` and ``Locale.get_active()`` query the database on every
call, and a CMS page asks several times (its children, the notices, the menu).
:class:`cms.chrome.ChromeCacheMiddleware` opens a memo for each request; outside a request
(a command, a test calling a model method) every call asks the database, as Wagtail does.
"""

from contextvars import ContextVar

from django.conf import settings
from django.utils import translation
from wagtail.models import Locale

_memo = ContextVar("cms_locales", default=None)


def open_memo():
    """Start a request's memo; returns the token to pass to :func:`close_memo`."""
    return _memo.set({})


def close_memo(token):
    _memo.reset(token)


def remember(language_code, locale):
    """Put a locale found elsewhere (the chrome's cache) into this request's memo."""
    memo = _memo.get()
    if memo is not None:
        memo[language_code] = locale


def find_default_locale():
    """The default locale, or ``None`` if it doesn't exist."""
    try:
        return default_locale()
    except (Locale.DoesNotExist, LookupError):
        return None


def _lookup(language_code):
    memo = _memo.get()
    if memo is None:
        return Locale.objects.get_for_language(language_code)
    if language_code not in memo:
        try:
            memo[language_code] = Locale.objects.get_for_language(language_code)
        except (Locale.DoesNotExist, LookupError) as error:
            memo[language_code] = error
    found = memo[language_code]
    if isinstance(found, Exception):
        raise found
    return found


def default_locale():
    return _lookup(settings.LANGUAGE_CODE)


def active_locale():
    """The locale of the active language, or the default one (as ``Locale.get_active()``)."""
    try:
        return _lookup(translation.get_language())
    except (Locale.DoesNotExist, LookupError):
        return default_locale()


def in_default_locale(page):
    """``page``'s version in the default language (``page`` itself when it is one, which
    costs no query), or ``page`` when it has none."""
    default = default_locale()
    if page.locale_id == default.pk:
        return page
    return page.get_translation_or_none(default) or page
