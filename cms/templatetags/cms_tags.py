from django import template
from django.utils.translation import gettext as _
from wagtail.models import Locale, Site

from core.navigation import main_sections

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context):
    """Home, the home page's children marked "show in menus", then the built app sections."""
    request = context.get("request")
    path = request.path if request else ""
    site = Site.find_for_request(request) if request else None
    items = []
    if site is not None:
        home = site.root_page.localized
        items.append({"label": _("首页"), "url": home.url, "exact": True})
        source = site.root_page.get_translation_or_none(Locale.get_default()) or site.root_page
        for child in source.get_children().live().in_menu().public():
            child = child.localized
            items.append({"label": child.title, "url": child.url})
    for section in main_sections():
        items.append({"label": str(section.label), "url": section.url})
    for item in items:
        url = item["url"] or ""
        item["active"] = path == url if item.get("exact") else bool(url) and path.startswith(url)
    return items
