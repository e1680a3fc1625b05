"""The admin speaks Chinese (issue 23, point 10): "Search all pages…", "Go to the first error",
True/False and None were shown in English on the Chinese admin.

The walk signs in as the superuser with the Chinese admin and reads every admin page that
takes no id (the routes of ``test_admin_walk``), the first edit or inspect page each listing
links to, the dashboard, the page explorer and a page's edit view, with demo data so the
listings have rows. From each page it takes the text a person sees or hears: text nodes
outside scripts, styles, templates and hidden elements, and the placeholder, aria-label,
title and alt attributes.

An English phrase there is an untranslated framework string when it is a message id (or a
literal piece of one around its placeholders) of Django's or Wagtail's catalogues: that is
how the test tells a missing translation from content that is rightly English (the English
versions of the demo pages, codes, e-mail addresses). ``True``, ``False`` and ``None`` are
Python's own words for a value that was printed without a label; they are flagged wherever
they appear.

The missing translations are in ``locale/zh_Hans/LC_MESSAGES/django.po``, which takes
precedence over the apps' catalogues (``LOCALE_PATHS``).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
import wagtail
from django.core.management import call_command

from tests.integration.test_admin_walk import SKIPPED, admin_routes

pytestmark = pytest.mark.django_db

# Words that are the same in Chinese text: names, formats and codes, and what can't be a
# translation problem. Each is justified:
ALLOWED = {
    "Wagtail",  # the product's name (the admin's footer and "Wagtail 8.0 的新功能")
    "English",  # the name of the language in the language choices
    "CSV",
    "XLSX",
    "PDF",
    "URL",
    "ID",
    "USCC",
    "QR",  # formats and codes  # fmt: skip
    "AVIF",
    "GIF",
    "JPG",
    "JPEG",
    "PNG",
    "WEBP",
    "SVG",
    "MB",
    "KB",  # image formats, sizes  # fmt: skip
    "localhost",  # the demo site's host name
    "Home",  # the title of the English home page (content, listed in the page explorer)
}
PYTHON_WORDS = {"True", "False", "None"}

# Untranslated text the catalogue can't fix, by path prefix and phrase, each with its cause.
# Delete an entry when its page is fixed.
KNOWN_UNTRANSLATED: dict[tuple[str, str], str] = {
    # Wagtail's own: a page last published by nobody (the demo loader publishes without a
    # user) and the search pagination's page label, both printed as Python's None.
    ("/admin/reports/aging-pages/", "None"): "Wagtail prints a missing publisher as None",
    ("/admin/pages/search/", "None"): "Wagtail's page search pagination prints None",
    # Wagtail's permission names and model names come from the database (auth.Permission,
    # ContentType) or unmarked form labels, not from the catalogue.
    ("/admin/groups/", "Locale"): "content type name from the database",
    ("/admin/groups/", "Page"): "content type name from the database",
    ("/admin/groups/", "Publish any page"): "permission name from the database",
    ("/admin/groups/", "Unlock any page"): "permission name from the database",
    ("/admin/groups/", "Delete pages with children"): "permission name from the database",
    ("/admin/workflows/", "Page"): "Wagtail's workflow page chooser label is not marked for translation",
    # Wagtail's redirect import page writes its help as plain template text.
    (
        "/admin/redirects/import/",
        "Select a file where redirects are separated into rows and contains the columns representing",
    ): "unmarked template text",
    ("/admin/redirects/import/", "they can be named anything"): "unmarked template text",
    (
        "/admin/redirects/import/",
        "After submitting you will be taken to a confirmation view where you can customize your redirects before import",
    ): "unmarked template text",
}

SITE_PACKAGES = Path(django.__file__).parent.parent
CATALOGUES = [
    *Path(django.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po"),
    *Path(wagtail.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po"),
]
PLACEHOLDER = re.compile(r"%\([^)]*\)[sdif]|%[sdif]|\{[^}]*\}|<[^>]+>")
PHRASE = re.compile(
    r"(?<![A-Za-z0-9@._/:#-])[A-Za-z][A-Za-z’']*(?:[ ][A-Za-z][A-Za-z’']*)*(?![A-Za-z0-9@_/-])"
)


def message_ids():
    """(whole message ids, literal pieces): every message id of Django's and Wagtail's catalogues, and the literal pieces of those
    with placeholders or markup ("Sort by '%(label)s' in ascending order" gives "Sort by" and
    "in ascending order")."""
    whole, pieces = set(), set()
    for path in CATALOGUES:
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r'^msgid(?:_plural)? ((?:".*"\n)+)', text, re.M):
            message = "".join(re.findall(r'"(.*)"', block)).replace('\\"', '"').replace("\\n", " ")
            if not message:
                continue
            whole.add(message.strip(" .…"))
            for piece in PLACEHOLDER.split(message):
                piece = piece.strip(" .,:;!?'\"“”‘’()…-")
                if piece:
                    pieces.add(piece)
    return whole, pieces


class VisibleText(HTMLParser):
    """The text of a page that is shown or read out."""

    SKIP = {"script", "style", "template", "noscript"}
    VOID = {"input", "img", "br", "hr", "meta", "link", "source", "area", "col", "embed", "wbr"}
    ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.parts = []

    @property
    def hidden(self):
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self.hidden:
            self.parts.extend(attrs[name] for name in self.ATTRIBUTES if attrs.get(name))
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append(tag in self.SKIP or "hidden" in attrs)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def phrases(body):
    parser = VisibleText()
    parser.feed(body)
    found = set()
    for part in parser.parts:
        found.update(match.strip(" '’") for match in PHRASE.findall(part))
    return found


def untranslated(body, ids):
    """The English phrases of a page that are framework strings. A single lower-case word is
    left out: on these pages it is a code shown on purpose (a status code, a template
    variable such as ``{{ total }}``), and as a piece of a message id it says nothing."""
    whole, pieces = ids
    found = set()
    for phrase in phrases(body):
        words = phrase.split()
        if phrase in ALLOWED or set(words) <= ALLOWED:
            continue
        if set(words) & PYTHON_WORDS:
            found.add(phrase)
        elif len(words) == 1 and phrase.islower():
            continue
        elif phrase in whole or (len(words) > 1 and phrase in pieces):
            found.add(phrase)
    return found


def admin_pages(client):
    """The walk's paths: every admin page without an id, one edit or inspect page per listing,
    the explorer of the home page and the edit view of a guide."""
    from cms.models import GuidePage, HomePage

    paths = ["/" + route.replace("$", "") for route in sorted(set(admin_routes()))]
    paths = [path for path in paths if not any(path.endswith(skip) for skip in SKIPPED)]
    home = HomePage.objects.filter(locale__language_code="zh-hans").first()
    guide = GuidePage.objects.filter(locale__language_code="zh-hans").first()
    paths += [f"/admin/pages/{home.pk}/", f"/admin/pages/{guide.pk}/edit/"]
    seen_objects = set()
    for path in list(paths):
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        yield path, response.content.decode()
        for link in re.findall(
            r'href="(/admin/[^"?#]*/(?:edit|inspect)/[^"/?#]+/)"', response.content.decode()
        ):
            listing = link.rsplit("/", 3)[0]
            if listing in seen_objects or "/pages/" in link:
                continue
            seen_objects.add(listing)
            detail = client.get(link)
            if detail.status_code == 200:
                yield link, detail.content.decode()


@pytest.fixture
def superuser_client(client):
    from accounts.demo import DEMO_ADMIN_MOBILE
    from accounts.models import User

    with open("/dev/null", "w") as devnull:
        call_command("load_demo_data", stdout=devnull)
    client.force_login(User.objects.get(mobile=DEMO_ADMIN_MOBILE))
    client.cookies["platform_language"] = "zh-hans"
    client.raise_request_exception = False
    return client


def test_the_admin_shows_no_untranslated_english(superuser_client):
    ids = message_ids()
    report = {}
    walked = 0
    for path, body in admin_pages(superuser_client):
        walked += 1
        found = {
            phrase
            for phrase in untranslated(body, ids)
            if not any(path.startswith(prefix) and known == phrase for prefix, known in KNOWN_UNTRANSLATED)
        }
        if found:
            report[path] = sorted(found)
    assert walked > 100  # listings, forms and one detail page per listing
    assert not report, "untranslated admin text:\n" + "\n".join(
        f"  {path}: {found}" for path, found in sorted(report.items())
    )


def test_the_detector_finds_what_the_bureau_saw():
    ids = message_ids()
    page = (
        '<input placeholder="Search all pages…"><button>Go to the first error</button>'
        "<td>True</td><td>None</td><div hidden>Go to the first error</div>"
        "<p>Service guides</p><p>导出 CSV</p><script>var x = 'Actions';</script>"
    )
    assert untranslated(page, ids) == {"Search all pages", "Go to the first error", "True", "None"}
