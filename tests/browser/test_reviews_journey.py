"""R1 in the browser: the demo family reviews its completed order (on a phone-width screen),
the bureau's funeral officer publishes it from the Wagtail queue, and the family then sees
it on the provider page under its masked name, marked 已核实订单. axe checks the pages."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import WCAG_AA, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FAMILY = "13900000002"  # 王丽, with a completed order at 京西示例殡仪馆 (orders demo)
OFFICER = "13900000004"  # the funeral section (accounts demo)
TEXT = "价格与公示一致，告别仪式安排周到，感谢工作人员。"


def test_family_reviews_a_completed_order_and_sees_it_after_moderation(demo_site, new_page, settings):
    settings.R1_MODERATE_ALL_REVIEWS = True  # every review waits for a person
    base = demo_site.url
    family = new_page()
    family.set_viewport_size({"width": 390, "height": 844})
    sign_in(family, base, FAMILY)

    family.goto(base + "/reviews/")
    expect(family.get_by_role("heading", name="可评价的订单")).to_be_visible()
    assert_accessible(family)
    family.get_by_role("link", name=re.compile("^评价")).first.click()
    expect(family.get_by_role("heading", name=re.compile("评价：京西示例殡仪馆"))).to_be_visible()
    # Submitting without scores shows the errors beside the fields.
    family.get_by_label("评价内容").fill(TEXT)
    family.get_by_role("button", name="提交评价").click()
    expect(family.locator(".has-error").first).to_be_visible()
    assert_accessible(family)
    for label, stars in (
        ("总体评价", "5 星"),
        ("价格透明", "5 星"),
        ("服务态度", "4 星"),
        ("设施环境", "4 星"),
    ):
        family.get_by_label(label).select_option(label=stars)
    family.get_by_role("button", name="提交评价").click()
    expect(family.locator(".messages")).to_contain_text("审核后发布")
    expect(family.locator("article").filter(has_text=TEXT)).to_contain_text("待审核")

    officer = new_page()
    sign_in(officer, base, OFFICER)
    officer.goto(base + "/admin/feedback_review/?status=pending")
    officer.get_by_role("link", name=re.compile("王\\* 对 京西示例殡仪馆")).first.click()
    officer.get_by_role("radio", name=re.compile("发布（被举报的评价：举报不成立，继续显示）")).check()
    officer.get_by_role("button", name=re.compile("保存|Save")).first.click()
    expect(officer.locator("body")).to_contain_text("已发布")

    family.goto(base + "/funeral/providers/demo-jingxi-funeral-home/")
    review = family.locator("article.review").filter(has_text=TEXT)
    expect(review).to_contain_text("已核实订单")
    expect(review).to_contain_text("王*")
    expect(family.locator("#reviews")).to_contain_text("条已核实订单评价")
    # The reviews section of the provider page (the other sections have their own journeys).
    results = Axe().run(family, context="#reviews", options=WCAG_AA)
    assert not results.violations_count, results.generate_report()
    family.goto(base + "/reviews/")
    expect(family.locator("article").filter(has_text=TEXT)).to_contain_text("已发布")
