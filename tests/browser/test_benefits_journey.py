"""Issue 20's whole errand in a browser at phone size (point 5), as the demo family 王丽:

1. she picks a free hall slot while ordering at 京西 (the flow of test_slots_journey.py), places
   the order, 京西's staff confirm it in the workbench, and she sees the slot booked;
2. she applies for the sea-burial subsidy (骨灰海撒补贴) from her sea-burial order for 李秀英
   (the demo leaves it without an application for this): the live eligibility region explains
   each criterion as she fills the form; she saves, uploads each required document (real PDFs),
   submits, and sees the status and the decision deadline;
3. the funeral section officer approves it in the admin's 惠民殡葬申请审核 queue;
4. she sees it approved, downloads the sealed decision letter (it names the application and
   批准, and its seal verifies) and opens its verification page: valid;
5. she starts the 身后一件事 checklist from the order, ticks another department's step with the
   keyboard, sees it ticked after a reload, and downloads the checklist PDF, which names it.

Every page she visits passes axe and fits the phone's width; the staff's and the officer's
pages pass axe."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from core.sealing import verify_pdf
from marketplace.benefits.models import BenefitApplication, BenefitScheme
from marketplace.orders.models import Order
from marketplace.orders.slots.models import Booking, BookingStatus, Resource, ResourceKind
from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, phone_page, sign_in
from tests.factories.orders import id_number

pytestmark = pytest.mark.django_db(transaction=True)

FAMILY = "13900000002"  # 王丽
STAFF = "13910000001"  # 京西示例殡仪馆 admin (catalogue demo)
OFFICER = "13900000004"  # the funeral section
PROVIDER = "demo-jingxi-funeral-home"
SCHEME = "sea-burial-subsidy"
SEA_ORDER_DECEASED = "李秀英"  # 王丽's sea-burial demo order, left without an application
OTHER_DEPARTMENT_STEP = "注销户口"
NUMBER = re.compile(r"/benefits/(HM\d{12})/$")


def compact(text):
    return re.sub(r"\s+", "", text)


def pdf_text(data):
    return compact("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def pdf_file(path, text):
    """A real one-page PDF with Chinese text, as a scanned document would be
    (tests/factories/orgs.pdf_bytes)."""
    from reportlab.pdfgen import canvas

    from core.pdf import cjk_font_name

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont(cjk_font_name(), 12)
    pdf.drawString(72, 720, text)
    pdf.save()
    path.write_bytes(buffer.getvalue())
    return str(path)


def checked(page):
    """The family's page passes axe and fits the phone's width."""
    assert_accessible(page)
    assert_no_horizontal_overflow(page)


def order_with_a_booked_hall_slot(family, new_page, base):
    """Part 1, as test_slots_journey.py walks it: quote, hold a hall slot on the order form's
    服务档期 box, order, and 京西 confirms in the workbench. Returns the order."""
    hall = (
        Resource.objects.filter(provider__slug=PROVIDER, kind=ResourceKind.HALL, items__isnull=False)
        .order_by("pk")
        .first()
    )
    assert hall is not None, "the demo links a hall of 京西 to the items it serves"
    item = hall.items.order_by("pk").first()

    family.goto(f"{base}/funeral/quote/?provider={PROVIDER}")
    checked(family)
    family.get_by_label(item.name, exact=True).check()
    family.get_by_role("button", name="生成费用明细").first.click()
    expect(family.get_by_role("heading", name="费用明细")).to_be_visible()
    checked(family)
    reference = re.search(r"/quote/([0-9A-F]+)/", family.url).group(1)

    family.goto(f"{base}/orders/new/?quote={reference}")
    checked(family)
    family.get_by_role("link", name="选择服务档期").click()
    expect(family.get_by_role("heading", name="选择服务档期")).to_be_visible()
    checked(family)
    family.locator("fieldset.slot-choices").filter(has_text=hall.name).locator(
        "input[type=radio]"
    ).first.check()
    family.get_by_role("button", name="暂留所选档期").click()
    expect(family.locator(".messages")).to_contain_text("已为您暂留")
    # Hers, the newest (the demo's own holds of 王丽 may still be running).
    held = Booking.objects.filter(user__mobile=FAMILY, status=BookingStatus.HELD, resource=hall).latest("pk")
    expect(family.get_by_label("希望服务时间")).to_have_value(
        timezone.localtime(held.starts_at).strftime("%H:%M")
    )
    checked(family)

    family.get_by_label("逝者姓名").fill("周文华")
    family.get_by_label("逝者性别").select_option("male")
    family.get_by_label("逝者年龄").fill("84")
    family.get_by_label("死亡日期").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    family.get_by_label("逝者居民身份证号").fill(id_number("11010219420817531"))
    family.get_by_label("与逝者关系").fill("女儿")
    family.get_by_role("button", name="下一步：核对订单").click()
    expect(family.locator("#slot")).to_contain_text(hall.name)
    checked(family)
    family.get_by_role("button", name="确认下单").click()
    expect(family.locator(".messages")).to_contain_text("订单已提交")
    expect(family.locator("#slot-bookings")).to_contain_text("已随订单提交，待机构确认")
    order = Order.objects.get(quote__reference=reference)

    staff = new_page()
    sign_in(staff, base, STAFF)
    staff.goto(f"{base}/workbench/funeral/orders/{order.reference}/")
    staff.get_by_role("link", name="确认服务时间和礼厅").click()
    expect(staff.get_by_label("礼厅")).to_have_value(hall.name)
    assert_accessible(staff)
    staff.get_by_role("button", name="确认订单").click()
    expect(staff.locator(".messages")).to_contain_text("已确认订单")

    family.goto(f"{base}/orders/{order.reference}/")
    expect(family.locator("#slot-bookings")).to_contain_text(hall.name)
    expect(family.locator("#slot-bookings")).to_contain_text("已预约")
    checked(family)
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.BOOKED
    return order


def upload(page, item, path):
    document = page.locator(f'.document[data-item="{item}"]')
    document.get_by_label(f"上传“{item}”").set_input_files(path)
    document.get_by_role("button", name=f"上传 {item}").click()
    expect(page.locator(".messages")).to_contain_text(f"已上传“{item}”")
    expect(document).to_have_attribute("data-uploaded", "1")


def test_benefits_journey_slot_order_subsidy_letter_and_checklist(demo_site, new_page, tmp_path):
    base = demo_site.url
    scheme = BenefitScheme.objects.get(code=SCHEME)
    sea_order = Order.objects.get(user__mobile=FAMILY, deceased_name=SEA_ORDER_DECEASED)
    assert sea_order.burial_choice == "sea"
    assert not BenefitApplication.objects.filter(order=sea_order).exists()

    family = phone_page(new_page)
    sign_in(family, base, FAMILY)

    # 1. A hall slot picked while ordering, booked when the funeral home confirms.
    order_with_a_booked_hall_slot(family, new_page, base)

    # 2. The sea-burial subsidy, applied for from her sea-burial order.
    family.goto(base + "/benefits/")
    expect(family.get_by_role("heading", level=1)).to_have_text("我的惠民殡葬申请")
    checked(family)
    family.locator("ul.order-choices > li").filter(has_text=sea_order.reference).get_by_role(
        "link", name=re.compile("^为这个订单选择政策")
    ).click()
    expect(family.locator(f'[data-selected-order="{sea_order.reference}"]')).to_contain_text(
        SEA_ORDER_DECEASED
    )
    checked(family)
    family.locator(f'article[data-scheme="{SCHEME}"]').get_by_role("link", name=f"申请 {scheme.name}").click()
    expect(family.get_by_role("heading", level=1)).to_have_text(f"申请：{scheme.name}")
    expect(family.locator('[data-order-facts] [data-fact="deceased_name"]')).to_have_text(SEA_ORDER_DECEASED)
    # From the order: the burial type is the order's (sea), the payee its contact.
    expect(family.get_by_label("海葬", exact=True)).to_be_checked()
    expect(family.get_by_label("收款人姓名")).to_have_value("王丽")
    region = family.locator("[data-precheck-region]")
    expect(region.locator('[data-check="burial"]')).to_have_attribute("data-passed", "1")
    expect(region.locator('[data-check="district"]')).to_have_attribute("data-pending", "1")
    checked(family)

    family.get_by_label("逝者户籍所在区").select_option("xicheng")
    family.get_by_label("以上均不是").check()
    family.get_by_label("开户银行").fill("中国工商银行北京西城支行（示例）")
    family.get_by_label("银行账号").fill("6222020200012345678")
    # The live checks (debounced, posted as she types) explain each criterion.
    district = region.locator('[data-check="district"]')
    expect(district).to_have_attribute("data-passed", "1")
    expect(district).to_contain_text("逝者户籍在西城区，符合（本市任一区）。")
    burial = region.locator('[data-check="burial"]')
    expect(burial).to_have_attribute("data-passed", "1")
    expect(burial).to_contain_text("安葬方式为海葬，符合（海葬）。")
    expect(region.locator('[data-check="payee"]')).to_have_attribute("data-passed", "1")
    expect(region.locator('[data-check="window"]')).to_have_attribute("data-passed", "1")
    checked(family)
    family.get_by_role("button", name="保存为草稿").click()

    expect(family).to_have_url(NUMBER)
    number = NUMBER.search(family.url).group(1)
    expect(family.locator(".messages")).to_contain_text(f"申请已保存为草稿，编号 {number}")
    expect(family.locator('p.status-line [data-status="draft"]')).to_have_text("草稿")
    checked(family)
    for item in scheme.required_documents:
        upload(family, item, pdf_file(tmp_path / f"{item}.pdf", f"{item}（示例）逝者：{SEA_ORDER_DECEASED}"))
    checked(family)
    family.get_by_role("button", name="提交申请").click()

    application = BenefitApplication.objects.get(number=number)
    due = application.decision_due.isoformat()
    expect(family.locator(".messages")).to_contain_text(f"申请已提交。民政部门将在 {due} 前作出决定。")
    expect(family.locator('p.status-line [data-status="submitted"]')).to_have_text("已提交，审核中")
    expect(family.locator(f'[data-decision-due="{due}"]')).to_have_text(f"民政部门应在 {due} 前作出决定")
    expect(family.locator('[data-step="review"]')).to_have_attribute("data-state", "current")
    checked(family)

    # 3. The funeral section officer approves it from the 惠民殡葬申请审核 queue.
    officer = new_page()
    sign_in(officer, base, OFFICER)
    officer.goto(base + "/admin/")
    officer.locator('tr[data-queue="benefit_applications"]').get_by_role(
        "link", name="惠民殡葬申请审核"
    ).click()
    expect(officer).to_have_url(re.compile(r"/admin/funeral/benefits/applications/"))
    assert_accessible(officer)
    officer.get_by_role("link", name=number).click()
    expect(officer).to_have_url(re.compile(rf"/admin/funeral/benefits/applications/edit/{application.pk}/$"))
    expect(officer.locator('[data-status="submitted"]')).to_be_visible()
    expect(officer.locator("[data-documents]")).to_contain_text(scheme.required_documents[-1])
    expect(officer.locator('[data-checks] li[data-passed="0"]')).to_have_count(0)
    assert_accessible(officer)
    officer.get_by_label("批准理由").fill("逝者骨灰由承办单位组织海撒，材料齐全，符合骨灰海撒补贴的条件。")
    officer.get_by_role("button", name="批准并出具决定书", exact=True).click()
    expect(officer.get_by_text(re.compile("已批准，决定书核验码"))).to_be_visible()
    expect(officer.locator('[data-status="approved"]')).to_be_visible()

    # 4. Approved: the sealed decision letter, downloaded and verified.
    application.refresh_from_db()
    assert application.instruction_number
    family.reload()
    expect(family.locator('p.status-line [data-status="approved"]')).to_have_text("已批准")
    decision = family.locator('[data-decision="approved"]')
    expect(decision).to_contain_text("¥4,000.00")
    expect(decision).to_contain_text(application.instruction_number)
    checked(family)
    with family.expect_download() as download_info:
        decision.get_by_role("link", name="下载决定书（PDF）").click()
    letter = tmp_path / "letter.pdf"
    download_info.value.save_as(letter)
    data = letter.read_bytes()
    text = pdf_text(data)
    assert number in text and "批准" in text and SEA_ORDER_DECEASED in text
    assert verify_pdf(data).ok

    code = application.decision_letter.code
    decision.get_by_role("link", name=code).click()
    expect(family).to_have_url(re.compile(rf"/verify/{code}/$"))
    facts = family.locator("dl.facts")
    expect(facts.locator(".badge-ok").first).to_have_text("有效")
    expect(facts).to_contain_text("已批准")
    family.locator("input[type=file]").set_input_files(str(letter))
    family.get_by_role("button", name="核对").click()
    expect(family.get_by_role("status")).to_contain_text("文件真实")
    checked(family)

    # 5. The 身后一件事 checklist, from the order: tick another department's step.
    family.goto(f"{base}/benefits/{number}/")
    family.locator("#facts-h ~ dl").get_by_role("link", name=sea_order.reference).click()
    expect(family.get_by_role("heading", level=1)).to_have_text(f"订单 {sea_order.reference}")
    checked(family)
    family.get_by_role("link", name="建立身后一件事清单").click()
    expect(family.get_by_role("heading", level=1)).to_have_text("建立身后一件事清单")
    checked(family)
    family.get_by_role("button", name="建立清单").click()
    expect(family).to_have_url(re.compile(r"/benefits/checklist/[^/]+/$"))
    expect(family.locator(".messages")).to_contain_text("清单已建立")
    expect(family.get_by_role("heading", level=1)).to_have_text(f"身后一件事：{SEA_ORDER_DECEASED}")
    subsidy = family.locator("li.check-step").filter(
        has=family.get_by_role("heading", name=re.compile("申请惠民殡葬补贴"))
    )
    expect(subsidy).to_contain_text(number)
    expect(subsidy).to_contain_text("已办结")
    checked(family)

    step = family.locator("li.check-step").filter(
        has=family.get_by_role("heading", name=re.compile(OTHER_DEPARTMENT_STEP))
    )
    expect(step).to_contain_text("待办")
    step.get_by_role("button", name=f"标记为已办 {OTHER_DEPARTMENT_STEP}").focus()
    family.keyboard.press("Enter")
    expect(family.locator(".messages")).to_contain_text(f"已勾选“{OTHER_DEPARTMENT_STEP}”。")
    family.reload()
    expect(step.get_by_role("button", name=f"取消勾选 {OTHER_DEPARTMENT_STEP}")).to_be_visible()
    expect(step).to_contain_text("勾选为已办")
    expect(step.locator(".check-badges .badge").first).to_have_text("已办")
    checked(family)

    # The printable PDF is served inline (the browser opens it to print), so it is fetched with
    # the page's own cookies from the link's address.
    href = family.get_by_role("link", name="下载打印版（PDF）").get_attribute("href")
    response = family.request.get(base + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert SEA_ORDER_DECEASED in text and OTHER_DEPARTMENT_STEP in text
    assert "勾选" in text
