"""R2: an upheld price complaint orders the disputed lines refunded, and when the order was paid
online the refund goes through the payments app (the Alipay simulator over HTTP, real RSA2
signatures both ways) — never more than was paid for those lines."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from marketplace.feedback.models import ComplaintCategory, ComplaintDecision, ProviderCreditNote
from marketplace.feedback.services import complaints as service
from marketplace.orders import paying as order_payments
from marketplace.orders import services as order_services
from marketplace.orders.models import OrderStatus
from payments import services as payment_services
from payments.models import PaymentIntent, Refund
from tests.factories import payments as payment_fixtures
from tests.factories.accounts import UserFactory
from tests.factories.orders import Scenario
from tests.factories.payments import Buyer

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server

pytestmark = pytest.mark.django_db(transaction=True)


def test_r2_upheld_overcharge_refunds_the_disputed_line_through_the_gateway(sandbox_server):
    scenario = Scenario()
    scenario.advance("countersigned")
    intent = order_payments.start_payment(scenario.order, scenario.family, return_url="/orders/")
    checkout = payment_services.start_checkout(intent, "pc")
    buyer = Buyer()
    buyer.press(buyer.open(checkout.redirect_url), "pay")
    order = scenario.refresh()
    assert order.status == OrderStatus.PAID
    paid = order_services.paid_total(order)
    line = max(service.disputable_lines(order), key=lambda candidate: candidate.amount)

    complaint = service.file_complaint(
        user=scenario.family,
        provider=scenario.provider,
        order=order,
        lines=[line],
        category=ComplaintCategory.OVERCHARGE,
        text="该项目超过政府指导价。",
        contact_name="王丽",
    )
    officer = UserFactory(is_staff=True)
    complaint = service.accept(complaint, officer)
    complaint = service.respond(complaint, scenario.staff, "按公示价格收取。")
    with pytest.raises(ValidationError):
        service.decide(
            complaint, officer, ComplaintDecision.UPHELD, "超标收费。", refund=line.amount + Decimal("0.01")
        )
    complaint = service.decide(complaint, officer, ComplaintDecision.UPHELD, "超标收费。", refund=line.amount)

    refund = Refund.objects.get(intent=PaymentIntent.objects.get(pk=intent.pk))
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == line.amount
    assert complaint.reference in refund.reason
    order = scenario.refresh()
    assert order_services.paid_total(order) == paid - line.amount  # the order's ledger follows
    assert "原支付渠道退还" in complaint.refund_note
    assert ProviderCreditNote.objects.get(complaint=complaint).refund_ordered == line.amount
