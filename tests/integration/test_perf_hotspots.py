"""The measured hot spots of the public pages (issue 14): translations looked up in one flat
dictionary, the registration authorities labelled once per language, the main menu cached
with explicit invalidation. What the pages show must not change."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import trans_real
from wagtail.models import PageViewRestriction

from cms.models import StandardPage
from core.i18n import FlatTranslation
from orgs.registry.models import CITY_AUTHORITY, District, authority_choices
from tests.factories.cms import make_guide, make_home_page
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db


# --- Translations -----------------------------------------------------------------------------


def chained(language):
    """Django's own translation for `language`: its chain of catalogues, built afresh."""
    return trans_real.DjangoTranslation(language)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_flat_catalogue_answers_every_message_like_djangos_chain(language):
    flat = trans_real.translation(language)
    assert isinstance(flat, FlatTranslation)
    reference = chained(language)
    messages = flat._message_ids() | {"北京市民政局", "这句话没有任何译文", "This field is required."}
    assert len(messages) > 1000  # Django's, Wagtail's and our catalogues are all in
    differing = [m for m in messages if flat.gettext(m) != reference.gettext(m)]
    assert differing == []
    # Plural lookups keep Django's per-catalogue plural forms.
    for n in (1, 2, 5):
        assert flat.ngettext("%(count)s item", "%(count)s items", n) == reference.ngettext(
            "%(count)s item", "%(count)s items", n
        )


def form_errors(html):
    return re.findall(r'class="[^"]*error[^"]*"[^>]*>\s*([^<]+?)\s*<', html)


def test_pages_mix_our_strings_and_framework_translations_in_both_languages(client):
    make_home_page()
    # A message of Django's own catalogue on a public page: the catalogue filter's invalid
    # choice (our forms now say what to do themselves, issue 18 point 7, so the framework's
    # required message no longer appears on them).
    framework = "Select a valid choice. %(value)s is not one of the available choices."
    invalid_zh = chained("zh-hans").gettext(framework) % {"value": "nowhere"}
    assert invalid_zh != framework % {"value": "nowhere"} and "nowhere" in invalid_zh

    html = client.get("/funeral/", {"district": "nowhere"}).content.decode()
    assert '<html lang="zh-hans"' in html
    assert escape(invalid_zh) in html  # Django's Chinese catalogue still applies
    assert "Select a valid choice." not in html
    assert "所在区" in html and "跳到主要内容" in html  # our Chinese source strings

    html = client.get("/en/funeral/", {"district": "nowhere"}).content.decode()
    assert '<html lang="en"' in html
    assert escape(framework % {"value": "nowhere"}) in html and escape(invalid_zh) not in html
    assert "Skip to main content" in html and "跳到主要内容" not in html  # our English catalogue


# --- Registration authorities on /orgs/ -------------------------------------------------------


def authority_of_each_row(html):
    rows = re.findall(r'<li class="org-item">(.*?)</li>', html, re.S)
    found = {}
    for row in rows:
        name = re.search(r"<h2><a [^>]+>([^<]+)</a></h2>", row).group(1)
        spans = re.findall(r"<span>([^<]+)</span>", row)
        found[name] = spans
    return found


def test_registry_list_labels_each_of_100_organisations_with_its_own_authority(client, settings):
    settings.REGISTRY_PAGE_SIZE = 100
    make_home_page()
    codes = [CITY_AUTHORITY] + [code for code, _label in District.choices]
    orgs = [
        OrganizationFactory(registration_authority=codes[i % len(codes)], name=f"北京市测试协会{i:03d}")
        for i in range(100)
    ]
    for language, prefix in (("zh-hans", ""), ("en", "/en")):
        html = client.get(f"{prefix}/orgs/").content.decode()
        rows = authority_of_each_row(html)
        assert len(rows) == 100
        with translation.override(language):
            districts = {code: str(label) for code, label in District.choices}
        for org in orgs:
            code = org.registration_authority
            if language == "zh-hans":
                expected = "北京市民政局" if code == CITY_AUTHORITY else f"{districts[code]}民政局"
            else:
                expected = (
                    "Beijing Municipal Civil Affairs Bureau"
                    if code == CITY_AUTHORITY
                    else f"{districts[code]} District Civil Affairs Bureau"
                )
            assert expected in rows[org.name], (language, org.name, rows[org.name])
    assert "朝阳区民政局" in client.get("/orgs/").content.decode()
    assert "Chaoyang District Civil Affairs Bureau" in client.get("/en/orgs/").content.decode()


def test_authority_choices_are_built_once_per_language():
    with translation.override("zh-hans"):
        chinese = authority_choices()
        assert authority_choices() is chinese
    with translation.override("en"):
        english = authority_choices()
        assert authority_choices() is english
    assert english is not chinese
    assert dict(chinese)["110105"] == "朝阳区民政局"
    assert dict(english)["110105"] == "Chaoyang District Civil Affairs Bureau"


# --- Main menu --------------------------------------------------------------------------------


def menu(html):
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<li><a href="([^"]*)"( aria-current="page")?>([^<]+)</a></li>', nav)


def menu_labels(client, url="/"):
    return [label for _href, _current, label in menu(client.get(url).content.decode())]


def draft_menu_page(home, title, slug):
    page = StandardPage(title=title, slug=slug, show_in_menus=True, live=False)
    home.add_child(instance=page)
    return page


def test_menu_shows_a_newly_published_page_and_drops_an_unpublished_one(client):
    home = make_home_page()
    page = draft_menu_page(home, "关于我们", "about")
    assert "关于我们" not in menu_labels(client)  # cached now, without the draft
    page.save_revision().publish()
    assert "关于我们" in menu_labels(client)
    assert "关于我们" in menu_labels(client, "/en/")
    page.refresh_from_db()
    page.unpublish()
    assert "关于我们" not in menu_labels(client)
    assert "关于我们" not in menu_labels(client, "/en/")


def test_menu_follows_moves_deletions_and_privacy(client):
    home = make_home_page()
    guide = make_guide(home)
    index = guide.get_parent().specific
    index.show_in_menus = True
    index.save_revision().publish()
    about = draft_menu_page(home, "关于我们", "about")
    about.save_revision().publish()
    assert {"办事指南", "关于我们"} <= set(menu_labels(client))

    about.refresh_from_db()
    about.move(index, pos="last-child")  # no longer a child of home
    assert "关于我们" not in menu_labels(client)

    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    assert "办事指南" not in menu_labels(client)
    PageViewRestriction.objects.filter(page=index).delete()
    assert "办事指南" in menu_labels(client)

    index.delete()
    assert "办事指南" not in menu_labels(client)


def test_menu_marks_the_current_page_on_every_request(client):
    home = make_home_page()
    about = draft_menu_page(home, "关于我们", "about")
    about.save_revision().publish()
    for url, current in (("/", "/"), ("/about/", "/about/"), ("/orgs/", "/orgs/"), ("/", "/")):
        items = menu(client.get(url).content.decode())
        assert [href for href, is_current, _label in items if is_current] == [current], url
    # The cached entries are per language: the English menu is not the Chinese one.
    english = menu(client.get("/en/orgs/").content.decode())
    assert [label for _href, is_current, label in english if is_current] == ["Social organisations"]
    assert "Home" in [label for _href, _current, label in english]
    assert ("/", ' aria-current="page"', "首页") in menu(client.get("/").content.decode())


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_home_query_count_is_flat_as_the_menu_grows(client, django_assert_max_num_queries):
    home = make_home_page()
    pages = [draft_menu_page(home, f"栏目{i:03d}", f"section-{i:03d}") for i in range(100)]
    for page in pages[:10]:
        page.save_revision().publish()
    client.get("/")  # warm up the site root paths and the menu cache
    small = queries(client, "/")
    for page in pages[10:]:
        page.save_revision().publish()
    client.get("/")  # the first request after publishing rebuilds the menu
    with django_assert_max_num_queries(small):
        html = client.get("/").content.decode()
    assert len([label for label in (m[2] for m in menu(html)) if label.startswith("栏目")]) == 100


def test_registry_list_query_count_is_flat_from_10_to_100_rows(
    client, settings, django_assert_max_num_queries
):
    settings.REGISTRY_PAGE_SIZE = 100
    make_home_page()
    OrganizationFactory.create_batch(10)
    client.get("/orgs/")
    small = queries(client, "/orgs/")
    OrganizationFactory.create_batch(90)
    with django_assert_max_num_queries(small):
        html = client.get("/orgs/").content.decode()
    assert len(authority_of_each_row(html)) == 100
