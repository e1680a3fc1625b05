"""The electronic licence journey (S9), at phone size: the organisation's admin downloads its
current licence from the workbench and checks the file on /verify/; a member of the public
follows the profile's earlier version to its verification page, reads that it was replaced,
and follows the link to the current one. Every page passes axe and fits the phone's width."""

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from orgs.licensing.models import Licence
from orgs.registry.demo import DEMO_ORG_ADMIN_MOBILE
from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, phone_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ORG = "北京市朝阳区养老服务协会（示例）"  # moved in the demo: two versions of its licence
CODE = re.compile(r"核验码：([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


def test_organisation_downloads_its_licence_and_the_public_finds_the_old_one_replaced(
    demo_site, new_page, tmp_path
):
    base = demo_site.url
    current = Licence.objects.get(organization__name=ORG, current=True)
    earlier = Licence.objects.get(organization__name=ORG, current=False)

    page = phone_page(new_page)
    sign_in(page, base, DEMO_ORG_ADMIN_MOBILE)
    page.goto(base + "/workbench/")
    page.get_by_role("link", name=re.compile(f"{ORG} · 电子证照")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("电子证照")
    section = page.locator("[data-licence-current]")
    expect(section).to_contain_text("第 2 版")
    expect(section).to_contain_text("变更登记：住所")
    expect(page.get_by_role("cell", name=re.compile("已被替换"))).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_overflow(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载电子证照（PDF）").click()
    path = tmp_path / "licence.pdf"
    download_info.value.save_as(path)
    text = "".join(p.extract_text() for p in PdfReader(str(path)).pages).replace("\n", "")
    assert ORG in text and "社会团体法人登记证书" in text
    code = CODE.search(text).group(1)
    assert code == current.document.code

    page.goto(f"{base}/verify/{code}/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="核对").click()
    expect(page.get_by_role("status")).to_contain_text("文件真实")

    public = phone_page(new_page)
    public.goto(base + "/orgs/")
    public.get_by_role("link", name=ORG).first.click()
    licence = public.locator("section", has=public.get_by_role("heading", name="电子证照"))
    expect(licence).to_contain_text(current.document.code)
    licence.get_by_text(re.compile("此前的 1 个版本")).click()
    licence.get_by_role("link", name=earlier.document.code).click()
    expect(public.get_by_text("本文书已被替换")).to_be_visible()
    expect(public.get_by_text("已被新版本取代")).to_be_visible()
    assert_accessible(public)
    assert_no_horizontal_overflow(public)
    public.get_by_role("link", name=current.document.code).click()
    expect(public).to_have_url(re.compile(f"/verify/{current.document.code}/$"))
    expect(public.locator(".badge-ok")).to_have_text("有效")
    expect(public.get_by_text("本文书已被替换")).to_have_count(0)
