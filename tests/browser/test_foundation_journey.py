"""A visitor's first journey through the public site, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from accounts import sms

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_language_large_text_guide_and_account(demo_site, page):
    base = demo_site.url
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_contain_text("北京市民政公共服务平台")

    # Switch to English and back.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.rstrip("/").endswith("/en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Beijing Civil Affairs")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # Large text survives a reload.
    page.get_by_role("button", name="大字模式").click()
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    expect(page.get_by_role("button", name="大字模式")).to_have_attribute("aria-pressed", "true")
    font_size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert font_size == "24px"  # 18 pt, the 适老化 guideline (tests/browser/test_large_text.py)

    # Open a guide from the navigation and read its materials.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="办事指南").click()
    page.get_by_role("link", name="火化证明开具").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("火化证明开具")
    expect(page.get_by_role("table")).to_contain_text("居民死亡医学证明（推断）书")

    # Large text turns off again (in large-text mode the header folds 注册 behind 菜单).
    page.get_by_role("button", name="大字模式").click()
    expect(page.locator("html")).not_to_have_class(re.compile("large-text"))

    # Sign up, sign out, sign in.
    page.get_by_role("link", name="注册").click()
    page.get_by_label("手机号码").fill("13655556666")
    sms.outbox.clear()
    page.get_by_role("button", name="发送验证码").click()
    expect(page.locator(".messages")).to_contain_text("验证码已发送至 136****6666")
    code = re.search(r"验证码 (\d{6})", sms.outbox[-1].text).group(1)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_label("称呼").fill("浏览器测试用户")
    page.locator("#id_password1").fill("Browser-Journey-2026")
    page.get_by_label("确认密码").fill("Browser-Journey-2026")
    page.get_by_role("button", name="注册").click()
    # Signing up returns to the guide it started from (issue 18, point 5).
    expect(page.get_by_role("heading", level=1)).to_have_text("火化证明开具")
    page.get_by_role("link", name="浏览器测试用户").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("个人中心")
    expect(page.get_by_text("136****6666")).to_be_visible()

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    page.get_by_role("link", name="登录").click()
    page.get_by_label("手机号码").fill("13655556666")
    page.get_by_label("密码").fill("Browser-Journey-2026")
    page.get_by_role("button", name="登录").click()
    # Signed out to the home page, signed in from there: back on the home page.
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    expect(page).to_have_url(base + "/")


def test_keyboard_user_reaches_main_content_with_the_skip_link(demo_site, page):
    page.goto(demo_site.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
