"""Issue 18, point 7, on a phone (390×844): the annual report's sums update as the user types
(whole fen, no float drift), the long forms open with a task list, and the order and the
report each go through a check-your-answers page before anything is submitted."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "test-artifacts/check-answers"


@pytest.fixture
def site(transactional_db, live_server, settings, tmp_path):
    from tests.factories.cms import make_home_page

    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    make_home_page()
    return live_server


def sign_in(page, base, mobile):
    page.goto(base + "/accounts/login/")
    page.get_by_label("手机号码").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("button", name="退出")).to_be_attached()


def test_S2_the_income_and_expense_sums_update_as_the_user_types_on_a_phone(site, phone):
    from orgs.reports.models import AnnualReport
    from tests.factories.orgs import MembershipFactory, OrganizationFactory, make_report

    member = MembershipFactory(organization=OrganizationFactory(name="北京市朝阳区养老服务协会"))
    make_report(member.organization, user=member.user)
    sign_in(phone, site.url, member.user.mobile)
    phone.goto(site.url + f"/workbench/reports/{member.organization.uscc}/2025/")
    expect(phone.get_by_role("navigation", name="填写进度")).to_be_visible()

    income = phone.locator("[data-total-for='income_total']")
    expect(income).to_have_attribute("aria-live", "polite")
    # 0.10 + 0.20 is 0.30 in fen, not 0.30000000000000004.
    parts = {"捐赠收入": "0.1", "政府补助收入": "0.20", "提供服务收入": "0", "会费收入": "", "投资收益": "0"}
    for label, value in parts.items():
        phone.get_by_label(label, exact=True).fill(value)
    phone.get_by_label("其他收入", exact=True).fill("1234567.8")
    expect(income.locator("[data-sum]")).to_have_text("1,234,568.10")
    expect(income.locator("[data-mismatch]")).to_be_visible()  # 收入合计 still holds the old figure
    phone.get_by_label("收入合计", exact=True).fill("1234568.10")
    expect(income.locator("[data-mismatch]")).to_be_hidden()

    expenses = phone.locator("[data-total-for='expense_total']")
    report = AnnualReport.objects.get()
    phone.get_by_label("管理费用", exact=True).fill("")
    phone.get_by_label("管理费用", exact=True).press_sequentially("12.3")
    expected = report.expense_business + report.expense_fundraising + report.expense_other + Decimal("12.30")
    expect(expenses.locator("[data-sum]")).to_have_text(f"{expected:,.2f}")
    assert_no_horizontal_overflow(phone)
    income.scroll_into_view_if_needed()
    phone.screenshot(path=f"{SHOTS}-report-totals.png")
    # Nothing was saved while typing: the server keeps the draft until 保存草稿.
    assert AnnualReport.objects.get().income_other == report.income_other


def test_the_order_goes_through_its_task_list_and_check_page_before_it_is_placed(site, phone):
    from marketplace.orders.models import Order
    from tests.factories.orders import family_user, funeral_home, id_number, make_quote

    family = family_user()
    quote = make_quote(family, funeral_home())
    sign_in(phone, site.url, family.mobile)
    phone.goto(f"{site.url}/orders/new/?quote={quote.reference}")
    tasks = phone.get_by_role("navigation", name="填写进度")
    expect(tasks.locator(".task-status")).to_have_text(["未开始", "未开始", "未开始"])
    assert_no_horizontal_overflow(phone)
    phone.screenshot(path=f"{SHOTS}-order-form.png")

    today = timezone.localdate()
    phone.get_by_label("逝者姓名").fill("刘德顺")
    phone.get_by_label("逝者性别").select_option("male")
    phone.get_by_label("逝者年龄").fill("88")
    phone.get_by_label("死亡日期").fill((today - timedelta(days=1)).isoformat())
    phone.get_by_label("逝者居民身份证号").fill(id_number("11010819380315777"))
    phone.get_by_label("与逝者关系").fill("女儿")
    phone.get_by_role("button", name="下一步：核对订单").click()
    # The service date is missing: the task list says which section has the error.
    expect(tasks.locator(".task-status")).to_have_text(["已完成", "已完成", "有错误"])
    phone.get_by_label("希望服务日期").fill((today + timedelta(days=2)).isoformat())
    phone.get_by_label("希望服务时间").fill("09:30")
    phone.get_by_role("button", name="下一步：核对订单").click()

    expect(phone.get_by_role("heading", name="核对订单", exact=True)).to_be_visible()
    assert not Order.objects.exists()
    summary = phone.locator("dl.summary-list")
    expect(summary).to_have_count(3)
    expect(summary.first).to_contain_text("刘德顺")
    expect(phone.locator(".statement-total")).to_contain_text(f"¥{quote.total}")
    assert_no_horizontal_overflow(phone)
    assert_accessible(phone)
    phone.screenshot(path=f"{SHOTS}-order-check.png", full_page=True)

    # 修改 goes back to the section with the answers kept.
    phone.locator(".summary-head").filter(has_text="逝者信息").get_by_role("link", name="修改").click()
    expect(phone.get_by_label("逝者姓名")).to_have_value("刘德顺")
    phone.get_by_label("逝者姓名").fill("刘德顺二")
    phone.get_by_role("button", name="下一步：核对订单").click()
    expect(phone.locator("dl.summary-list").first).to_contain_text("刘德顺二")
    phone.get_by_role("button", name="确认下单").click()
    expect(phone.locator(".messages")).to_contain_text("订单已提交")
    order = Order.objects.get()
    assert order.deceased_name == "刘德顺二" and order.total == quote.total


def test_the_check_pages_fit_a_phone_in_large_text_mode(site, new_page):
    from tests.browser.helpers import phone_page
    from tests.factories.orgs import MembershipFactory, OrganizationFactory, attach_required, make_report

    member = MembershipFactory(organization=OrganizationFactory(name="北京市朝阳区养老服务协会"))
    report = make_report(member.organization, user=member.user)
    attach_required(report, member.user)
    phone = phone_page(new_page)
    sign_in(phone, site.url, member.user.mobile)
    phone.context.add_cookies([{"name": "platform_large_text", "value": "1", "url": site.url}])
    base = f"{site.url}/workbench/reports/{member.organization.uscc}/2025/"
    phone.goto(base)
    expect(phone.get_by_role("navigation", name="填写进度")).to_be_visible()
    assert_no_horizontal_overflow(phone)
    phone.get_by_role("button", name="提交报告").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("提交前请核对 2025 年度报告")
    assert_no_horizontal_overflow(phone)
    assert_accessible(phone)
    phone.screenshot(path=f"{SHOTS}-report-check-large.png", full_page=True)
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("status")).to_contain_text("年度报告已提交")
