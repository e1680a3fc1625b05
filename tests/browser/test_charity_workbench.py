"""A charity's staff member publishes its basic information (C1) and imports a spending
spreadsheet: the dry run names the bad rows by line, nothing is written until a clean file is
confirmed, and the public project page then shows the spending. Every page passes axe."""

import csv
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orgs.charity.models import BasicInfoDisclosure, Expenditure
from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FOUNDATION_ADMIN = "13920000003"  # 北京敬老助老基金会（示例）
PROJECT = "高龄老人助餐计划（示例）"
HEADER = ["凭证号", "支出日期", "支出金额（元）", "用途", "受益人数"]


def spreadsheet(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return {"name": "spending.csv", "mimeType": "text/csv", "buffer": ("\ufeff" + buffer.getvalue()).encode()}


def test_charity_staff_publish_basic_info_and_import_spending(demo_site, page):
    base = demo_site.url
    sign_in(page, base, FOUNDATION_ADMIN)
    page.goto(base + "/workbench/")
    page.get_by_role("link", name="北京敬老助老基金会（示例） · 慈善项目").click()

    page.get_by_role("link", name="基本信息公开").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("基本信息公开")
    assert_accessible(page)
    before = BasicInfoDisclosure.objects.count()
    page.get_by_label("变更发生日期").fill(timezone.localdate().isoformat())
    page.get_by_label("变更说明").fill("理事会换届：新任秘书长示例孙丽。")
    page.get_by_label("决策机构成员").fill("示例张明 理事长\n示例孙丽 秘书长")
    page.get_by_role("button", name="公开", exact=True).click()
    expect(page.get_by_text("基本信息已公开。")).to_be_visible()
    assert BasicInfoDisclosure.objects.count() == before + 1
    expect(page.get_by_role("table").last).to_contain_text("理事会换届")

    page.get_by_role("link", name="北京敬老助老基金会（示例） · 慈善项目").click()
    page.get_by_role("link", name=PROJECT).click()
    page.get_by_role("link", name="导入支出明细").click()
    today = timezone.localdate().isoformat()
    rows = [[f"BRW-{n:03d}", today, "120.00", f"第{n}批助餐食材", "12"] for n in range(1, 21)]
    rows[4][2] = "一百"  # line 6
    rows[9][3] = ""  # line 11
    rows[14][0] = "BRW-001"  # line 16 repeats line 2
    page.get_by_label("明细文件").set_input_files(spreadsheet(rows))
    page.get_by_role("button", name="上传并检查").click()
    rejected = page.get_by_role("table", name="未通过检查的行")
    expect(rejected.locator("tbody tr")).to_have_count(3)
    expect(rejected.locator("tbody tr td.num")).to_have_text(["6", "11", "16"])
    expect(page.get_by_role("button", name="确认导入", exact=False)).to_have_count(0)
    assert_accessible(page)
    assert not Expenditure.objects.filter(voucher_number__startswith="BRW-").exists()

    rows[4][2], rows[9][3], rows[14][0] = "120.00", "第10批助餐食材", "BRW-015"
    page.get_by_label("明细文件").set_input_files(spreadsheet(rows))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator('[data-import="summary"]')).to_contain_text("可导入 20 行")
    assert not Expenditure.objects.filter(voucher_number__startswith="BRW-").exists()
    page.get_by_role("button", name="确认导入 20 条记录").click()
    expect(page.get_by_text("已导入20条记录，跳过已登记的0条。")).to_be_visible()
    assert Expenditure.objects.filter(voucher_number__startswith="BRW-").count() == 20

    page.get_by_role("link", name="查看公开页面").click()
    expect(page.get_by_role("table", name="支出明细")).to_contain_text("BRW-020")
    assert_accessible(page)
