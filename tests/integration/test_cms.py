import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import GuideIndexPage, GuidePage, HomePage, NewsIndexPage, NewsPage, SectionPage, StandardPage
from tests.factories.cms import make_guide, make_home_page, make_news


class PageTreeRulesTests(WagtailPageTestCase):
    @staticmethod
    def create_test_user():
        """A member of the bureau's 内容编辑 group, not a superuser: the group's grants must suffice."""
        from django.contrib.auth.models import Group

        from accounts.groups import CONTENT_EDITOR
        from tests.factories.accounts import UserFactory

        user = UserFactory(mobile="13700000099")
        user.set_password("password")
        user.save()
        user.groups.add(Group.objects.get(name=CONTENT_EDITOR))
        return user

    def test_home_page_sits_under_the_root_only(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {StandardPage, GuideIndexPage, NewsIndexPage, SectionPage})

    def test_guides_live_under_the_guide_index(self):
        self.assertAllowedParentPageTypes(GuidePage, {GuideIndexPage})
        self.assertAllowedSubpageTypes(GuidePage, set())
        self.assertAllowedParentPageTypes(GuideIndexPage, {HomePage})

    def test_news_lives_under_the_news_index(self):
        self.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})

    def test_editors_can_create_every_page_type(self):
        home = make_home_page()
        self.login()
        self.assertCanCreate(
            home,
            StandardPage,
            nested_form_data({"title": "关于我们", "slug": "about", "intro": "", "body": streamfield([])}),
            publish=False,
        )
        self.assertCanCreate(
            home,
            GuideIndexPage,
            nested_form_data({"title": "办事指南", "slug": "guides", "intro": "说明"}),
            publish=False,
        )
        self.assertCanCreate(
            home,
            NewsIndexPage,
            nested_form_data({"title": "通知公告", "slug": "news", "intro": "说明"}),
            publish=False,
        )
        guide_index = GuideIndexPage.objects.get()
        news_index = NewsIndexPage.objects.get()
        material = {"name": "火化证明", "form": "original", "copies": 1, "signature": "none", "notes": ""}
        self.assertCanCreate(
            guide_index,
            GuidePage,
            nested_form_data(
                {
                    "title": "骨灰寄存",
                    "slug": "ashes",
                    "topic": "funeral",
                    "service_name": "骨灰寄存",
                    "summary": "",
                    "legal_basis": rich_text("<p>殡葬管理条例</p>"),
                    "eligibility": rich_text("<p>逝者家属</p>"),
                    "materials": streamfield([("material", material)]),
                    "steps": streamfield([("step", {"title": "提交", "description": ""})]),
                    "time_limit_working_days": "1",
                    "fees": "不收费",
                    "where_to_apply": "",
                    "online_url": "",
                    "consultation_phone": "",
                    "downloads": streamfield([]),
                    "faqs": streamfield([]),
                }
            ),
            publish=False,
        )
        self.assertCanCreate(
            news_index,
            NewsPage,
            nested_form_data(
                {
                    "title": "通知",
                    "slug": "n1",
                    "date": "2026-01-01",
                    "document_number": "",
                    "summary": "",
                    "tags": "",
                    "body": streamfield([("paragraph", rich_text("<p>正文</p>"))]),
                    "attachments": streamfield([]),
                }
            ),
            publish=False,
        )
        guide = GuidePage.objects.get(slug="ashes")
        assert guide.materials[0].value["name"] == "火化证明"


@pytest.mark.django_db
def test_guide_renders_its_materials_table(client):
    guide = make_guide(make_home_page())
    response = client.get(guide.url)
    html = response.content.decode()
    assert "居民死亡医学证明书" in html
    assert "原件及复印件" in html  # the material's form, as a label
    assert "需申请人签字" in html
    assert "3 个工作日" in html
    assert html.count("<tr>") >= 3  # header + two materials


@pytest.mark.django_db
def test_home_page_lists_latest_notices_newest_first(client):
    home = make_home_page()
    import datetime

    make_news(home, title="旧通知", date=datetime.date(2025, 1, 1), slug="old")
    make_news(home, title="新通知", date=datetime.date(2026, 6, 1), slug="new")
    html = client.get("/").content.decode()
    assert html.index("新通知") < html.index("旧通知")


@pytest.mark.django_db
def test_guide_index_filters_by_topic(client):
    home = make_home_page()
    make_guide(home)
    make_guide(home, title="社团登记", slug="register", topic="social_org", service_name="社会团体成立登记")
    html = client.get("/guides/?topic=social_org").content.decode()
    assert "社会团体成立登记" in html
    assert "火化证明开具" not in html
