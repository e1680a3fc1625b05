"""Issue 12 §3: money follows the state of what it pays for. The Alipay simulator over HTTP,
real RSA2 signatures both ways; nothing mocked."""

from decimal import Decimal

import pytest
from django.urls import reverse

from marketplace.orders import paying as order_payments
from marketplace.orders import services
from marketplace.orders.models import Order, OrderPayment, OrderStatus
from orgs.charity import giving, opendata
from orgs.charity.models import Donation, ProjectStatus
from payments import services as payment_services
from payments.models import PaymentIntent, Refund, Transaction
from payments.sandbox.models import SandboxTrade
from tests.factories import payments as payment_fixtures
from tests.factories.orders import Scenario
from tests.factories.payments import Buyer

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server

pytestmark = pytest.mark.django_db(transaction=True)
UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture
def countersigned(payments_setup):
    scenario = Scenario()
    scenario.advance("countersigned")
    return scenario


def in_cashier(intent):
    """The buyer has started paying and has the simulator's cashier open."""
    checkout = payment_services.start_checkout(intent, "pc")
    buyer = Buyer()
    return buyer, buyer.open(checkout.redirect_url)


def order_intent(scenario):
    return order_payments.start_payment(scenario.order, scenario.family, return_url="/orders/")


def test_cancelling_order_closes_open_intent(sandbox_server, countersigned, client):
    intent = order_intent(countersigned)
    buyer, cashier = in_cashier(intent)
    client.force_login(countersigned.family)
    client.post(reverse("orders:cancel", args=[countersigned.order.reference]), {"reason": "改期"})

    intent.refresh_from_db()
    assert countersigned.refresh().status == OrderStatus.CANCELLED
    assert intent.status == PaymentIntent.Status.CANCELED and "已取消" in intent.refused_reason
    assert SandboxTrade.objects.get(out_trade_no=intent.out_trade_no).status == "TRADE_CLOSED"
    # The family, still in the cashier, presses pay: the gateway takes nothing.
    buyer.press(cashier, "pay")
    assert SandboxTrade.objects.get(out_trade_no=intent.out_trade_no).paid_at is None
    assert not Transaction.objects.filter(intent=intent).exists()
    assert not OrderPayment.objects.filter(order=countersigned.order).exists()


def test_checkout_refused_for_cancelled_order(payments_setup, countersigned, client):
    intent = order_intent(countersigned)
    # Cancelled by the core service (no gateway call): the intent is still open.
    services.cancel_order(countersigned.order, countersigned.family, reason="家属取消")
    with pytest.raises(payment_services.PaymentError, match="已不能付款"):
        payment_services.start_checkout(intent, "pc")
    client.force_login(countersigned.family)
    response = client.post(reverse("payments:checkout", args=[intent.public_id]), {"channel": "pc"})
    assert response.status_code == 200 and "已不能付款" in response.content.decode()
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.REQUIRES_PAYMENT
    assert not SandboxTrade.objects.filter(out_trade_no=intent.out_trade_no).exists()


def test_payment_for_cancelled_order_is_refunded(sandbox_server, countersigned, client, settings):
    """The gateway is down while the family cancels, so the open intent can't be closed;
    the family then pays in the cashier they still have open. The money comes back."""
    intent = order_intent(countersigned)
    buyer, cashier = in_cashier(intent)
    live = settings.PAYMENTS_SITE_URL
    settings.PAYMENTS_SITE_URL = UNREACHABLE
    order_payments.cancel_and_refund(countersigned.order, countersigned.family, reason="改选其他殡仪馆")
    settings.PAYMENTS_SITE_URL = live
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING and intent.refused_reason

    buyer.press(cashier, "pay")  # the simulator notifies the platform, signed

    intent = PaymentIntent.objects.with_balances().get(pk=intent.pk)
    refund = Refund.objects.get(intent=intent)
    assert intent.amount_captured == intent.amount == intent.amount_refunded
    assert refund.status == Refund.Status.SUCCEEDED and "已取消" in refund.reason
    assert SandboxTrade.objects.get(out_trade_no=intent.out_trade_no).refunded_total == intent.amount
    order = Order.objects.get(pk=countersigned.order.pk)
    assert order.status == OrderStatus.REFUNDED and services.paid_total(order) == Decimal("0.00")
    # The family sees 已退款 and why, on the order page and on the payment page.
    client.force_login(countersigned.family)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "已退款" in page and "改选其他殡仪馆" in page
    payment_page = client.get(reverse("payments:return", args=[intent.public_id])).content.decode()
    assert "已退款" in payment_page and "改选其他殡仪馆" in payment_page


def test_payment_found_by_query_while_cancelling_is_refunded(sandbox_server, countersigned, settings):
    """The buyer paid but the gateway's notification was lost; cancelling asks the gateway,
    finds the payment, and refunds it in full (not by the cancellation schedule)."""
    settings.PAYMENTS_SANDBOX_NOTIFY_BACKOFF = []
    intent = order_intent(countersigned)
    buyer, cashier = in_cashier(intent)
    SandboxTrade.objects.filter(out_trade_no=intent.out_trade_no).update(notify_url=UNREACHABLE + "/")
    buyer.press(cashier, "pay")
    assert PaymentIntent.objects.get(pk=intent.pk).status == PaymentIntent.Status.PROCESSING

    order_payments.cancel_and_refund(countersigned.order, countersigned.family, reason="家属取消")
    intent = PaymentIntent.objects.with_balances().get(pk=intent.pk)
    assert intent.status == PaymentIntent.Status.SUCCEEDED
    assert intent.amount_refunded == intent.amount
    assert Order.objects.get(pk=countersigned.order.pk).status == OrderStatus.REFUNDED


def test_bureau_sees_the_automatic_refund(sandbox_server, countersigned, client, settings):
    from django.contrib.auth.models import Permission

    from tests.factories.accounts import UserFactory

    officer = UserFactory()
    officer.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="payments", codename="view_paymentintent"),
        Permission.objects.get(content_type__app_label="payments", codename="view_refund"),
    )
    client.force_login(officer)
    intent = order_intent(countersigned)
    buyer, cashier = in_cashier(intent)
    settings.PAYMENTS_SITE_URL, live = UNREACHABLE, settings.PAYMENTS_SITE_URL
    order_payments.cancel_and_refund(countersigned.order, countersigned.family, reason="家属取消")
    settings.PAYMENTS_SITE_URL = live
    buyer.press(cashier, "pay")
    listing = client.get(reverse("payment_intents:index")).content.decode()
    import re

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", listing))
    assert f"已退款 ¥{intent.amount}" in text and "家属取消" in text
    refunds = client.get(reverse("payment_refunds:index")).content.decode()
    assert "已退款" in refunds and "自动全额退款" in refunds


# --- Donations -------------------------------------------------------------------------------------


@pytest.fixture
def project(payments_setup):
    from tests.factories.charity import CharityProjectFactory

    return CharityProjectFactory(status=ProjectStatus.FUNDRAISING)


def gift(project, user, amount="100.00"):
    return giving.start_gift(project, user, amount=Decimal(amount), anonymous=False, return_url="/")


def test_donation_refund_reaches_disclosure(sandbox_server, project, client):
    from tests.factories.accounts import UserFactory

    donor = UserFactory(real_name="王捐赠")
    intent = gift(project, donor)
    buyer, cashier = in_cashier(intent)
    buyer.press(cashier, "pay")
    donation = Donation.objects.get(receipt_number=intent.public_id)
    assert donation.amount == Decimal("100.00")

    payment_services.create_refund(intent, Decimal("60.00"), "捐赠人申请部分退款")

    current = Donation.objects.current().get(receipt_number=intent.public_id)
    assert current.corrects == donation and current.amount == Decimal("40.00")
    assert "60.00" in current.correction_note
    # Open data: one row for the gift, at what the charity kept.
    rows = [r for r in opendata.donation_rows() if r["receipt_number"] == intent.public_id]
    assert [r["amount"] for r in rows] == ["40.00"]
    csv = b"".join(client.get(reverse("charity:donations_csv")).streaming_content).decode("utf-8-sig")
    assert intent.public_id in csv and "100.00" not in csv
    # Project totals and the donation lookup.
    project_row = next(r for r in opendata.project_rows() if r["id"] == project.pk)
    assert project_row["raised"] == "40.00"
    lookup = client.get(
        reverse("charity:lookup"),
        {"organization": project.organization.pk, "receipt_number": intent.public_id},
    ).content.decode()
    assert "40.00" in lookup and "捐赠人申请部分退款" in lookup


def test_cancelling_gift_closes_its_intent(sandbox_server, project, client):
    from tests.factories.accounts import UserFactory

    donor = UserFactory()
    intent = gift(project, donor)
    buyer, cashier = in_cashier(intent)
    client.force_login(donor)
    client.post(reverse("charity:cancel_gift", args=[intent.public_id]))
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.CANCELED
    buyer.press(cashier, "pay")
    assert SandboxTrade.objects.get(out_trade_no=intent.out_trade_no).paid_at is None
    assert not Donation.objects.filter(receipt_number=intent.public_id).exists()
    # Someone else's gift answers 404.
    other = UserFactory()
    client.force_login(other)
    assert client.post(reverse("charity:cancel_gift", args=[intent.public_id])).status_code == 404


def test_gift_arriving_after_fundraising_ended_is_refunded(sandbox_server, project):
    from core.statemachine import transition
    from tests.factories.accounts import UserFactory

    intent = gift(project, UserFactory())
    buyer, cashier = in_cashier(intent)
    transition(project, ProjectStatus.RUNNING)
    buyer.press(cashier, "pay")
    intent = PaymentIntent.objects.with_balances().get(pk=intent.pk)
    assert intent.amount_refunded == intent.amount and "停止接受在线捐赠" in intent.refused_reason
    assert Donation.objects.current().get(receipt_number=intent.public_id).amount == Decimal("0.00")
