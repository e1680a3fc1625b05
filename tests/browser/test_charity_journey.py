"""The public browses charity projects, opens one with an overdue progress report, reads its
chart table, and traces an anonymous donation by receipt number; every page passes axe (WCAG 2.1 AA)."""

import pytest
from playwright.sync_api import expect

from orgs.charity.models import Donation
from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT = "高龄老人助餐计划（示例）"  # its latest quarterly progress report is overdue in the demo


def test_public_browses_projects_and_traces_an_anonymous_donation(demo_site, page):
    base = demo_site.url
    page.goto(base + "/")
    page.get_by_role("link", name="慈善公开").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("慈善项目公开")
    assert_accessible(page)
    page.get_by_label("公开募捐").select_option("yes")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("link", name="永定河护林志愿行动（示例）")).to_have_count(0)
    page.get_by_role("link", name=PROJECT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT)
    expect(page.locator('[data-overdue="progress"]').first).to_be_visible()
    expect(page.locator('svg[data-chart="raised-spent"]')).to_be_visible()
    expect(page.get_by_role("table", name="按月累计金额（元）")).to_be_visible()
    assert_accessible(page)

    donation = (
        Donation.objects.filter(anonymous=True, project__name=PROJECT).select_related("organization").first()
    )
    page.get_by_role("link", name="凭票据号查询我的捐赠去向").click()
    page.get_by_label("慈善组织").select_option(label=donation.organization.name)
    page.get_by_label("票据号").fill(donation.receipt_number)
    page.get_by_role("button", name="查询").click()
    result = page.get_by_role("status")
    expect(result).to_contain_text("匿名")
    expect(result).to_contain_text(PROJECT)
    expect(result).not_to_contain_text(donation.donor_name)
    expect(result.get_by_role("table", name="支出明细")).to_be_visible()
    assert_accessible(page)
