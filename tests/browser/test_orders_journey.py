"""The whole order journey in two browsers: the family and the provider's staff.

quote → submit → the provider confirms (second context) → the family signs with an SMS
code → the provider countersigns → the family downloads the sealed PDF → /verify/<code>/
with that file says it is genuine.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import sms
from core import sealing
from marketplace.orders.models import Order
from tests.browser.helpers import sign_in
from tests.factories.orders import id_number

pytestmark = pytest.mark.django_db(transaction=True)

FAMILY = "13900000002"
STAFF = "13910000001"  # 京西示例殡仪馆 admin (catalogue demo)


def last_code():
    return next(
        re.search(r"验证码 (\d{6})", m.text).group(1) for m in reversed(sms.outbox) if "验证码" in m.text
    )


def sign(page, name):
    sms.outbox.clear()
    page.get_by_role("button", name=re.compile("发送验证码")).click()
    expect(page.locator(".messages")).to_contain_text("验证码已发送")
    page.get_by_label("签署人姓名").fill(name)
    page.get_by_label(re.compile("我已阅读上述文书全文")).check()
    page.get_by_role("textbox", name="短信验证码").fill(last_code())
    page.get_by_role("button", name="确认签署").click()
    expect(page.locator(".messages")).to_contain_text("签署成功")


def test_quote_order_confirm_sign_countersign_download_and_verify(demo_site, new_page, tmp_path):
    base = demo_site.url
    family = new_page()
    sign_in(family, base, FAMILY)

    # The quote, built in the catalogue and saved for the signed-in family.
    family.goto(base + "/funeral/quote/?provider=demo-jingxi-funeral-home")
    for name in ("殡仪车接运（60公里以内）", "普通火化炉火化", "实木骨灰盒（普通）"):
        family.get_by_label(name, exact=True).check()
    family.get_by_role("button", name="生成费用明细").first.click()
    expect(family.get_by_role("heading", name="费用明细")).to_be_visible()
    reference = re.search(r"/quote/([0-9A-F]+)/", family.url).group(1)

    # Submit it as an order.
    family.goto(f"{base}/orders/new/?quote={reference}")
    expect(family.get_by_role("table")).to_contain_text("实木骨灰盒（普通）")
    family.get_by_label("逝者姓名").fill("刘德顺")
    family.get_by_label("逝者性别").select_option("male")
    family.get_by_label("逝者年龄").fill("88")
    family.get_by_label("死亡日期").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    family.get_by_label("逝者居民身份证号").fill(id_number("11010819380315777"))
    family.get_by_label("与逝者关系").fill("女儿")
    family.get_by_label("希望服务日期").fill((timezone.localdate() + timedelta(days=2)).isoformat())
    family.get_by_label("希望服务时间").fill("09:30")
    family.get_by_role("button", name="下一步：核对订单").click()
    expect(family.get_by_role("heading", name="核对订单", exact=True)).to_be_visible()
    expect(family.locator("dl.summary-list").first).to_contain_text("刘德顺")
    assert not Order.objects.filter(quote__reference=reference).exists()
    family.get_by_role("button", name="确认下单").click()
    expect(family.locator(".messages")).to_contain_text("订单已提交")
    order = Order.objects.get(quote__reference=reference)
    expect(family.get_by_text(order.deceased_id_masked)).to_be_visible()

    # The provider confirms and issues the contract, in a second browser context.
    staff = new_page()
    sign_in(staff, base, STAFF)
    staff.goto(base + "/workbench/funeral/orders/")
    staff.get_by_role("link", name=order.reference).click()
    staff.get_by_role("link", name="确认服务时间和礼厅").click()
    staff.get_by_label("礼厅").fill("二号告别厅")
    staff.get_by_role("button", name="确认订单").click()
    expect(staff.locator(".messages")).to_contain_text("已确认订单")
    staff.get_by_role("link", name="出具合同").click()
    staff.get_by_role("button", name="出具合同").click()
    expect(staff.locator(".messages")).to_contain_text("合同已出具")

    # The family reads and signs.
    family.goto(f"{base}/orders/{order.reference}/")
    family.get_by_role("link", name="阅读并签署合同").click()
    sign(family, "王丽")
    expect(family.locator(".action-panel")).to_contain_text("等待机构会签")

    # The provider countersigns; the platform seals the contract.
    staff.goto(f"{base}/workbench/funeral/orders/{order.reference}/")
    staff.get_by_role("link", name="会签合同").click()
    sign(staff, "示例京西殡仪馆管理员")

    # The family downloads the sealed PDF and checks it on the public page.
    family.goto(f"{base}/orders/{order.reference}/")
    expect(family.locator(".action-panel")).to_contain_text("合同已生效并加盖电子印章")
    with family.expect_download() as download_info:
        family.get_by_role("link", name="下载盖章合同（PDF）").click()
    path = Path(tmp_path) / "contract.pdf"
    download_info.value.save_as(path)
    document = Order.objects.get(pk=order.pk).contract.sealed_document
    assert sealing.sha256(path.read_bytes()) == document.sha256
    code = document.code
    family.get_by_role("link", name=code).click()
    expect(family.get_by_role("heading", name="文书核验")).to_be_visible()
    expect(family.locator("dl.facts")).to_contain_text("王*")
    family.locator("input[type=file]").set_input_files(str(path))
    family.get_by_role("button", name="核对").click()
    # The server checks the upload is byte-identical AND that its seal validates with pyHanko.
    expect(family.get_by_role("status").filter(has_text="文件真实")).to_be_visible()
