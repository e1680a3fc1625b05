"""A donor gives online through the simulator, downloads the receipt, then traces the gift."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core import sealing
from orgs.charity.models import CharityProject, Donation, ProjectStatus
from payments.models import PaymentIntent
from tests.browser.helpers import sign_in
from tests.factories import payments as payment_fixtures

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server

pytestmark = pytest.mark.django_db(transaction=True)


def test_donate_download_the_receipt_and_find_where_it_went(demo_site, sandbox_server, page):
    project = (
        CharityProject.objects.filter(
            status=ProjectStatus.FUNDRAISING, organization__charity_recognized_on__isnull=False
        )
        .select_related("organization")
        .order_by("pk")
        .first()
    )
    base = demo_site.url
    sign_in(page, base, "13900000002")

    page.goto(base + f"/charity/projects/{project.pk}/")
    page.get_by_role("link", name="在线捐赠").click()
    page.get_by_label("捐赠金额（元）").fill("66.00")
    page.get_by_role("button", name="去付款").click()
    page.get_by_role("button", name="去支付宝付款").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认付款")
    page.get_by_role("button", name="确认付款").click()
    expect(page.get_by_role("status")).to_contain_text("付款成功")

    intent = PaymentIntent.objects.filter(
        content_type__model="charityproject", object_id=str(project.pk)
    ).latest("created_at")
    donation = Donation.objects.get(project=project, receipt_number=intent.public_id)
    assert donation.amount == Decimal("66.00") and donation.channel == Donation.Channel.ONLINE
    page.goto(base + "/charity/my-gifts/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载捐赠票据（PDF）").click()
    pdf = open(download_info.value.path(), "rb").read()  # noqa: SIM115
    assert sealing.verify_pdf(pdf).ok

    page.goto(
        base
        + f"/charity/lookup/?organization={project.organization.pk}&receipt_number={donation.receipt_number}"
    )
    expect(page.get_by_text(project.name).first).to_be_visible()
    expect(page.get_by_text("66.00").first).to_be_visible()
