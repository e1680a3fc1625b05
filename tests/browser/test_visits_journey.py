"""M3 in the browser, at phone size: the demo family books a Qingming visit at 西山示例公墓,
opens its pass (QR code and code), and the gate's phone reads it on /verify/ as valid with a
masked name; the cemetery's gate marks it used. axe checks every page, and no page scrolls
sideways at 390 px. Screenshots of the pass in both languages are kept in test-artifacts/."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from marketplace.orders import identity
from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FAMILY = "13900000002"  # 王丽, real-name verified (accounts demo)
CEMETERY_ADMIN = "13910000004"  # admin of 西山示例公墓 (catalogue demo)
FIRST17 = "11010819521104231"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_family_books_a_qingming_visit_and_the_gate_reads_its_pass(demo_site, new_page):
    base = demo_site.url
    family = new_page()
    family.set_viewport_size({"width": 390, "height": 844})
    sign_in(family, base, FAMILY)

    family.goto(base + "/memorials/visits/")
    expect(family.get_by_role("heading", name="预约祭扫", exact=True)).to_be_visible()
    assert_accessible(family)
    no_sideways_scroll(family)
    family.get_by_role("link", name=re.compile("西山示例公墓")).click()
    expect(family.get_by_role("heading", name=re.compile("西山示例公墓"))).to_be_visible()
    assert_accessible(family)
    no_sideways_scroll(family)
    # The sessions are cards on a phone, each cell named by its column: no box scrolls sideways.
    assert family.evaluate(
        "Array.from(document.querySelectorAll('.table-wrap')).every(w => w.scrollWidth <= w.clientWidth + 1)"
    )
    expect(family.locator("table.stack-table td[data-label='剩余名额']").first).to_be_visible()
    # The first peak-period day (its caption names the period).
    table = family.locator("table").filter(has_text="清明节祭扫高峰").first
    table.get_by_role("link", name=re.compile("^预约 ")).first.click()
    expect(family.get_by_role("heading", name="预约祭扫")).to_be_visible()

    # Too many visitors: the error summary names the limit, and nothing is booked.
    family.get_by_label("预约人身份证号").fill(FIRST17 + identity.check_character(FIRST17))
    family.get_by_label("墓位或格位号").fill("松园 B区1排8号")
    family.get_by_label("祭扫人数").fill("9")
    family.get_by_role("button", name="提交预约").click()
    expect(family.locator("#error-summary")).to_contain_text("最多 3 人")
    assert_accessible(family)
    no_sideways_scroll(family)
    family.get_by_label("祭扫人数").fill("2")
    family.get_by_role("button", name="提交预约").click()

    expect(family.get_by_role("heading", name="预约祭扫凭证")).to_be_visible()
    expect(family.locator(".messages")).to_contain_text("预约成功")
    expect(family.get_by_role("img", name=re.compile("预约祭扫凭证二维码"))).to_be_visible()
    code = family.locator("section code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    assert_accessible(family)
    no_sideways_scroll(family)
    ARTIFACTS.mkdir(exist_ok=True)
    family.screenshot(path=str(ARTIFACTS / "visits-pass-390-zh.png"), full_page=True)
    pass_url = family.url
    family.goto(pass_url.replace(base, base + "/en", 1))
    assert_accessible(family)
    no_sideways_scroll(family)
    family.screenshot(path=str(ARTIFACTS / "visits-pass-390-en.png"), full_page=True)

    for path in ("/en/memorials/visits/", "/en/memorials/visits/demo-xishan-cemetery/"):
        family.goto(base + path)
        assert_accessible(family)
        no_sideways_scroll(family)
    family.screenshot(path=str(ARTIFACTS / "visits-sessions-390-en.png"), full_page=True)

    gate_phone = new_page()
    gate_phone.set_viewport_size({"width": 390, "height": 844})
    gate_phone.goto(f"{base}/verify/{code}/")
    expect(gate_phone.locator("dl.facts")).to_contain_text("有效，未使用")
    expect(gate_phone.locator("dl.facts")).to_contain_text("王*")
    expect(gate_phone.locator("dl.facts")).not_to_contain_text("王丽")
    assert_accessible(gate_phone)
    no_sideways_scroll(gate_phone)

    family.goto(base + "/memorials/visits/mine/")
    expect(family.locator("table")).to_contain_text("西山示例公墓")
    assert_accessible(family)
    no_sideways_scroll(family)

    staff = new_page()
    staff.set_viewport_size({"width": 390, "height": 844})
    sign_in(staff, base, CEMETERY_ADMIN)
    staff.goto(base + "/workbench/visits/")
    expect(staff.get_by_role("heading", name=re.compile("西山示例公墓"))).to_be_visible()
    assert_accessible(staff)
    no_sideways_scroll(staff)
    staff.get_by_role("link", name="批量发布场次").click()
    assert_accessible(staff)
    no_sideways_scroll(staff)
    # The day sheet of the first peak day: the demo family's booking and this one, masked.
    staff.goto(base + "/workbench/visits/demo-xishan-cemetery/")
    staff.locator("caption").filter(has_text="清明节祭扫高峰").first.get_by_role(
        "link", name="预约名单"
    ).click()
    expect(staff.locator("table").last).to_contain_text("王*")
    expect(staff.locator("table").last).not_to_contain_text("王丽")
    assert_accessible(staff)
    no_sideways_scroll(staff)
    staff.screenshot(path=str(ARTIFACTS / "visits-day-sheet-390-zh.png"), full_page=True)
    staff.goto(base + "/workbench/visits/demo-xishan-cemetery/gate/")
    staff.get_by_label("预约凭证核验码或预约编号").fill(code)
    staff.get_by_role("button", name="核验并记为入园").click()
    # The visit is days away: the gate refuses it today and says which session it is for.
    expect(staff.locator("#error-summary")).to_contain_text("今天不能入园")
    assert_accessible(staff)
    no_sideways_scroll(staff)
