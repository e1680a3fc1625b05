"""The site-wide search in the browser: the header box, the results page, following a result,
and WCAG 2.1 AA checks of the results page (axe, the same options as test_accessibility)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_pages_accessible

pytestmark = pytest.mark.django_db(transaction=True)

ORG = "北京市朝阳区养老服务协会（示例）"


def header_search(page):
    return page.get_by_role("search", name="全站搜索")


def test_header_search_box_leads_to_results_and_a_result_leads_to_its_page(demo_site, page):
    base = demo_site.url
    page.goto(base + "/funeral/")
    box = header_search(page).get_by_label("搜索关键词")
    box.fill("朝阳 养老")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=%E6%9C%9D%E9%98%B3\+%E5%85%BB%E8%80%81$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("站内搜索")
    expect(page.get_by_role("status")).to_contain_text("共找到")
    # The query stays in both boxes.
    expect(page.get_by_label("搜索内容")).to_have_value("朝阳 养老")
    expect(box).to_have_value("朝阳 养老")
    # Filter by type, then follow the organisation.
    page.get_by_role("navigation", name="按类型筛选搜索结果").get_by_role(
        "link", name=re.compile("^社会组织")
    ).click()
    expect(page).to_have_url(re.compile(r"type=organization"))
    results = page.locator(".search-result")
    expect(results.first.locator(".badge")).to_have_text("社会组织")
    page.get_by_role("link", name=ORG, exact=True).click()
    expect(page).to_have_url(re.compile(r"/orgs/[0-9A-Z]{18}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ORG)


def test_search_finds_a_guide_with_the_keyboard_and_in_english(demo_site, page):
    base = demo_site.url
    page.goto(base + "/")
    header_search(page).get_by_label("搜索关键词").focus()
    page.keyboard.type("火化证明")
    header_search(page).get_by_role("button", name="搜索").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    page.get_by_role("link", name="火化证明开具", exact=True).click()
    expect(page).to_have_url(re.compile(r"/guides/cremation-certificate/$"))
    # English: translated labels, and the guide's English page.
    page.goto(base + "/en/search/?q=火化证明")
    expect(page.get_by_role("heading", level=1)).to_have_text("Site search")
    expect(page.get_by_label("Search for")).to_have_value("火化证明")


def test_anonymous_donors_stay_anonymous_in_search(demo_site, page):
    """C4 in the browser: the demo's anonymous gifts appear as 匿名."""
    from orgs.charity.models import Donation

    hidden = [d.donor_name for d in Donation.objects.current().filter(anonymous=True)]
    assert hidden, "the demo data has anonymous donations"
    page.goto(demo_site.url + "/search/?q=匿名&type=donation")
    expect(page.locator(".search-result").first).to_contain_text("匿名")
    html = page.content()
    for name in hidden:
        if name != "匿名":
            assert name not in html


def test_search_pages_have_no_wcag_aa_violations(demo_site, page):
    paths = ["/search/", "/search/?q=养老", "/search/?q=养老&type=organization", "/search/?q=不存在的内容"]
    assert_pages_accessible(page, demo_site.url, [*paths, "/en/search/?q=养老"])
    page.goto(demo_site.url + "/")
    page.get_by_role("button", name="大字模式").click()  # large text changes sizes and wrapping
    assert_pages_accessible(page, demo_site.url, ["/search/?q=养老"])
