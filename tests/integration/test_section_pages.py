"""Issue 18, point 13: the CMS drives every section.

Editors own the words on the data sections' index pages (``/funeral/``, ``/orgs/``,
``/credit/``, ``/charity/``) through a Wagtail section page per language; the data views and
their addresses stay in code. Every guide leads to its online service (在线办理)."""

import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms import online_services
from cms.models import BureauSettings, GuidePage, HomePage, SectionPage
from tests.factories.catalogue import ProviderFactory
from tests.factories.cms import make_guide, make_home_page, make_news

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    page = make_home_page()
    # A running site has its settings row (Wagtail inserts it on the first request that asks).
    BureauSettings.for_site(Site.objects.get(is_default_site=True))
    return page


def text(response):
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def title_of(response):
    return unescape(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1))


def make_section(home, section="funeral", publish=True, **fields):
    values = {
        "title": "殡葬服务机构与价格（编辑）",
        "slug": section,
        "section": section,
        "intro": "<p>民政局编辑写的殡葬栏目引导语。</p>",
        "seo_title": "殡葬价格公示（编辑）",
        "search_description": "编辑写的搜索摘要。",
        "help_panels": [
            ("panel", {"heading": "标准服务包怎么算？", "body": "<p>按今天的公示单价相加。</p>"})
        ],
    }
    values.update(fields)
    page = SectionPage(**values)
    home.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    else:
        page.unpublish()
    return page


def translate(page, **fields):
    english = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english = english.specific
    for key, value in fields.items():
        setattr(english, key, value)
    english.save_revision().publish()
    return english


def test_an_editors_published_words_show_on_the_section_in_chinese_and_english(home, client):
    guide = make_guide(home, title="骨灰海撒补贴申领", slug="sea-burial")
    guide.save_revision().publish()
    english_guide = translate(guide, title="Sea burial subsidy")
    notice = make_news(home, title="清明节网上祭扫通知")
    notice.tags.set(["殡葬"])
    notice.save_revision().publish()
    other = make_news(home, title="慈善信息公开提示")
    other.tags.set(["慈善"])
    other.save_revision().publish()
    ProviderFactory(name="京西示例殡仪馆")
    page = make_section(home, featured_guides=[("guide", guide)], notice_tag="殡葬", notice_count=3)
    translate(
        page,
        title="Funeral providers and prices (edited)",
        intro="<p>The editors' introduction to funeral services.</p>",
        seo_title="Funeral prices (edited)",
        search_description="The editors' search summary.",
        help_panels=[("panel", {"heading": "How is the package priced?", "body": "<p>Today's prices.</p>"})],
    )

    response = client.get("/funeral/")
    body = text(response)
    assert "殡葬服务机构与价格（编辑）" in re.search(r"<h1>(.*?)</h1>", response.content.decode()).group(1)
    assert "民政局编辑写的殡葬栏目引导语。" in body
    assert "本市殡仪馆、公墓、骨灰堂和殡葬服务机构的每一项收费均在此公示" not in body  # the template's text
    assert title_of(response).startswith("殡葬价格公示（编辑） · ")
    assert '<meta name="description" content="编辑写的搜索摘要。">' in response.content.decode()
    assert "标准服务包怎么算？" in body and "按今天的公示单价相加。" in body
    assert f'href="{guide.url}"' in response.content.decode()
    assert "清明节网上祭扫通知" in body and "慈善信息公开提示" not in body
    assert "京西示例殡仪馆" in body  # the data stays the view's

    english = client.get("/en/funeral/")
    body = text(english)
    assert "Funeral providers and prices (edited)" in body
    assert "The editors' introduction to funeral services." in body
    assert "民政局编辑写的殡葬栏目引导语" not in body
    assert title_of(english).startswith("Funeral prices (edited) · ")
    assert "How is the package priced?" in body
    # The featured guide in the visitor's language.
    assert english_guide.url.startswith("/en/") and f'href="{english_guide.url}"' in english.content.decode()


def test_without_a_section_page_each_section_keeps_its_own_words(home, client):
    assert "本市殡仪馆、公墓、骨灰堂和殡葬服务机构的每一项收费均在此公示" in text(client.get("/funeral/"))
    assert "社会团体、社会服务机构和基金会的登记信息与年度报告" in text(client.get("/orgs/"))
    assert "严重违法失信名单" in text(client.get("/credit/"))
    assert "捐赠人可凭票据号查询自己的捐赠用在了哪里" in text(client.get("/charity/"))


@pytest.mark.parametrize(
    ("section", "path", "template_words"),
    [
        ("orgs", "/orgs/", "社会团体、社会服务机构和基金会的登记信息与年度报告"),
        ("credit", "/credit/", "并可下载加盖电子印章的信用报告"),
        ("charity", "/charity/", "捐赠人可凭票据号查询自己的捐赠用在了哪里"),
    ],
)
def test_each_data_section_shows_its_own_section_page(home, client, section, path, template_words):
    make_section(home, section=section, title=f"{section} 栏目（编辑）", intro=f"<p>{section} 的引导语。</p>")
    make_section(home, section="funeral", slug="funeral", intro="<p>殡葬的引导语。</p>")
    body = text(client.get(path))
    assert f"{section} 栏目（编辑）" in body and f"{section} 的引导语。" in body
    assert template_words not in body and "殡葬的引导语" not in body


def test_an_english_visitor_sees_the_chinese_page_until_it_is_translated(home, client):
    make_section(home, intro="<p>尚未翻译的引导语。</p>")
    assert "尚未翻译的引导语。" in text(client.get("/en/funeral/"))


def test_a_draft_shows_in_the_preview_and_only_after_publishing_on_the_site(home, client):
    ProviderFactory(name="京西示例殡仪馆")
    page = make_section(home, intro="<p>已发布的引导语。</p>")
    page.intro = "<p>草稿中的新引导语。</p>"
    revision = page.save_revision()

    body = text(client.get("/funeral/"))
    assert "已发布的引导语。" in body and "草稿中的新引导语" not in body

    # Wagtail's preview (the admin's "预览") of the draft: the draft's words above the live data.
    draft = revision.as_object()
    preview = draft.make_preview_request()
    assert preview.status_code == 200
    body = text(preview)
    assert "草稿中的新引导语。" in body and "已发布的引导语" not in body
    assert "京西示例殡仪馆" in body

    revision.publish()
    body = text(client.get("/funeral/"))
    assert "草稿中的新引导语。" in body and "已发布的引导语" not in body


def test_an_unpublished_section_page_leaves_the_template_words(home, client):
    page = make_section(home, intro="<p>将要撤下的引导语。</p>")
    assert "将要撤下的引导语。" in text(client.get("/funeral/"))
    page.unpublish()
    body = text(client.get("/funeral/"))
    assert "将要撤下的引导语" not in body and "价格历史永久可查" in body


def test_publishing_a_section_page_makes_the_cached_section_page_stale(home):
    page = make_section(home, intro="<p>第一版引导语。</p>")
    first = Client().get("/funeral/")
    assert first["X-Page-Cache"] == "miss"
    second = Client().get("/funeral/")
    assert second["X-Page-Cache"] == "hit" and "第一版引导语。" in text(second)

    page.intro = "<p>第二版引导语。</p>"
    page.save_revision().publish()
    third = Client().get("/funeral/")
    assert third["X-Page-Cache"] == "miss"
    assert "第二版引导语。" in text(third) and "第一版引导语" not in text(third)


def test_the_section_words_cost_no_query_once_cached_and_the_page_stays_in_bounds(
    home, client, django_assert_max_num_queries, django_assert_num_queries
):
    guides = []
    for i in range(3):
        guide = make_guide(home, title=f"指南{i}", slug=f"guide-{i}")
        guide.save_revision().publish()
        guides.append(("guide", guide))
    for i in range(3):
        notice = make_news(home, title=f"通知{i}")
        notice.tags.set(["殡葬"])
        notice.save_revision().publish()
    make_section(home, featured_guides=guides, notice_tag="殡葬")
    ProviderFactory.create_batch(3)
    client.get("/funeral/", {"district": "haidian"})  # the chrome, the menu and the section words
    # A page the page cache doesn't hold: the same bound as without a section page
    # (test_catalogue_pages.test_query_counts_stay_flat_as_providers_grow).
    with django_assert_max_num_queries(8):
        response = client.get("/funeral/", {"district": "chaoyang"})
    assert "指南2" in text(response) and "通知2" in text(response)
    from cms.section_pages import section_content

    request = Client().get("/").wsgi_request
    with translation.override("zh-hans"), django_assert_num_queries(0):
        assert section_content(request, "funeral")["title"] == "殡葬服务机构与价格（编辑）"
    # Read afresh (after an editor's change), the words cost the section page, its live guides
    # and its notices: no query per chosen page, and none for translations in the page's own
    # language (issue 14: they made a section's first render 8 queries dearer).
    from cms.section_pages import build_content, live_page

    page = live_page("funeral", "zh-hans")
    with translation.override("zh-hans"), django_assert_max_num_queries(2):
        content = build_content(page, request)
    assert [guide["title"] for guide in content["guides"]] == ["指南0", "指南1", "指南2"]
    assert [notice["title"] for notice in content["notices"]] == ["通知2", "通知1", "通知0"]


def test_a_section_page_lives_at_its_sections_address(home, client):
    page = make_section(home, slug="funeral-words")
    english = translate(page, title="Funeral")
    assert page.url == "/funeral/" and english.url == "/en/funeral/"
    assert page.get_url_parts()[2] == reverse("catalogue:index")
    # Served by Wagtail under its slug, it sends the visitor to the section's address.
    response = client.get("/funeral-words/")
    assert response.status_code == 302 and response["Location"] == "/funeral/"


def test_one_section_page_per_section_and_language(home):
    make_section(home)
    second = SectionPage(title="又一个殡葬栏目页", slug="funeral-2", section="funeral")
    with pytest.raises(ValidationError) as error:
        home.add_child(instance=second)
    assert "section" in error.value.message_dict
    # Another section, or the same section in English, is fine.
    make_section(home, section="orgs", slug="orgs")


# --- 在线办理 ---------------------------------------------------------------------------------


def online_button(response):
    found = re.search(
        r'<a class="button primary" href="([^"]+)">(?:在线办理|Apply online)</a>', response.content.decode()
    )
    return found and unescape(found.group(1))


def assert_lands_on_the_service_or_sign_in(url):
    response = Client().get(url)
    if response.status_code == 302:
        location = urlsplit(response["Location"])
        assert location.path.rstrip("/").endswith("accounts/login"), (url, response["Location"])
        assert parse_qs(location.query)["next"] == [url]
    else:
        assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize("service", online_services.SERVICES, ids=lambda s: s.key)
def test_every_online_service_resolves_and_lands_on_it_or_on_sign_in(home, service):
    for language in ("zh-hans", "en"):
        with translation.override(language):
            url = online_services.url_for(service.key)
        assert url == (f"/en{reverse(service.url_name)}" if language == "en" else reverse(service.url_name))
        response = Client().get(url)
        if service.sign_in:
            assert response.status_code == 302
        assert_lands_on_the_service_or_sign_in(url)


def test_a_guide_leads_to_its_online_service_in_the_visitors_language(home, client):
    guide = make_guide(home, online_service="annual_report", online_url="https://example.org/old")
    guide.save_revision().publish()
    english = translate(guide, title="Annual inspection")
    assert online_button(client.get(guide.url)) == "/workbench/reports/"
    assert online_button(client.get(english.url)) == "/en/workbench/reports/"
    assert "需要登录" in text(client.get(guide.url))
    # Without a service, the free address; without either, no button.
    other = make_guide(home, slug="other", online_url="https://zwfw.beijing.gov.cn/")
    other.save_revision().publish()
    assert online_button(client.get(other.url)) == "https://zwfw.beijing.gov.cn/"
    bare = make_guide(home, slug="bare")
    bare.save_revision().publish()
    assert online_button(client.get(bare.url)) is None


def test_every_demo_guide_has_a_working_online_link_and_every_section_its_page(client):
    from cms import demo

    demo.load(io.StringIO())
    guides = GuidePage.objects.live()
    assert guides.count() == 20  # ten guides (four of them registration applications), in Chinese and English
    for guide in guides:
        assert guide.online_service in online_services.BY_KEY, guide.slug
        url = online_button(client.get(guide.url))
        assert url, guide.url
        with translation.override(guide.locale.language_code):
            assert url == online_services.url_for(guide.online_service)
        assert url.startswith("/en/") == (guide.locale.language_code == "en")
        assert_lands_on_the_service_or_sign_in(url)
    # The demo's section pages: one per section and language, at the section's address, with
    # the words that were in the templates.
    assert sorted(SectionPage.objects.live().values_list("section", "locale__language_code")) == sorted(
        (section, language)
        for section in ("charity", "credit", "funeral", "orgs")
        for language in ("en", "zh-hans")
    )
    assert "价格历史永久可查" in text(client.get("/funeral/"))
    assert "with its full price history" in text(client.get("/en/funeral/"))


def test_an_editor_adds_and_edits_section_pages_and_chooses_a_guides_service_in_the_admin(home, client):
    from tests.factories.accounts import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    add = client.get(f"/admin/pages/add/cms/sectionpage/{home.pk}/")
    assert add.status_code == 200
    assert all(f'value="{key}"' in add.content.decode() for key in ("funeral", "orgs", "credit", "charity"))
    page = make_section(home)
    edit = client.get(f"/admin/pages/{page.pk}/edit/")
    assert edit.status_code == 200 and "seo_title" in edit.content.decode()
    guide = make_guide(home)
    edit = client.get(f"/admin/pages/{guide.pk}/edit/")
    assert edit.status_code == 200 and 'value="annual_report"' in edit.content.decode()


class EditorCreatesASectionPageTests(WagtailPageTestCase):
    @staticmethod
    def create_test_user():
        """A member of the bureau's 内容编辑 group, not a superuser."""
        from django.contrib.auth.models import Group

        from accounts.groups import CONTENT_EDITOR
        from tests.factories.accounts import UserFactory

        user = UserFactory(mobile="13700000098")
        user.set_password("password")
        user.save()
        user.groups.add(Group.objects.get(name=CONTENT_EDITOR))
        return user

    def test_a_content_editor_creates_a_section_page_in_the_admin(self):
        home = make_home_page()
        self.assertAllowedParentPageTypes(SectionPage, {HomePage})
        self.login()
        self.assertCanCreate(
            home,
            SectionPage,
            nested_form_data(
                {
                    "title": "社会组织信息查询",
                    "slug": "orgs",
                    "section": "orgs",
                    "intro": rich_text("<p>编辑在后台写的引导语。</p>"),
                    "help_panels": streamfield(
                        [("panel", {"heading": "怎样查询？", "body": rich_text("<p>输入名称。</p>")})]
                    ),
                    "featured_guides": streamfield([]),
                    "notice_tag": "",
                    "notice_count": "3",
                }
            ),
            publish=False,
        )
        page = SectionPage.objects.get(section="orgs")
        page.save_revision().publish()
        assert "编辑在后台写的引导语。" in text(Client().get("/orgs/"))
