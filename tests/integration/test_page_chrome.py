"""The page chrome from the cache (cms.chrome) and the first render of CMS pages (issue 14).

Every page shows the site's menu and the bureau's settings in the footer. Wagtail looks the
site and the settings up on every request; ``cms.chrome`` keeps them in the shared cache under
the ``cms`` section's version, so a page rendered for the first time costs two queries fewer,
and an edit shows on the next request all the same.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from cms.models import BureauSettings
from tests.factories.cms import make_guide, make_home_page, make_news

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    """The home page, and the bureau's settings row a running site already has (Wagtail creates
    it on the first request that asks, and that insert is itself a change of the chrome)."""
    page = make_home_page()
    BureauSettings.for_site(Site.objects.get(is_default_site=True))
    return page


def tables_read(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return response, " ".join(query["sql"] for query in context.captured_queries)


def test_a_page_rendered_for_the_first_time_reads_no_site_or_settings_row(client, home):
    make_guide(home)
    make_news(home)
    client.get("/news/")  # any page: fills the chrome
    response, sql = tables_read(client, "/guides/cremation-certificate/")
    assert response["X-Page-Cache"] == "miss"  # the guide itself was rendered
    assert "wagtailcore_site" not in sql
    assert "cms_bureausettings" not in sql


def test_an_edit_of_the_bureau_settings_shows_on_the_next_request(client, home):
    client.get("/")
    bureau = BureauSettings.for_site(Site.objects.get(is_default_site=True))
    bureau.service_hotline = "010-65396000"
    bureau.save()
    response, sql = tables_read(client, "/")
    assert 'href="tel:010-65396000"' in response.content.decode()
    assert "cms_bureausettings" in sql  # read again: the edit gave the chrome a new version


def test_a_new_site_hostname_is_found_on_the_next_request(client, home):
    client.get("/", HTTP_HOST="www.example.test")  # no such site: the default one answers
    Site.objects.create(hostname="www.example.test", root_page=home, site_name="另一站点")
    client.get("/", HTTP_HOST="www.example.test")
    assert client.get("/", HTTP_HOST="www.example.test").wsgi_request._wagtail_site.site_name == "另一站点"


@pytest.mark.parametrize("path", ["/", "/guides/cremation-certificate/", "/news/"])
def test_first_render_of_a_cms_page_is_at_most_ten_queries(client, home, path, django_assert_max_num_queries):
    make_guide(home)
    for day in range(1, 13):
        make_news(home, title=f"通知{day}", slug=f"notice-{day}")
    client.get("/guides/")  # another page first: what a process learns once is not counted
    with django_assert_max_num_queries(10):
        response = client.get(path)
    assert response["X-Page-Cache"] == "miss"
