"""R2 in three browsers: a visitor proves a number by SMS and files a complaint about a funeral
home (on a 390 px wide phone), the bureau accepts it in the Wagtail admin, the provider answers in
its workbench, the bureau upholds it, and the public statistics change. The form and the
statistics page pass axe (WCAG 2.1 AA)."""

import re

import pytest
from playwright.sync_api import expect

from accounts import sms
from marketplace.feedback.models import Complaint
from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

STAFF = "13910000001"  # 京西示例殡仪馆 admin (catalogue demo)
OFFICER = "13900000004"  # the bureau's funeral section (accounts demo)
PROVIDER = "demo-jingxi-funeral-home"
VISITOR = "13700000123"


def last_code():
    return re.search(r"验证码 (\d{6})", sms.outbox[-1].text).group(1)


def upheld_count(page, base):
    page.goto(base + "/funeral/complaints/stats/")
    row = page.get_by_role("row").filter(has_text="京西示例殡仪馆")
    return int(row.locator("td").nth(2).inner_text())


def test_visitor_files_provider_answers_bureau_upholds_and_statistics_change(demo_site, new_page):
    base = demo_site.url
    public = new_page()
    before = upheld_count(public, base)
    assert_accessible(public)

    # The visitor, on a phone, starts from the provider page's F3 notice.
    visitor = new_page()
    visitor.set_viewport_size({"width": 390, "height": 844})
    visitor.goto(f"{base}/funeral/providers/{PROVIDER}/")
    visitor.get_by_role("link", name="在线投诉该机构").click()
    sms.outbox.clear()
    visitor.get_by_label("手机号码").fill(VISITOR)
    visitor.get_by_role("button", name="发送验证码").click()
    expect(visitor.locator(".messages")).to_contain_text("验证码已发送")
    assert visitor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    visitor.get_by_label("投诉类别").select_option("overcharge")
    visitor.get_by_label("投诉内容").fill("火化费比价目表多收了 200 元。")
    visitor.get_by_label("您的姓名").fill("赵先生")
    visitor.get_by_role("button", name="提交投诉").click()  # no code yet: the error summary
    expect(visitor.get_by_role("alert")).to_contain_text("短信验证码")
    assert_accessible(visitor)
    visitor.get_by_label("短信验证码").fill(last_code())
    visitor.get_by_role("button", name="提交投诉").click()
    expect(visitor.get_by_role("heading", name="投诉已提交")).to_be_visible()
    complaint = Complaint.objects.get(mobile=VISITOR)
    assert "已收到" in sms.outbox[-1].text

    # The bureau accepts it in the admin queue.
    officer = new_page()
    sign_in(officer, base, OFFICER)
    officer.goto(base + "/admin/complaints/")
    officer.get_by_role("link", name=complaint.reference).click()
    officer.get_by_role("button", name="受理", exact=True).click()
    expect(officer.get_by_text("已受理。")).to_be_visible()

    # The provider answers in its workbench.
    staff = new_page()
    sign_in(staff, base, STAFF)
    staff.goto(base + "/workbench/complaints/")
    staff.get_by_role("link", name=complaint.reference).click()
    staff.get_by_label("答复内容").fill("已核对收费，按公示价格收取。")
    staff.get_by_role("button", name="提交答复").click()
    expect(staff.locator(".messages")).to_contain_text("答复已提交")

    # The bureau upholds it.
    officer.reload()
    officer.get_by_label("处理结果").select_option("upheld")
    officer.get_by_label("处理决定说明").fill("经核实，火化费超过公示价格。")
    officer.get_by_role("button", name="作出决定").click()
    expect(officer.get_by_text("处理决定已作出")).to_be_visible()
    assert "投诉成立" in sms.outbox[-1].text and sms.outbox[-1].mobile == VISITOR

    assert upheld_count(public, base) == before + 1
