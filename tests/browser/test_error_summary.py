"""Issue 18, point 7, on a phone (390×844): a form sent with errors opens with the error
summary on the first screen, the summary has the focus, its links lead to their fields, the
title starts with "错误：" / "Error: ", and axe passes — in Chinese and in English."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, assert_accessible
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "test-artifacts/error-summary"


@pytest.fixture
def site(transactional_db, live_server, settings, tmp_path):
    from tests.factories.cms import make_home_page

    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    make_home_page()
    return live_server


def assert_summary_first_and_focused(page, heading, first_message):
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name=heading)).to_be_visible()
    # On the first screen, unscrolled: the heading and the first link show without moving.
    first = summary.get_by_role("link").first
    assert page.evaluate("() => window.scrollY") == 0
    box, link = summary.bounding_box(), first.bounding_box()
    assert box["y"] >= 0 and link["y"] + link["height"] <= PHONE["height"], (box, link)
    expect(first).to_contain_text(first_message)
    widths = page.evaluate("() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})")
    assert widths["page"] <= widths["screen"], widths
    assert_accessible(page)
    return first


@pytest.mark.parametrize(
    ("prefix", "heading", "title", "button", "message", "label"),
    [
        ("", "存在以下问题", "错误：", "登录", "请填写手机号码", "手机号码"),
        ("/en", "There is a problem", "Error: ", "Sign in", "Enter mobile number", "Mobile number"),
    ],
)
def test_an_empty_sign_in_opens_with_the_focused_summary_on_the_first_screen(
    site, phone, prefix, heading, title, button, message, label
):
    phone.goto(site.url + prefix + "/accounts/login/")
    phone.get_by_role("button", name=button, exact=True).click()
    phone.wait_for_load_state()
    expect(phone).to_have_title(re.compile("^" + re.escape(title)))  # waits for the new page
    first = assert_summary_first_and_focused(phone, heading, message)
    phone.screenshot(path=f"{SHOTS}-signin{prefix.replace('/', '-') or '-zh'}.png")
    first.click()
    expect(phone.locator("#id_username")).to_be_focused()
    assert label in phone.locator("label[for=id_username]").inner_text()


def test_an_empty_annual_report_lists_its_errors_on_the_first_phone_screen(site, phone):
    from tests.factories.orgs import MembershipFactory, OrganizationFactory

    member = MembershipFactory(organization=OrganizationFactory(name="北京市朝阳区养老服务协会"))
    phone.goto(site.url + "/accounts/login/")
    phone.get_by_label("手机号码").fill(member.user.mobile)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录", exact=True).click()
    expect(phone.get_by_role("button", name="退出")).to_be_attached()
    uscc = member.organization.uscc
    phone.goto(site.url + f"/workbench/reports/{uscc}/")
    phone.get_by_label("报告年度").select_option("2025")
    phone.get_by_role("button", name="开始填报").click()
    phone.get_by_role("button", name="提交报告").click()
    expect(phone).to_have_title(re.compile("^错误："))
    # The first field on the page is the confirmation of the registered details.
    first = assert_summary_first_and_focused(phone, "存在以下问题", "请核对登记信息后勾选确认")
    phone.screenshot(path=f"{SHOTS}-annual-report-zh.png")
    first.click()
    field = phone.locator("#id_basic_info_confirmed")
    expect(field).to_be_focused()
    assert field.bounding_box()["y"] < PHONE["height"]
