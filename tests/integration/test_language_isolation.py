"""A request's language ends with the request (issue 18, point 12: a trust bug).

Django's ``LocaleMiddleware`` activates the visitor's language for the thread and leaves it
active when the response is done. After an English page, everything else that thread runs —
the next request's middleware before ``LocaleMiddleware`` (an error page it renders), and in
the tests the code between two requests (``reverse()``, ``get_absolute_url()``, ``gettext``)
— ran in English: the "Chinese" provider page a test asked for after ``/en/orgs/`` was the
English one, ``/en/funeral/providers/<slug>/``. ``core.middleware`` now restores, when a
request finishes, the language that was active before it started.

The pages themselves are checked too, for every view of the public page cache
(``settings.PAGE_CACHE_VIEWS``), with the page cache, the chrome cache (``cms.chrome``), the
main menu cache and the section pages' cache on as in production: a visitor without cookies
gets the language of the address, whichever language the process served just before and
whether the page comes fresh or from the cache."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.urls import resolve, reverse
from django.utils import translation
from lxml import html as lxml_html
from wagtail.models import Locale, Site

from cms.models import BureauSettings, GuidePage, SectionPage
from tests.factories.catalogue import ProviderFactory, make_item
from tests.factories.charity import CharityProjectFactory
from tests.factories.cms import make_guide, make_home_page
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db

# The chrome every page shows (base.html's skip link), in each language.
SKIP_LINK = {"zh-hans": "跳到主要内容", "en": "Skip to main content"}
# The funeral section's own words from the CMS (cms.section_pages, cached per language).
SECTION_INTRO = {
    "zh-hans": "民政局编辑写的殡葬栏目引导语。",
    "en": "The bureau's own words about funeral services.",
}


def _publish_section(home):
    page = SectionPage(
        title="殡葬服务机构与价格",
        slug="funeral",
        section="funeral",
        intro=f"<p>{SECTION_INTRO['zh-hans']}</p>",
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    english = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True).specific
    english.intro = f"<p>{SECTION_INTRO['en']}</p>"
    english.save_revision().publish()


def _incubator():
    import datetime

    from django.utils import timezone

    from orgs.incubator.models import Offer, OfferKind
    from tests.factories.incubator import ProgrammeFactory

    today = timezone.localdate()
    offer = Offer.objects.create(
        kind=OfferKind.VENUE,
        title="示例共享工位",
        provider_name="示例社会组织服务中心",
        description="共享工位。",
        opens_on=today - datetime.timedelta(days=1),
        deadline=today + datetime.timedelta(days=30),
        published=True,
    )
    return ProgrammeFactory(title="示例孵化计划"), offer


@pytest.fixture
def pages():
    """``{view name: its Chinese path}`` for every view the page cache shares, on data like
    the demo's, with every cache empty."""
    home = make_home_page()
    BureauSettings.for_site(Site.objects.get(is_default_site=True))
    guide = make_guide(home)
    guide.save_revision().publish()
    english_guide = guide.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english_guide.specific.save_revision().publish()
    _publish_section(home)
    provider = ProviderFactory(name="京西示例殡仪馆", slug="jingxi")
    item = make_item(provider, "urn", name="环保骨灰盒", price="800.00")
    organization = OrganizationFactory(name="北京市示例养老服务协会")
    project = CharityProjectFactory(name="示例助老项目")
    programme, offer = _incubator()
    with translation.override(settings.LANGUAGE_CODE):
        paths = {
            "wagtail_serve": guide.url,
            "catalogue:index": reverse("catalogue:index"),
            "catalogue:provider": reverse("catalogue:provider", args=[provider.slug]),
            "catalogue:item_history": reverse("catalogue:item_history", args=[item.pk]),
            "catalogue:compare": reverse("catalogue:compare") + f"?providers={provider.slug}",
            "catalogue:packages": reverse("catalogue:packages"),
            "reviews:provider": reverse("reviews:provider", args=[provider.slug]),
            "complaint_stats:index": reverse("complaint_stats:index"),
            "registry:index": reverse("registry:index"),
            "registry:detail": reverse("registry:detail", args=[organization.uscc]),
            "credit:index": reverse("credit:index"),
            "credit:detail": reverse("credit:detail", args=[organization.uscc]),
            "charity:index": reverse("charity:index"),
            "charity:project": reverse("charity:project", args=[project.pk]),
            "charity:lookup": reverse("charity:lookup"),
            "opendata:index": reverse("opendata:index"),
            "search:search": reverse("search:search") + "?q=殡仪馆",
            "incubator:index": reverse("incubator:index"),
            "incubator:programme": reverse("incubator:programme", args=[programme.pk]),
            "incubator:offers": reverse("incubator:offers"),
            "incubator:offer": reverse("incubator:offer", args=[offer.pk]),
            "incubator:needs": reverse("incubator:needs"),
            "incubator:statistics": reverse("incubator:statistics"),
        }
    for cache in {caches[settings.PAGE_CACHE_ALIAS], caches["default"]}:
        cache.clear()
    return paths


def english(path):
    return f"/en{path}"


def assert_in(language, response):
    assert response.status_code == 200, response.status_code
    tree = lxml_html.fromstring(response.content)
    assert tree.get("lang") == language, (language, response.request["PATH_INFO"], tree.get("lang"))
    skip_link = tree.xpath('//a[@class="skip-link"]')[0].text_content().strip()
    assert skip_link == SKIP_LINK[language], (language, response.request["PATH_INFO"], skip_link)
    assert response["Content-Language"] == language
    if response.request["PATH_INFO"] in ("/funeral/", "/en/funeral/"):
        assert SECTION_INTRO[language] in response.content.decode()


def test_every_view_of_the_page_cache_is_covered(pages):
    assert set(pages) == set(settings.PAGE_CACHE_VIEWS)


@pytest.mark.parametrize("view", sorted(settings.PAGE_CACHE_VIEWS))
def test_a_chinese_page_after_an_english_one_is_chinese(pages, view):
    path = pages[view]
    assert_in("en", Client().get(english(path)))
    first = Client().get(path)
    assert_in("zh-hans", first)
    again = Client().get(path)
    assert_in("zh-hans", again)
    if first.get("X-Page-Cache") == "miss":  # stored: the second visitor gets the shared copy
        assert again["X-Page-Cache"] == "hit"
    assert_in("en", Client().get(english(path)))


@pytest.mark.parametrize("view", sorted(settings.PAGE_CACHE_VIEWS))
def test_an_english_page_after_a_chinese_one_is_english(pages, view):
    path = pages[view]
    assert_in("zh-hans", Client().get(path))
    assert_in("en", Client().get(english(path)))
    assert_in("en", Client().get(english(path)))
    assert_in("zh-hans", Client().get(path))


@pytest.mark.parametrize("view", sorted(settings.PAGE_CACHE_VIEWS))
def test_the_address_named_after_an_english_request_is_the_chinese_page(pages, view):
    """Engineer E's report: ``/en/orgs/``, then the page's address as the code names it
    (``reverse``), asked for by a new visitor without cookies."""
    assert_in("en", Client().get("/en/orgs/"))
    assert translation.get_language() == settings.LANGUAGE_CODE
    if view == "wagtail_serve":
        address = GuidePage.objects.get(locale__language_code=settings.LANGUAGE_CODE).url
    else:
        path, _mark, query = pages[view].partition("?")
        with translation.override(settings.LANGUAGE_CODE):
            kwargs = resolve(path).kwargs
        address = reverse(view, kwargs=kwargs) + (f"?{query}" if query else "")
    assert not address.startswith("/en/"), address
    assert_in("zh-hans", Client().get(address))


def test_the_language_active_before_a_request_is_active_after_it(client):
    """A request's language doesn't outlive it: not in the thread afterwards, and not inside
    an ``override`` that a test (or a command) wraps around a request."""
    make_home_page()
    client.get("/en/")
    assert translation.get_language() == settings.LANGUAGE_CODE
    assert str(translation.gettext("跳到主要内容")) == "跳到主要内容"
    with translation.override("en"):
        client.get("/")
        assert translation.get_language() == "en"
        assert translation.gettext("跳到主要内容") == "Skip to main content"
    assert translation.get_language() == settings.LANGUAGE_CODE
