"""Links an editor types must lead somewhere on this site (issue 23, point 8).

Wagtail checks a link to a chosen page by its id; a link typed as text — an "external" link
in rich text to ``/funerl/``, a home-page entry's 站内链接, a guide's 网上办理链接 to the
platform's own address — was published as a live link that answered 404. The admin's page
form (``CheckedLinksPageForm``) now refuses a link to this site that resolves to nothing:

- a path of the URL map (``/funeral/``, ``/en/credit/``) resolves through Django's resolver;
- a path that only Wagtail's catch-all matches must be a live page under a site's root page
  (in any of its languages);
- links to other sites, ``mailto:``, ``tel:`` and ``#anchors`` are the editor's business.

A path that resolves to a view taking an object (``/funeral/providers/<slug>/``) is accepted
when its pattern matches; whether that object exists is checked when the page is shown, not
when it is published.
"""

import json
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Site

HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# A value in a StreamField that is a path on its own (an entry's 站内链接): "/…", no spaces.
BARE_PATH = re.compile(r"^/(?!/)\S*$")
SERVE_VIEW = "wagtail_serve"


def _own_hosts():
    hosts = {site.hostname.lower() for site in Site.objects.all()}
    hosts.update(host.lower().lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*")
    return hosts


def internal_path(link, own_hosts):
    """The path of ``link`` if it points at this site, else ``None``."""
    link = link.strip()
    if not link or link.startswith(("#", "mailto:", "tel:")):
        return None
    parts = urlsplit(link)
    if parts.scheme in ("http", "https"):
        return (parts.path or "/") if (parts.hostname or "").lower() in own_hosts else None
    if parts.scheme or link.startswith("//") or not link.startswith("/"):
        return None
    return parts.path or "/"


def _page_exists(path):
    """A live page at ``path`` under the root page of any site, in any of its languages."""
    rest = path.strip("/")
    for site in Site.objects.select_related("root_page"):
        for root in site.root_page.get_translations(inclusive=True):
            url_path = f"{root.url_path}{rest}/" if rest else root.url_path
            if Page.objects.live().filter(url_path=url_path).exists():
                return True
    return False


def _language_of(path):
    """The language whose URL prefix ``path`` carries (``/en/…``), else the default one:
    ``i18n_patterns`` resolve only the active language's prefix."""
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE and (path == f"/{code}" or path.startswith(f"/{code}/")):
            return code
    return settings.LANGUAGE_CODE


def path_exists(path):
    try:
        with translation.override(_language_of(path)):
            match = resolve(path)
    except Resolver404:
        return False
    if match.url_name == SERVE_VIEW:
        return _page_exists(path if not match.args else "/" + match.args[0])
    return True


def _links_in(field, value):
    if value in (None, ""):
        return []
    if isinstance(field, RichTextField):
        return HREF.findall(str(value))
    if isinstance(field, StreamField):
        found = []

        def walk(node):
            if isinstance(node, dict):
                for item in node.values():
                    walk(item)
            elif isinstance(node, list):
                for item in node:
                    walk(item)
            elif isinstance(node, str):
                found.extend(HREF.findall(node))
                if BARE_PATH.match(node.strip()):
                    found.append(node.strip())

        walk(json.loads(json.dumps(field.stream_block.get_prep_value(value), default=str)))
        return found
    if isinstance(field, (models.URLField, models.CharField)) and field.name.endswith("url"):
        return [str(value)]
    return []


def broken_links(page):
    """``{field name: [links to this site that lead nowhere]}`` for the page's own fields."""
    own_hosts = _own_hosts()
    broken = {}
    for field in page._meta.get_fields():
        if getattr(field, "model", None) is Page or not getattr(field, "concrete", False):
            continue  # Wagtail's own fields (slug, url_path…) are Wagtail's to check
        for link in _links_in(field, getattr(page, field.name, None)):
            path = internal_path(link, own_hosts)
            if path is not None and not path_exists(path):
                broken.setdefault(field.name, []).append(link)
    return broken


class CheckedLinksPageForm(WagtailAdminPageForm):
    """The admin's page form, refusing a link to this site that leads nowhere.

    Checked in the form, where an editor changes the words, not in ``Page.clean()``: Wagtail
    saves pages with ``clean()`` when it moves or unpublishes them too, and a page whose link
    broke later (a page it points to was deleted) must still be movable and unpublishable."""

    def _post_clean(self):
        super()._post_clean()
        for name, links in broken_links(self.instance).items():
            for link in links:
                self.add_error(
                    name if name in self.fields else None,
                    ValidationError(
                        _("链接 %(link)s 指向本站不存在的页面，请检查拼写或改为选择页面。"),
                        params={"link": link},
                    ),
                )
