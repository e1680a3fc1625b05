"""The Qingming runbook's cache warm-up (``manage.py warm_public_pages``, ``docs/deployment.md``):
one pass over HTTP leaves every public page of the sitemap and every list page in the shared page
cache, in both languages, so the next visitor of any node is served from it."""

import io
import socket

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.factories.catalogue import ProviderFactory
from tests.factories.cms import make_home_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(settings):
    from wagtail.models import Site

    from cms.models import BureauSettings

    settings.PAGE_CACHE_ENABLED = True
    make_home_page()
    BureauSettings.for_site(Site.objects.get(is_default_site=True))
    caches[settings.PAGE_CACHE_ALIAS].clear()


def served_from_cache(path):
    return Client().get(path).get("X-Page-Cache") == "hit"


def test_the_sitemap_lists_published_providers_only(site, client):
    published = ProviderFactory(slug="jingxi", is_published=True)
    hidden = ProviderFactory(slug="weigongshi", is_published=False)
    sitemap = client.get("/sitemap.xml").text
    assert published.get_absolute_url() in sitemap
    assert hidden.get_absolute_url() not in sitemap


def test_one_pass_warms_every_public_page_in_both_languages(site, live_server):
    ProviderFactory(slug="jingxi", is_published=True)
    ProviderFactory(slug="weigongshi", is_published=False)
    out = io.StringIO()
    call_command("warm_public_pages", base_url=live_server.url, workers=2, stdout=out)
    for path in ("/", "/en/", "/funeral/", "/en/funeral/", "/funeral/providers/jingxi/", "/en/funeral/providers/jingxi/",
                 "/orgs/", "/credit/", "/charity/", "/en/charity/", "/funeral/packages/"):  # fmt: skip
        assert served_from_cache(path), path
    # An unpublished provider is not a public page: never requested, never stored.
    assert not served_from_cache("/funeral/providers/weigongshi/")
    assert " × 200" in out.getvalue() and "no response" not in out.getvalue()


def test_a_base_url_that_does_not_answer_is_an_error(site):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(CommandError, match="sitemap.xml"):
        call_command("warm_public_pages", base_url=f"http://127.0.0.1:{port}", timeout=2)
