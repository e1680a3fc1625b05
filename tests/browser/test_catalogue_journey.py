"""A family compares funeral prices in a real browser, on the demo site."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.helpers import assert_pages_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FLAGSHIP = "京西示例殡仪馆（示例）"
SECOND = "东郊示例殡仪馆（示例）"


def test_filter_open_history_compare_quote_and_download(demo_site, page):
    base = demo_site.url
    page.goto(base + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="殡葬服务").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("殡葬服务机构与价格")

    # Filter by district; the filter stays in the URL.
    page.get_by_label("所在区").select_option(label="石景山区")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"district=shijingshan"))
    expect(page.get_by_role("link", name=FLAGSHIP)).to_be_visible()
    expect(page.get_by_role("link", name=SECOND)).to_have_count(0)

    # Open the provider: the price notice with an upcoming change and a flag.
    page.get_by_role("link", name=FLAGSHIP).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FLAGSHIP)
    expect(page.get_by_text("价格复核提示")).to_be_visible()
    expect(page.get_by_role("heading", name="即将生效的调价")).to_be_visible()
    expect(page.get_by_text("京民殡许（示例）")).to_be_visible()

    # Download the price-list PDF and read it back.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载价目表（PDF）").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    pdf_text = "".join(p.extract_text() for p in reader.pages)
    assert FLAGSHIP in pdf_text and "大告别厅（1小时）" in pdf_text and "普通火化炉火化" in pdf_text

    # Open an item's history: a chart with a table of the same numbers beside it.
    page.get_by_role("table", name="服务项目与价格").get_by_role("link", name="大告别厅（1小时）").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("价格历史")
    expect(page.get_by_role("img", name=re.compile("价格走势"))).to_be_visible()
    versions = page.get_by_role("table", name="价格版本")
    expect(versions.get_by_role("row")).to_have_count(5)  # header + 4 versions
    expect(versions.get_by_text("即将生效")).to_be_visible()

    # Compare two funeral homes and a cemetery, submitting with the keyboard.
    page.goto(base + "/funeral/compare/")
    page.get_by_label("机构 1").select_option(label=FLAGSHIP)
    page.get_by_label("机构 2").select_option(label=SECOND)
    page.get_by_label("机构 3").focus()
    page.get_by_label("机构 3").select_option(label="西山示例公墓（示例）")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="比较")).to_be_focused()
    page.keyboard.press("Enter")
    table = page.get_by_role("table", name="标准服务包与服务类别比较（元）")
    expect(table.get_by_role("columnheader", name=FLAGSHIP)).to_be_visible()
    expect(table.get_by_role("columnheader", name="全市中位数")).to_be_visible()
    expect(table.locator("td.highlight").first).to_be_visible()
    expect(table.get_by_text("不提供").first).to_be_visible()

    # Build a quote for sea burial: the F7 services are free, with the policy reference.
    page.goto(base + "/funeral/quote/")
    page.get_by_label("机构", exact=True).select_option(label=FLAGSHIP)
    page.get_by_role("button", name="选择").click()
    page.get_by_label("殡仪车接运（60公里以内）", exact=True).check()
    page.get_by_label("遗体冷藏", exact=True).check()
    page.get_by_label("遗体冷藏 数量").fill("3")
    page.get_by_label("实木骨灰盒（普通）", exact=True).check()
    page.get_by_label("海葬").check()
    page.get_by_role("button", name="生成费用明细").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("费用明细")
    statement = page.get_by_role("table", name=re.compile("所选商品和服务明细"))
    expect(statement.get_by_role("row", name=re.compile("应付合计"))).to_contain_text("¥612.00")
    expect(page.get_by_text("京民殡发〔2017〕103号").first).to_be_visible()
    expect(page.get_by_role("button", name="打印")).to_be_visible()


def test_provider_staff_publish_an_upcoming_price_and_see_the_f2_refusal(demo_site, page):
    import datetime

    from django.utils import timezone

    from marketplace.catalogue.demo import DEMO_PROVIDER_ADMIN_MOBILE

    base = demo_site.url
    sign_in(page, base, DEMO_PROVIDER_ADMIN_MOBILE)
    page.goto(base + "/workbench/")
    # The provider's own card, not its service-slots card ("京西示例殡仪馆（示例） · 服务档期").
    page.get_by_role("link", name=re.compile("^" + re.escape(FLAGSHIP) + "(?! ·)")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FLAGSHIP)

    # Above the guide ceiling: refused with the ceiling and its document, nothing lost.
    page.get_by_role("link", name=re.compile(r"发布新价格.*普通告别室")).click()
    page.get_by_label("新价格（元）").fill("999")
    page.get_by_label(re.compile(r"^调价原因")).select_option(label="其他")
    page.get_by_label("原因说明").fill("测试超限")
    page.get_by_role("button", name="发布").click()
    refusal = re.compile(r"超过遗体告别的最高限价 ¥200\.00（依据：京发改〔2024〕示例12号）")
    # Beside the field, and linked from the error summary at the top (issue 18, point 7).
    expect(page.locator(".error").filter(has_text=refusal)).to_be_visible()
    expect(page.locator(".error-summary").get_by_role("link", name=refusal)).to_be_visible()
    expect(page.get_by_label(re.compile(r"^调价原因"))).to_have_value("other")
    expect(page.get_by_label("原因说明")).to_have_value("测试超限")

    # A future change within the ceiling is published as upcoming, and the public sees it.
    upcoming = (timezone.localdate() + datetime.timedelta(days=15)).isoformat()
    page.get_by_label("新价格（元）").fill("180")
    page.get_by_label("生效日期").fill(upcoming)
    page.get_by_label(re.compile(r"^调价原因")).select_option(label="服务内容调整")
    page.get_by_label("原因说明").fill("增加鲜花布置")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_role("status")).to_contain_text("已作为即将调整公示")
    page.goto(base + "/funeral/providers/demo-jingxi-funeral-home/")
    expect(page.get_by_text(re.compile("增加鲜花布置"))).to_be_visible()


def test_catalogue_pages_have_no_wcag_aa_violations(demo_site, page):
    base = demo_site.url
    paths = [
        "/funeral/",
        "/funeral/?district=shijingshan&sort=name",
        "/funeral/providers/demo-jingxi-funeral-home/",
        "/funeral/providers/demo-xishan-cemetery/",
        "/funeral/compare/?p=demo-jingxi-funeral-home&p=demo-xishan-cemetery",
        "/funeral/packages/",
        "/funeral/quote/?provider=demo-jingxi-funeral-home",
        "/en/funeral/providers/demo-jingxi-funeral-home/",
    ]
    page.goto(base + "/funeral/providers/demo-jingxi-funeral-home/")
    history = page.get_by_role("table", name="服务项目与价格").get_by_role("link").first.get_attribute("href")
    paths.append(history)
    assert_pages_accessible(page, base, paths)
