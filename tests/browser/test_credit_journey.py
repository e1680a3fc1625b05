"""The public looks up an organisation's credit by name, opens the result, downloads the
sealed credit report and verifies it on /verify/<code>/; the organisation sees its own
warnings in the workbench."""

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ORG = "北京市朝阳区养老服务协会（示例）"  # its latest report is overdue in the demo


def test_public_searches_opens_downloads_and_verifies_the_credit_report(demo_site, page, tmp_path):
    base = demo_site.url
    page.goto(base + "/")
    page.get_by_role("link", name="信用查询").first.click()
    page.get_by_label("机构名称或统一社会信用代码").fill("朝阳区养老服务")
    page.get_by_role("button", name="查询").click()
    assert_accessible(page)
    page.get_by_role("link", name=ORG).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ORG)
    assert_accessible(page)
    lists = page.locator("section", has=page.get_by_role("heading", name="活动异常名录和严重违法失信名单"))
    expect(lists).to_contain_text("未按规定时限报送年度报告")
    expect(lists).to_contain_text("在列")
    expect(lists.get_by_role("cell", name=re.compile(r"^\d{4}-\d{2}-\d{2}$")).first).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("下载信用报告")).click()
    path = tmp_path / "credit-report.pdf"
    download_info.value.save_as(path)
    text = "".join(p.extract_text() for p in PdfReader(str(path)).pages).replace("\n", "")
    code = re.search(r"核验码：([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", text).group(1)
    assert ORG in text and "未按规定时限报送年度报告" in text

    page.goto(f"{base}/verify/{code}/")
    expect(page.get_by_text("社会组织信用报告").first).to_be_visible()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="核对").click()
    expect(page.get_by_role("status")).to_contain_text("文件真实")


def test_invalid_uscc_gets_the_s1_message(demo_site, page):
    page.goto(demo_site.url + "/credit/")
    page.get_by_label("机构名称或统一社会信用代码").fill("51110105MJ5000037X")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".error")).to_contain_text("第18位校验码应为")
    assert_accessible(page)


def test_organisation_sees_its_warnings_and_objection_status_in_the_workbench(demo_site, page):
    base = demo_site.url
    sign_in(page, base, "13920000001")
    page.goto(base + "/workbench/")
    page.get_by_role("link", name=re.compile(f"{ORG} · 信用信息")).click()
    warnings = page.locator("section", has=page.get_by_role("heading", name="预警"))
    expect(warnings).to_contain_text("年度报告已逾期")
    expect(warnings).to_contain_text("严重违法失信名单")
    objections = page.locator("section", has=page.get_by_role("heading", name="我的异议"))
    expect(objections).to_contain_text("待处理")
    assert_accessible(page)
