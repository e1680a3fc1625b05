"""The online change registration journey (S9, issue 21), at phone size: the organisation's admin
applies to register a new domicile, uploads the service guide's materials (a submission with one
required item missing is refused and the pre-check names it), and submits; the section officer
accepts and approves in the admin; the admin then downloads the new licence, which prints the new
domicile and verifies as genuine on /verify/. The public progress lookup shows the step and not the
application's content. The applicant's pages and the lookup pass axe and fit the phone's width."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from core.demo import DEMO_PASSWORD
from orgs.registry.demo import DEMO_ORG_ADMIN_MOBILE
from orgs.registry.models import Organization
from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, phone_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ORG = "北京市朝阳区养老服务协会（示例）"
OFFICER = "13900000005"  # the social-organisation section
NEW_DOMICILE = "北京市朝阳区阜通东大街6号院2号楼（示例·新址）"
REASON = "理事会于2026年3月决议将办公场所迁至阜通东大街（示例）"
FORM = "变更登记申请表"
RESOLUTION = "理事会（会员大会）决议"
PROOF = "新住所使用证明"  # 如适用: not required
NUMBER = re.compile(r"/workbench/registration/(DJ\d{12})/$")
CODE = re.compile(r"核验码：([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


def pdf_file(path, text):
    """A real one-page PDF with Chinese text, as a scanned material would be."""
    from reportlab.pdfgen import canvas

    from core.pdf import cjk_font_name

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont(cjk_font_name(), 12)
    pdf.drawString(72, 720, text)
    pdf.save()
    path.write_bytes(buffer.getvalue())
    return str(path)


def compact(text):
    return re.sub(r"\s+", "", text)


def upload(page, item, path):
    page.get_by_label("材料名称").select_option(item)
    page.get_by_label(re.compile(r"^文件\s*\*?$")).set_input_files(path)
    page.get_by_role("button", name="上传材料").click()
    expect(page.locator(".messages")).to_contain_text(f"已上传“{item}”")
    row = page.locator(f'[data-checklist] tr[data-item="{item}"]')
    expect(row).to_have_attribute("data-uploaded", "1")
    return row


def admin_sign_in(page, base):
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(OFFICER)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    expect(page.locator("#queues-title")).to_be_visible()


def test_admin_registers_a_new_domicile_online_and_downloads_the_new_licence(demo_site, new_page, tmp_path):
    base = demo_site.url
    organization = Organization.objects.get(name=ORG)
    old_domicile = organization.domicile
    assert old_domicile != NEW_DOMICILE

    # 1. The organisation's admin starts a change registration from the workbench.
    page = phone_page(new_page)
    sign_in(page, base, DEMO_ORG_ADMIN_MOBILE)
    page.goto(base + "/workbench/")
    page.get_by_role("link", name=re.compile("^社会组织登记申请")).click()
    expect(page).to_have_url(re.compile("/workbench/registration/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("登记申请")
    page.get_by_role("listitem").filter(has_text=ORG).get_by_role("link", name="申请变更登记").click()
    expect(page).to_have_url(re.compile(rf"/workbench/registration/new/change/\?org={organization.uscc}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"变更登记 · {ORG}")
    page.get_by_label("新住所").fill(NEW_DOMICILE)
    page.get_by_label("变更理由").fill(REASON)
    # The pre-checks run as one types: the organisation is registered; the materials are not in yet.
    region = page.locator("[data-precheck-region]")
    expect(region.locator('[data-check="registered"]')).to_have_attribute("data-passed", "1")
    expect(region.locator('[data-check="materials"]')).to_have_attribute("data-passed", "0")
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    page.get_by_role("button", name="保存申请").click()

    expect(page).to_have_url(NUMBER)
    number = NUMBER.search(page.url).group(1)
    expect(page.locator(".messages")).to_contain_text(f"申请已保存为草稿，编号 {number}")
    expect(page.locator('[data-status="draft"]')).to_have_text("草稿")
    expect(page.get_by_text(f"申请编号 {number}")).to_be_visible()
    changes = page.get_by_role("region", name="变更事项")
    expect(changes).to_contain_text(f"{old_domicile} → {NEW_DOMICILE}")
    expect(changes).to_contain_text(REASON)

    # 2. The checklist is the CMS guide's: two required items and one 如适用.
    checklist = page.locator("[data-checklist]")
    for item in (FORM, RESOLUTION):
        expect(checklist.locator(f'tr[data-item="{item}"]')).to_contain_text("未上传")
    proof = checklist.locator(f'tr[data-item="{PROOF}"]')
    expect(proof).to_contain_text("如适用")
    expect(proof).not_to_contain_text("未上传")

    # Only one required item, then 提交申请: refused, naming the missing one.
    row = upload(page, FORM, pdf_file(tmp_path / "变更登记申请表.pdf", "变更登记申请表（示例）"))
    expect(row.get_by_role("link", name="变更登记申请表.pdf")).to_be_visible()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text(f"还缺少以下材料：{RESOLUTION}")
    expect(page.locator(".messages")).not_to_contain_text(PROOF)
    expect(page.locator('[data-status="draft"]')).to_have_text("草稿")
    materials = page.locator('[data-prechecks] [data-check="materials"]')
    expect(materials).to_have_attribute("data-passed", "0")
    expect(materials).to_contain_text("未通过")
    expect(materials).to_contain_text(RESOLUTION)
    expect(materials).not_to_contain_text(FORM)
    expect(materials).not_to_contain_text(PROOF)
    assert_accessible(page)
    assert_no_horizontal_overflow(page)

    # The second required item, and the submission goes through.
    upload(page, RESOLUTION, pdf_file(tmp_path / "理事会决议.pdf", "理事会决议（示例）"))
    expect(materials).to_have_attribute("data-passed", "1")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text("申请已提交")
    expect(page.locator('[data-status="submitted"]')).to_have_text("已提交，形式审查中")
    expect(page.get_by_role("button", name="提交申请")).to_have_count(0)

    # 3. The section officer accepts the application, then approves it.
    officer = new_page()
    admin_sign_in(officer, base)
    officer.goto(base + "/admin/registration-applications/")
    officer.get_by_role("link", name=number).click()
    expect(officer).to_have_url(re.compile(r"/admin/registration-applications/edit/\d+/$"))
    expect(officer.locator('[data-status="submitted"]')).to_be_visible()
    expect(officer.locator("table.listing")).to_contain_text(FORM)
    expect(officer.locator("table.listing")).to_contain_text(RESOLUTION)
    officer.get_by_label("材料齐全，予以受理").check()
    officer.get_by_role("button", name="提交审查意见").click()
    expect(officer.get_by_text("已受理，进入实质审查。")).to_be_visible()
    expect(officer.locator('[data-status="in_review"]')).to_be_visible()
    officer.get_by_label("准予登记").check()
    officer.get_by_label("决定理由").fill("材料齐全，符合变更登记条件。")
    officer.get_by_role("button", name="提交审查意见").click()
    expect(officer.get_by_text("已准予登记，电子证照已发放。")).to_be_visible()
    expect(officer.locator('[data-status="approved"]')).to_be_visible()

    # 4. Back as the admin: approved, and the new licence prints the new domicile.
    page.reload()
    expect(page.locator('[data-status="approved"]')).to_have_text("准予登记")
    expect(page.locator("[data-steps]")).to_contain_text("材料齐全，符合变更登记条件。")
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    page.get_by_role("link", name="查看和下载电子证照").click()
    expect(page).to_have_url(re.compile(f"/workbench/licences/{organization.uscc}/$"))
    current = page.locator("[data-licence-current]")
    expect(current).to_contain_text("第 3 版")
    expect(current).to_contain_text(f"变更登记：住所（{number}）")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载电子证照（PDF）").click()
    path = tmp_path / "licence.pdf"
    download_info.value.save_as(path)
    text = compact("".join(p.extract_text() for p in PdfReader(str(path)).pages))
    assert ORG in text
    assert compact(NEW_DOMICILE) in text
    assert compact(old_domicile) not in text
    code = CODE.search(text).group(1)
    expect(current).to_contain_text(code)

    page.goto(f"{base}/verify/{code}/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="核对").click()
    expect(page.get_by_role("status")).to_contain_text("文件真实")

    # 5. Anyone with the number sees the step and its date, not what the application says.
    public = phone_page(new_page)
    public.goto(f"{base}/orgs/registration/progress/?number={number}")
    result = public.locator("[data-progress]")
    expect(result).to_contain_text(number)
    expect(result).to_contain_text("变更登记")
    expect(result.locator('[data-status="approved"]')).to_have_text("准予登记")
    main = public.locator("main")
    for secret in (NEW_DOMICILE, old_domicile, ORG, REASON, "刘洋"):
        expect(main).not_to_contain_text(secret)
    assert_accessible(public)
    assert_no_horizontal_overflow(public)

    # 6. The approved application still says what it changed: the domicile before → after. (It
    # must not read the "before" from the registry, which holds the new domicile by now.)
    page.goto(f"{base}/workbench/registration/{number}/")
    expect(changes).to_contain_text(f"{old_domicile} → {NEW_DOMICILE}")
