"""An organisation files its annual report, the bureau returns it, the organisation fixes
and resubmits it, the bureau accepts it, and the public sees the summary and the chart."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from tests.browser.helpers import sign_in
from tests.factories.orgs import pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)

ORG = "北京市朝阳区养老服务协会（示例）"


def draft_year():
    """The demo's draft report is for the latest report year whose filing season is over."""
    from orgs.reports.demo import season

    return season(timezone.localdate())


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"


def fill_money(page, label, value):
    page.get_by_label(label, exact=True).fill(value)


def test_file_return_resubmit_accept_and_publish(demo_site, new_page):
    base = demo_site.url
    org_page = new_page()
    sign_in(org_page, base, "13920000001")
    # An organisation admin lands on the workbench after signing in (issue 18, point 5).
    expect(org_page.get_by_role("heading", level=1)).to_have_text("机构工作台")
    org_page.get_by_role("link", name=re.compile(f"{ORG} · 年度报告")).click()
    year = draft_year()
    org_page.get_by_role("link", name=f"{year} 年度报告").click()
    expect(org_page.get_by_role("heading", level=1)).to_have_text(f"{year} 年度报告")

    # The demo draft has governance data; the finances are filled in now, unbalanced at first.
    figures = {
        "资产总计": "900000.00",
        "负债合计": "150000.00",
        "非限定性净资产": "600000.00",
        "限定性净资产": "200000.00",
        "捐赠收入": "200000.00",
        "政府补助收入": "100000.00",
        "提供服务收入": "50000.00",
        "会费收入": "30000.00",
        "投资收益": "0",
        "其他收入": "0",
        "收入合计": "380000.00",
        "业务活动成本": "300000.00",
        "管理费用": "40000.00",
        "筹资费用": "0",
        "其他费用": "0",
        "费用合计": "340000.00",
        "慈善活动支出": "250000.00",
    }
    for label, value in figures.items():
        fill_money(org_page, label, value)
    org_page.get_by_label("主要业务活动").fill("开展居家养老服务培训12场，服务老人800人次。")
    org_page.get_by_role("button", name="提交报告").click()

    error = org_page.locator("#id_total_assets_error1")
    expect(error).to_have_text(
        "资产负债表不平衡：资产总计 900,000.00 元应等于负债合计与净资产之和 950,000.00 元。"
    )
    expect(org_page.get_by_label("负债合计", exact=True)).to_have_value("150000.00")
    expect(org_page.get_by_label("主要业务活动")).to_have_value("开展居家养老服务培训12场，服务老人800人次。")
    expect(org_page.get_by_text("缺少必需的附件：签章声明页。")).to_be_visible()

    fill_money(org_page, "负债合计", "100000.00")
    org_page.get_by_label("材料类型").select_option(label="签章声明页")
    org_page.get_by_label("选择文件").set_input_files(
        files=[{"name": "声明页.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("签章声明页")}]
    )
    org_page.get_by_role("button", name="提交报告").click()
    # S2: nothing is submitted before the check-your-answers page is confirmed.
    expect(org_page.get_by_role("heading", level=1)).to_have_text(f"提交前请核对 {year} 年度报告")
    expect(org_page.locator("dl.summary-list").first).to_be_visible()
    org_page.get_by_role("button", name="确认提交").click()
    expect(org_page.get_by_role("status")).to_contain_text("年度报告已提交")
    expect(org_page.get_by_text("待审核").first).to_be_visible()
    receipt = org_page.get_by_role("link", name="下载回执（PDF）")
    expect(receipt).to_have_count(1)

    # The bureau returns it with a reason.
    bureau = new_page()
    bureau.goto(base + "/admin/login/")
    bureau.locator("#id_username").fill("13900000005")
    bureau.locator("#id_password").fill(DEMO_PASSWORD)
    bureau.locator("button[type=submit]").click()
    bureau.goto(base + "/admin/reports/review/?view=open")
    bureau.get_by_role("link", name=ORG).click()
    bureau.get_by_label("退回理由").fill("请在主要业务活动中补充志愿服务情况。")
    bureau.get_by_role("button", name="退回").click()
    expect(bureau.get_by_text("报告已退回")).to_be_visible()

    # The organisation sees the reason and the 5-working-day deadline, fixes and resubmits.
    org_page.reload()
    notice = org_page.get_by_role("note").filter(has_text="退回理由")
    expect(notice).to_contain_text("请在主要业务活动中补充志愿服务情况。")
    expect(notice).to_contain_text(re.compile(r"请在 \d{4}-\d{2}-\d{2} 前补正后重新提交"))
    org_page.get_by_label("主要业务活动").fill("开展居家养老服务培训12场，组织志愿服务30次。")
    org_page.get_by_label("志愿者人数").fill("45")
    org_page.get_by_role("button", name="提交报告").click()
    expect(org_page.get_by_text("开展居家养老服务培训12场，组织志愿服务30次。")).to_be_visible()
    org_page.get_by_role("button", name="确认提交").click()
    expect(org_page.get_by_role("status")).to_contain_text("年度报告已提交")
    expect(org_page.get_by_role("link", name="下载回执（PDF）")).to_have_count(2)

    # The bureau accepts it.
    bureau.reload()
    bureau.get_by_label("年检结论").select_option(label="合格")
    bureau.get_by_label("审核意见").fill("材料齐全。")
    bureau.get_by_role("button", name="审核通过").click()
    # The summary first: nothing is decided until the officer confirms it.
    expect(bureau.get_by_role("heading", name="请确认审核结论")).to_be_visible()
    bureau.get_by_role("button", name="确认审核通过（合格）").click()
    expect(bureau.get_by_text("报告已审核通过")).to_be_visible()

    # The public finds the organisation and sees the summary and the chart.
    public = new_page()
    public.goto(base + "/orgs/?q=养老")
    public.get_by_role("link", name=ORG).click()
    expect(public.get_by_role("heading", level=1)).to_have_text(ORG)
    summary = public.get_by_role("table", name="已审核的年度报告摘要")
    expect(summary.get_by_role("row", name=re.compile(rf"^{year} 合格"))).to_contain_text("380,000.00")
    chart = public.locator("svg[data-chart=spending]")
    expect(chart).to_be_visible()
    expect(chart.locator("g[data-year]")).to_have_count(4)  # three accepted years and this one
    expect(public.get_by_role("table", name="各年度支出类型（元）")).to_contain_text(
        f"{year}300,000.0040,000.000.000.00340,000.00"
    )
