"""Issue 23, point 8: a link an editor types to this site must lead somewhere. "/funerl/" was
published as a live link; now the admin's page form refuses it, and the error names the link."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.links import broken_links
from tests.factories.accounts import UserFactory
from tests.factories.cms import make_guide, make_home_page

pytestmark = pytest.mark.django_db


def rich(href):
    return f'<p>详见 <a href="{href}">办事入口</a>。</p>'


def guide_form(guide, eligibility):
    material = {"name": "火化证明", "form": "original", "copies": 1, "signature": "none", "notes": ""}
    return nested_form_data(
        {
            "title": guide.title,
            "slug": guide.slug,
            "topic": "funeral",
            "service_name": guide.service_name,
            "summary": "",
            "legal_basis": rich_text("<p>殡葬管理条例</p>"),
            "eligibility": rich_text(eligibility),
            "materials": streamfield([("material", material)]),
            "steps": streamfield([("step", {"title": "提交", "description": ""})]),
            "time_limit_working_days": "1",
            "fees": "不收费",
            "where_to_apply": "",
            "online_service": "",
            "online_url": "",
            "consultation_phone": "",
            "downloads": streamfield([]),
            "faqs": streamfield([]),
            "action-publish": "action-publish",
        }
    )


def test_a_typo_in_a_link_to_this_site_is_refused_in_the_admin_with_the_link_named(client):
    guide = make_guide(make_home_page())
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    edit = reverse("wagtailadmin_pages:edit", args=[guide.pk])
    refused = client.post(edit, guide_form(guide, rich("/funerl/")))
    assert refused.status_code == 200
    assert "/funerl/" in refused.content.decode() and "指向本站不存在的页面" in refused.content.decode()
    guide.refresh_from_db()
    assert "/funerl/" not in guide.eligibility
    published = client.post(edit, guide_form(guide, rich("/funeral/")))
    assert published.status_code == 302
    guide.refresh_from_db()
    assert 'href="/funeral/"' in guide.eligibility


@pytest.mark.parametrize(
    "href",
    [
        "/funeral/",  # a section of the URL map
        "/en/credit/",  # the English prefix
        "/funeral/providers/some-slug/",  # a pattern with an object; checked when shown
        "https://localhost/orgs/",  # this site, written in full
        "https://www.gov.cn/zhengce/",  # another site is the editor's business
        "mailto:mzj@example.cn",
        "#materials",
    ],
)
def test_links_that_lead_somewhere_or_elsewhere_pass(href):
    guide = make_guide(make_home_page())
    guide.eligibility = rich(href)
    assert broken_links(guide) == {}


def test_a_link_to_a_live_cms_page_passes_and_to_a_missing_one_fails():
    home = make_home_page()
    guide = make_guide(home)
    other = make_guide(home, slug="other-guide", title="另一指南", service_name="另一事项")
    guide.eligibility = rich(other.url)
    assert broken_links(guide) == {}
    guide.eligibility = rich(other.url.rstrip("/") + "-typo/")
    assert list(broken_links(guide)) == ["eligibility"]


def test_a_home_page_entrys_own_link_is_checked():
    home = make_home_page()
    home.entries = [
        (
            "entry",
            {
                "title": "殡葬服务",
                "description": "查价格",
                "page": None,
                "url": "/funerl/",
                "icon": "funeral",
            },
        )
    ]
    assert broken_links(home) == {"entries": ["/funerl/"]}
    home.entries = [
        (
            "entry",
            {
                "title": "殡葬服务",
                "description": "查价格",
                "page": None,
                "url": "/funeral/",
                "icon": "funeral",
            },
        )
    ]
    assert broken_links(home) == {}
