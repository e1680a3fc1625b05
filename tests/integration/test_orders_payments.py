"""Orders paid through the payments app (issue 5 §7): the simulator over HTTP, real RSA2 keys."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from core import sealing
from marketplace.orders import paying as order_payments
from marketplace.orders import services
from marketplace.orders.models import Order, OrderPayment, OrderStatus
from payments import services as payment_services
from payments.models import PaymentIntent, Refund, Transaction
from tests.factories import payments as payment_fixtures
from tests.factories.accounts import UserFactory
from tests.factories.orders import Scenario
from tests.factories.payments import Buyer
from tests.pdfcheck import unembedded_fonts

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server

pytestmark = pytest.mark.django_db(transaction=True)


def pay_in_cashier(intent):
    checkout = payment_services.start_checkout(intent, "pc")
    buyer = Buyer()
    cashier = buyer.open(checkout.redirect_url)
    return buyer.press(cashier, "pay")


@pytest.fixture
def countersigned(payments_setup):
    scenario = Scenario()
    scenario.advance("countersigned")
    return scenario


def test_paying_the_contract_through_the_gateway_marks_the_order_paid(sandbox_server, countersigned, client):
    order = countersigned.order
    due = services.balance_due(order)
    assert due > 0
    client.force_login(countersigned.family)
    response = client.post(reverse("orders:pay", args=[order.reference]))
    intent = PaymentIntent.objects.get(object_id=str(order.pk))
    assert response.status_code == 302 and response["Location"].endswith(
        f"/payments/checkout/{intent.public_id}/"
    )
    assert intent.amount == due and intent.payable == order

    done = pay_in_cashier(intent)
    # The simulator sends the buyer back to the platform's return page for this intent.
    assert f"/payments/return/{intent.public_id}/" in done.url
    order = Order.objects.get(pk=order.pk)
    assert order.status == OrderStatus.PAID
    assert services.balance_due(order) == Decimal("0.00")
    payment = order.payments.get()
    assert payment.reference == intent.public_id and payment.amount == due

    # The family's page offers the sealed receipt, which carries the amount and verifies.
    html = client.get(order.get_absolute_url()).content.decode()
    receipt_url = reverse("orders:receipt", args=[order.reference, payment.reference])
    assert receipt_url in html
    pdf = b"".join(client.get(receipt_url).streaming_content)
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert order.reference in text and f"{due:,.2f}" in text
    assert sealing.verify_pdf(pdf).ok
    assert unembedded_fonts(pdf) == []
    # Asking again hands out the same sealed file.
    assert b"".join(client.get(receipt_url).streaming_content) == pdf


def test_pressing_pay_twice_reuses_one_intent(payments_setup, countersigned, client):
    client.force_login(countersigned.family)
    client.post(reverse("orders:pay", args=[countersigned.order.reference]))
    client.post(reverse("orders:pay", args=[countersigned.order.reference]))
    assert PaymentIntent.objects.filter(object_id=str(countersigned.order.pk)).count() == 1


def test_coming_back_to_the_return_url_does_not_mark_the_order_paid(payments_setup, countersigned, client):
    client.force_login(countersigned.family)
    client.post(reverse("orders:pay", args=[countersigned.order.reference]))
    intent = PaymentIntent.objects.get(object_id=str(countersigned.order.pk))
    client.get(reverse("payments:return", args=[intent.public_id]))
    assert countersigned.refresh().status == OrderStatus.COUNTERSIGNED
    assert not OrderPayment.objects.exists()


def test_another_family_cannot_pay_or_read_receipts(payments_setup, countersigned, client):
    services.mark_paid(countersigned.order, amount=Decimal("1.00"), reference="pi_test_other")
    client.force_login(UserFactory())
    assert client.post(reverse("orders:pay", args=[countersigned.order.reference])).status_code == 404
    url = reverse("orders:receipt", args=[countersigned.order.reference, "pi_test_other"])
    assert client.get(url).status_code == 404


def test_an_order_with_nothing_due_offers_no_payment(payments_setup, countersigned, client):
    countersigned.advance("paid")
    client.force_login(countersigned.family)
    response = client.post(reverse("orders:pay", args=[countersigned.order.reference]))
    assert response.status_code == 302 and not PaymentIntent.objects.exists()


@pytest.mark.parametrize(
    ("days_before", "ratio"), [(5, "1.00"), (3, "1.00"), (2, "0.80"), (1, "0.80"), (0, "0.50"), (-1, "0.00")]
)
def test_f8_refund_share_follows_the_cancellation_schedule(payments_setup, countersigned, days_before, ratio):
    order = countersigned.refresh()
    today = order.service_date - timedelta(days=days_before)
    assert order_payments.refund_ratio(order, today) == Decimal(ratio)


def test_f8_cancelling_a_paid_order_refunds_through_the_gateway(sandbox_server, countersigned, client):
    client.force_login(countersigned.family)
    client.post(reverse("orders:pay", args=[countersigned.order.reference]))
    intent = PaymentIntent.objects.get(object_id=str(countersigned.order.pk))
    pay_in_cashier(intent)
    order = countersigned.refresh()
    assert order.status == OrderStatus.PAID
    paid = services.paid_total(order)
    # Cancelled well before the service date: everything comes back (schedule row ≥ 3 days).
    order.service_date = timezone.localdate() + timedelta(days=10)
    order.save(update_fields=["service_date"])

    order, error = order_payments.cancel_and_refund(order, countersigned.staff, reason="家属改期")
    assert error is None
    refund = Refund.objects.get(intent=intent)
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == paid
    assert Transaction.objects.filter(intent=intent, kind=Transaction.Kind.REFUND).count() == 1
    order = Order.objects.get(pk=order.pk)
    assert order.status == OrderStatus.REFUNDED
    assert services.paid_total(order) == Decimal("0.00")


@pytest.fixture
def deposit_contract(payments_setup):
    from tests.factories.orders import funeral_home

    provider = funeral_home()
    provider.deposit_percent = Decimal("30")
    provider.deposit_terms = "签约后支付定金。"
    provider.save()
    scenario = Scenario(provider=provider)
    scenario.advance("countersigned")
    return scenario


def test_f8_contract_with_a_deposit_is_paid_deposit_first_then_balance(
    sandbox_server, deposit_contract, client
):
    order = deposit_contract.refresh()
    contract = order.contract
    assert contract.deposit_percent == Decimal("30")
    deposit = (order.total * Decimal("0.30")).quantize(Decimal("0.01"))
    client.force_login(deposit_contract.family)
    html = client.get(order.get_absolute_url()).content.decode()
    assert f"在线支付定金 ¥{deposit}" in html

    client.post(reverse("orders:pay", args=[order.reference]))
    first = PaymentIntent.objects.get(object_id=str(order.pk))
    assert first.amount == deposit
    pay_in_cashier(first)
    order = deposit_contract.refresh()
    assert order.status == OrderStatus.COUNTERSIGNED  # the deposit alone doesn't settle the bill
    assert services.balance_due(order) == order.total - deposit

    client.post(reverse("orders:pay", args=[order.reference]))
    second = PaymentIntent.objects.filter(object_id=str(order.pk)).exclude(pk=first.pk).get()
    assert second.amount == order.total - deposit
    pay_in_cashier(second)
    assert deposit_contract.refresh().status == OrderStatus.PAID


def test_f8_the_contract_prints_its_deposit_and_refund_schedule(payments_setup, deposit_contract):
    contract = deposit_contract.refresh().contract
    with contract.draft_file.open("rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(handle).pages).replace("\n", "")
    assert "定金为合同总价的 30%" in text
    assert "服务日前 3 日及以上取消，退还已付款项的 100%" in text


def test_f8_refunds_follow_the_schedule_in_the_contract_not_later_settings(
    payments_setup, countersigned, settings
):
    order = countersigned.refresh()
    settings.F8_CANCELLATION_REFUND_SCHEDULE = ((0, "0.10"),)
    today = order.service_date - timedelta(days=5)
    assert order_payments.refund_ratio(order, today) == Decimal("1.00")
