"""Issue 17: the eco-burial information page is an ordinary CMS page that editors write, chosen
in the site settings (站点信息 → 节地生态安葬介绍页); /memorials/ links to it in the visitor's
language, and to nothing when none is chosen or it is unpublished."""

import pytest
from django.urls import reverse
from wagtail.models import Site

from cms.models import BureauSettings, StandardPage
from tests.factories.cms import make_home_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def eco_page():
    home = make_home_page()
    page = StandardPage(title="节地生态安葬", slug="eco-burial", intro="海葬、树葬与花坛葬")
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def choose(page):
    settings = BureauSettings.for_site(Site.objects.get(is_default_site=True))
    settings.eco_burial_page = page
    settings.save()


def test_the_memorials_page_links_the_eco_burial_page_the_editors_chose(client, eco_page):
    html = client.get(reverse("memorials:index")).content.decode()
    assert "节地生态安葬" not in html  # none chosen yet
    choose(eco_page)
    html = client.get(reverse("memorials:index")).content.decode()
    assert f'href="{eco_page.url}"' in html and ">节地生态安葬</a>" in html
    page = client.get(eco_page.url)
    assert page.status_code == 200 and "海葬、树葬与花坛葬" in page.content.decode()


def test_an_unpublished_eco_burial_page_is_not_linked(client, eco_page):
    choose(eco_page)
    eco_page.unpublish()
    html = client.get(reverse("memorials:index")).content.decode()
    assert "eco-burial" not in html
