"""M1 in the browser at phone size (390 px): the demo family (real-name verified) creates a
memorial from the one-page form (first meeting the error summary), leaves a message; a
visitor opens it, and opens the demo private memorial with its access code. Every page
passes axe, none scrolls sideways, and each is screenshotted in Chinese and English."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FAMILY = "13900000002"  # 王丽, real-name verified (accounts demo)
PHONE = {"width": 390, "height": 844}


def check_page(page, name):
    """axe, no sideways scrolling, and a full-page screenshot for review."""
    assert_accessible(page)
    widths = page.evaluate("() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})")
    assert widths["page"] <= widths["screen"], (name, widths)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"memorials-{name}.png"), full_page=True)


def test_family_creates_a_memorial_and_leaves_a_tribute_and_a_visitor_opens_it(demo_site, new_page):
    from marketplace.memorials.demo import DEMO_ACCESS_CODE
    from marketplace.memorials.models import Memorial, Visibility

    base = demo_site.url
    family = new_page()
    family.set_viewport_size(PHONE)
    sign_in(family, base, FAMILY)

    family.goto(base + "/memorials/")
    expect(family.get_by_role("heading", name="最近建立的公开纪念馆")).to_be_visible()
    check_page(family, "index-zh")
    family.get_by_role("link", name="创建纪念馆").first.click()
    expect(family.get_by_role("heading", name="创建纪念馆")).to_be_visible()
    check_page(family, "new-zh")

    # A death date in the future: the error summary names the field and links to it.
    family.get_by_label("逝者姓名").fill("周淑珍")
    family.get_by_label("出生日期").fill("1938-05-01")
    family.get_by_label("逝世日期").fill("2999-01-01")
    family.get_by_label(re.compile("树葬、花葬")).check()
    family.get_by_label("安息之所说明").fill("西山示例公墓 树葬林区")
    family.get_by_label("亲属声明").fill("我是逝者的孙女，祖母已经去世。")
    family.get_by_label(re.compile("我确认以上信息真实")).check()
    family.get_by_role("button", name="建立纪念馆").click()
    summary = family.locator("#error-summary")
    expect(summary).to_contain_text("纪念馆只为已故之人建立")
    check_page(family, "new-errors-zh")

    family.get_by_label("逝世日期").fill("2021-03-08")
    family.get_by_label(re.compile("我确认以上信息真实")).check()
    family.get_by_role("button", name="建立纪念馆").click()
    expect(family.get_by_role("heading", name="周淑珍 纪念馆")).to_be_visible()
    expect(family.locator(".memorial")).to_contain_text("西山示例公墓 树葬林区")
    expect(family.locator(".memorial")).to_contain_text("亲属声明")

    family.get_by_role("radio", name="留言").check()
    family.locator("textarea[name=message]").fill("奶奶，我们永远怀念您。")
    family.get_by_role("button", name="送出祭奠").click()
    expect(family.locator(".tribute-list")).to_contain_text("奶奶，我们永远怀念您。")
    check_page(family, "detail-zh")
    memorial_url = family.url.split("#")[0]

    family.goto(memorial_url.replace(base, base + "/en"))
    check_page(family, "detail-en")
    family.goto(base + "/en/memorials/")
    check_page(family, "index-en")
    family.goto(base + "/en/memorials/new/")
    check_page(family, "new-en")

    token = Memorial.objects.get(name="周淑珍").token
    family.goto(f"{base}/memorials/{token}/manage/")
    expect(family.get_by_role("heading", name=re.compile("管理：周淑珍"))).to_be_visible()
    check_page(family, "manage-zh")
    family.goto(base + "/memorials/mine/")
    expect(family.locator("main")).to_contain_text("周淑珍 纪念馆")
    check_page(family, "mine-zh")

    # A visitor, not signed in, opens the memorial by its link and sees the message.
    visitor = new_page()
    visitor.set_viewport_size(PHONE)
    visitor.goto(memorial_url)
    expect(visitor.locator(".tribute-list")).to_contain_text("奶奶，我们永远怀念您。")
    expect(visitor.get_by_role("link", name="登录后献花、点烛或留言")).to_be_visible()
    check_page(visitor, "detail-visitor-zh")

    # The demo private memorial: the code page, then the memorial.
    private = Memorial.objects.get(visibility=Visibility.PRIVATE)
    visitor.goto(base + private.get_absolute_url())
    expect(visitor.get_by_role("heading", name="私密纪念馆")).to_be_visible()
    visitor.get_by_label("访问码").fill("wrong-code")
    visitor.get_by_role("button", name="进入").click()
    expect(visitor.locator("#error-summary")).to_contain_text("访问码不正确")
    check_page(visitor, "access-zh")
    visitor.get_by_label("访问码").fill(DEMO_ACCESS_CODE)
    visitor.get_by_role("button", name="进入").click()
    expect(visitor.get_by_role("heading", name=f"{private.name} 纪念馆")).to_be_visible()
    visitor.goto(base + "/en" + private.get_absolute_url())
    check_page(visitor, "private-en")
