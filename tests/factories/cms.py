"""Builders for the Wagtail page tree used by tests."""

import datetime

from wagtail.models import Locale, Page, Site

from cms.models import GuideIndexPage, GuidePage, HomePage, NewsIndexPage, NewsPage


def make_home_page():
    root = Page.get_first_root_node()
    Locale.objects.get_or_create(language_code="en")
    for stray in Page.objects.filter(depth=2).not_type(HomePage):
        Site.objects.filter(root_page=stray).update(root_page=root)
        stray.delete()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title="首页", slug="home", hero_title="北京市民政公共服务平台", hero_text="测试首页")
        root.add_child(instance=home)
    site = Site.objects.filter(is_default_site=True).first() or Site(
        hostname="localhost", is_default_site=True
    )
    site.root_page = home
    site.save()
    return home


def make_guide(home, **overrides):
    index = GuideIndexPage.objects.child_of(home).first()
    if index is None:
        index = GuideIndexPage(title="办事指南", slug="guides")
        home.add_child(instance=index)
    fields = {
        "title": "火化证明开具",
        "slug": "cremation-certificate",
        "topic": "funeral",
        "service_name": "火化证明开具",
        "legal_basis": "<p>《殡葬管理条例》</p>",
        "eligibility": "<p>逝者直系亲属</p>",
        "materials": [
            (
                "material",
                {
                    "name": "居民死亡医学证明书",
                    "form": "original",
                    "copies": 1,
                    "signature": "none",
                    "notes": "医院出具",
                },
            ),
            (
                "material",
                {
                    "name": "经办人身份证",
                    "form": "original_and_copy",
                    "copies": 2,
                    "signature": "signature",
                    "notes": "",
                },
            ),
        ],
        "steps": [("step", {"title": "提交材料", "description": "窗口提交"})],
        "time_limit_working_days": 3,
        "fees": "不收费",
    }
    fields.update(overrides)
    guide = GuidePage(**fields)
    index.add_child(instance=guide)
    return guide


def make_news(home, title="测试通知", date=datetime.date(2026, 1, 1), **overrides):
    index = NewsIndexPage.objects.child_of(home).first()
    if index is None:
        index = NewsIndexPage(title="通知公告", slug="news")
        home.add_child(instance=index)
    news = NewsPage(title=title, date=date, body=[("paragraph", "<p>正文</p>")], **overrides)
    index.add_child(instance=news)
    return news
