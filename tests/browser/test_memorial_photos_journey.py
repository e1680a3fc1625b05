"""M1 photos in the browser at phone size (390 px): the demo family (the keeper of a demo
memorial) first uploads a file that is not a photo and meets the error summary, then a photo
taken with GPS on; the photo shows on the memorial page for a visitor, upright and without its
metadata, and the keeper deletes it. Every page passes axe and none scrolls sideways."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories.memorial_photos import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)

FAMILY = "13900000002"  # 王丽, real-name verified, keeper of the demo memorials
PHONE = {"width": 390, "height": 844}


def check_page(page, name):
    assert_accessible(page)
    widths = page.evaluate("() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})")
    assert widths["page"] <= widths["screen"], (name, widths)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"memorial-photos-{name}.png"), full_page=True)


def test_keeper_uploads_a_photo_a_visitor_sees_it_and_the_keeper_deletes_it(demo_site, new_page, tmp_path):
    from marketplace.memorials.models import Memorial, MemorialPhoto, Visibility

    memorial = Memorial.objects.filter(visibility=Visibility.PUBLIC, created_by__mobile=FAMILY).first()
    assert memorial is not None
    base = demo_site.url
    not_a_photo = tmp_path / "photo.jpg"
    not_a_photo.write_bytes(b"<html><script>alert(1)</script></html>")
    photo_file = tmp_path / "IMG_0001.jpg"
    photo_file.write_bytes(image_bytes("JPEG", size=(1200, 800), orientation=6))

    keeper = new_page()
    keeper.set_viewport_size(PHONE)
    sign_in(keeper, base, FAMILY)
    keeper.goto(base + memorial.get_absolute_url())
    keeper.get_by_role("link", name="管理照片").click()
    expect(keeper.get_by_role("heading", name=re.compile("照片："))).to_be_visible()
    check_page(keeper, "empty-zh")

    keeper.get_by_label(re.compile(r"^照片( \*)?$")).set_input_files(str(not_a_photo))
    keeper.get_by_label("照片内容描述").fill("父亲在书房的留影")
    keeper.get_by_role("button", name="上传").click()
    expect(keeper.locator("#error-summary")).to_contain_text("只接受 JPG、PNG 或 WebP 格式的照片")
    check_page(keeper, "error-zh")

    keeper.get_by_label(re.compile(r"^照片( \*)?$")).set_input_files(str(photo_file))
    keeper.get_by_label("照片内容描述").fill("父亲在书房的留影")
    keeper.get_by_label("图片说明（可选）").fill("摄于家中")
    keeper.get_by_role("button", name="上传").click()
    expect(keeper.get_by_role("img", name="父亲在书房的留影")).to_be_visible()
    check_page(keeper, "uploaded-zh")
    keeper.goto(base + "/en" + memorial.get_absolute_url() + "photos/")
    check_page(keeper, "uploaded-en")

    photo = MemorialPhoto.objects.get(memorial=memorial)
    with photo.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert len(stored.getexif()) == 0 and stored.size == (800, 1200)

    visitor = new_page()
    visitor.set_viewport_size(PHONE)
    visitor.goto(base + memorial.get_absolute_url())
    image = visitor.get_by_role("img", name="父亲在书房的留影")
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()  # a lazy image loads once it is near the viewport
    visitor.wait_for_function(
        "() => [...document.querySelectorAll('.memorial-photos img')].every(i => i.complete)"
    )
    assert image.evaluate("img => img.naturalWidth") == 800
    expect(visitor.locator(".memorial")).to_contain_text("摄于家中")
    check_page(visitor, "detail-visitor-zh")

    keeper.goto(base + memorial.get_absolute_url() + "photos/")
    keeper.get_by_role("button", name=re.compile("删除")).click()
    expect(keeper.locator("main")).to_contain_text("还没有照片")
    assert not MemorialPhoto.objects.filter(memorial=memorial).exists()
