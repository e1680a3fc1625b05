from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.models import Site

from cms.locales import active_locale, in_default_locale
from cms.signals import MENU_VERSION_KEY, main_menu_version
from core.navigation import main_sections

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context):
    """Home, the home page's children marked "show in menus", then the built app sections.

    The page entries are cached per site and language (``page_menu_items``); which entry is
    the current page is worked out here, for each request."""
    request = context.get("request")
    path = request.path if request else ""
    site = Site.find_for_request(request) if request else None
    items = [dict(item) for item in page_menu_items(site)] if site is not None else []
    for section in main_sections():
        items.append({"label": str(section.label), "url": section.url})
    for item in items:
        url = item["url"] or ""
        item["active"] = path == url if item.get("exact") else bool(url) and path.startswith(url)
    return items


def page_menu_items(site):
    """The site's page entries in the active language, from the cache while no page that
    could change them has been published, unpublished, moved or deleted (``cms.signals``).

    One cache read (the version and the entries together) on a warm cache."""
    key = f"cms:main_menu:{site.pk}:{get_language()}"
    cached = cache.get_many([MENU_VERSION_KEY, key])
    version = cached.get(MENU_VERSION_KEY) or main_menu_version()
    entry = cached.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    items = _build_page_menu_items(site)
    # Stored under the version read *before* building: if a page changed meanwhile the
    # version has moved on and the next request rebuilds.
    cache.set(key, (version, items), settings.CMS_MAIN_MENU_CACHE_SECONDS)
    return items


def _localized(page):
    """``page.localized`` (its live translation in the active language, else ``page``), with
    the active locale from the request's memo (``cms.locales``) instead of a query."""
    active = active_locale()
    if active.pk == page.locale_id:
        return page
    translation = page.get_translation_or_none(active)
    return translation if translation is not None and translation.live else page


def _build_page_menu_items(site):
    home = _localized(site.root_page)
    items = [{"label": _("首页"), "url": home.url, "exact": True}]
    source = in_default_locale(site.root_page)
    for child in source.get_children().live().in_menu().public():
        child = _localized(child)
        items.append({"label": child.title, "url": child.url})
    return items
