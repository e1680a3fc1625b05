"""A family pays its countersigned contract through the Alipay simulator's cashier (issue 5)."""

import pytest
from playwright.sync_api import expect

from core import sealing
from marketplace.orders.models import Order, OrderStatus
from tests.browser.helpers import sign_in
from tests.factories import payments as payment_fixtures

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server

pytestmark = pytest.mark.django_db(transaction=True)


def test_family_pays_a_signed_contract_and_gets_a_receipt(demo_site, sandbox_server, page):
    order = Order.objects.get(user__mobile="13900000002", status=OrderStatus.COUNTERSIGNED)
    base = demo_site.url
    sign_in(page, base, "13900000002")

    page.goto(base + order.get_absolute_url())
    page.get_by_role("button", name="在线支付").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("在线支付")
    page.get_by_role("button", name="去支付宝付款").click()

    # The simulator's cashier, reached through the same AlipayProvider as the real gateway.
    expect(page.get_by_role("heading", level=1)).to_have_text("确认付款")
    page.get_by_role("button", name="确认付款").click()
    expect(page.get_by_role("status")).to_contain_text("付款成功")

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    page.goto(base + order.get_absolute_url())
    expect(page.get_by_text("已支付，等待服务。")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载支付凭证（PDF）").click()
    pdf = open(download_info.value.path(), "rb").read()  # noqa: SIM115
    assert pdf.startswith(b"%PDF") and sealing.verify_pdf(pdf).ok
