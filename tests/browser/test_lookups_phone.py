"""Issue 18, point 8, on a phone (390×844): a wrong verification code or an unknown USCC keeps
the visitor on the form, with what they typed in the field, the message beside it saying what
is wrong, and nothing wider than the screen."""

import pytest
from playwright.sync_api import expect

from orgs.registry import uscc as uscc_module
from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(transactional_db, live_server):
    from tests.factories.cms import make_home_page

    make_home_page()
    return live_server


def test_a_wrong_code_on_verify_is_explained_beside_the_field_with_the_code_kept(site, phone):
    phone.goto(site.url + "/verify/")
    field = phone.get_by_label("核验码")
    field.fill("abcd-efgh-jkmn-pqru")
    phone.get_by_role("button", name="查询").click()

    field = phone.get_by_label("核验码")
    expect(field).to_have_value("abcd-efgh-jkmn-pqru")
    expect(field).to_have_attribute("aria-invalid", "true")
    beside = phone.locator(".field", has=field).locator(".error")
    expect(beside).to_contain_text("第16个字符“U”不会出现在核验码中")
    assert beside.get_attribute("id") in field.get_attribute("aria-describedby").split()
    expect(phone.get_by_text("页面不存在")).to_have_count(0)
    assert_no_horizontal_overflow(phone)
    assert_accessible(phone)

    # A well-formed code that no document has: the same form, the code kept, still no overflow.
    field.fill("abcd-efgh-jkmn-pqrs")
    phone.get_by_role("button", name="查询").click()
    expect(phone.get_by_label("核验码")).to_have_value("abcd-efgh-jkmn-pqrs")
    expect(phone.locator(".field .error")).to_contain_text("ABCD-EFGH-JKMN-PQRS")
    assert_no_horizontal_overflow(phone)


def test_an_unknown_uscc_in_a_credit_url_shows_the_lookup_form_on_a_phone(site, phone):
    code = uscc_module.build("1", "110105", "MJ9999999")
    response = phone.goto(f"{site.url}/credit/{code}/")
    assert response.status == 404
    expect(phone.get_by_label("机构名称或统一社会信用代码")).to_have_value(code)
    expect(phone.get_by_role("status")).to_contain_text(f"没有以统一社会信用代码 {code} 登记的社会组织")
    phone.get_by_role("link", name="到社会组织名录按名称、类型或所在区查找").click()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert phone.url.rstrip("/").endswith("/orgs")

    phone.goto(f"{site.url}/credit/?q=不存在")
    expect(phone.get_by_label("机构名称或统一社会信用代码")).to_have_value("不存在")
    expect(phone.get_by_role("status")).to_contain_text("没有找到与“不存在”相关的组织")
    assert_no_horizontal_overflow(phone)
    assert_accessible(phone)
