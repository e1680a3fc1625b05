"""B1: a waiver approved after the family paid comes back through the payments app, once: the
simulator over HTTP, real RSA2 keys, as the family's own payment went."""

from decimal import Decimal

import pytest
from django.urls import reverse

from marketplace.benefits import services, waivers
from marketplace.benefits.models import WaiverRefund
from marketplace.orders import services as order_services
from marketplace.orders.models import ChangeStatus, Order, OrderStatus, Signature
from payments import services as payment_services
from payments.models import PaymentIntent, Refund, Transaction
from tests.factories import payments as payment_fixtures
from tests.factories.benefits import basic_waiver, bureau_officer, from_order, submitted
from tests.factories.orders import Scenario, money, sign_as
from tests.factories.payments import Buyer

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server

pytestmark = pytest.mark.django_db(transaction=True)

BASIC_TOTAL = money("620.00")


def pay(scenario, client):
    client.force_login(scenario.family)
    client.post(reverse("orders:pay", args=[scenario.order.reference]))
    intent = PaymentIntent.objects.get(object_id=str(scenario.order.pk))
    checkout = payment_services.start_checkout(intent, "pc")
    buyer = Buyer()
    buyer.press(buyer.open(checkout.redirect_url), "pay")
    return intent


def test_b1_a_waiver_after_payment_is_refunded_exactly_once(sandbox_server, client):
    scenario = Scenario()
    scenario.advance("countersigned")
    intent = pay(scenario, client)
    order = scenario.refresh()
    assert order.status == OrderStatus.PAID
    paid = order_services.paid_total(order)

    application = services.approve(submitted(from_order(basic_waiver(), scenario)), user=bureau_officer())
    change = application.waiver_change
    assert Refund.objects.count() == 0  # nothing moves before both sides sign
    sign_as(change, scenario.family, Signature.Role.FAMILY)
    sign_as(change, scenario.staff, Signature.Role.PROVIDER)
    change.refresh_from_db()
    assert change.status == ChangeStatus.SIGNED

    [refund] = Refund.objects.filter(intent=intent)
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == BASIC_TOTAL
    assert WaiverRefund.objects.get().refund == refund
    order = Order.objects.get(pk=order.pk)
    assert order_services.paid_total(order) == paid - BASIC_TOTAL
    assert order_services.balance_due(order) == Decimal("0.00")
    assert order.status == OrderStatus.PAID

    # Again, from the daily run or by hand: nothing more is refunded.
    application.refresh_from_db()
    assert waivers.settle_refund(application) == []
    assert waivers.retry_all() == (0, 0)
    assert Refund.objects.count() == 1
    assert Transaction.objects.filter(intent=intent, kind=Transaction.Kind.REFUND).count() == 1
