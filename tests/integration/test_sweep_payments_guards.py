"""Payment guards the mutation audit found untested (issue 24, point 3), each against the
local gateway simulator over HTTP with real RSA2 keys:

- the amount check on the query path (the platform asks the gateway about an intent);
- the gateway's response signature (query, refund, close) checked against the key we trust;
- the refund row lock: two refunds at once never take back more than was paid;
- the already-charged guard: a paid intent can't start a checkout again, and a second report
  of the same payment records one charge.
"""

import contextlib
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import serialization
from django.db import connection
from django.test import Client
from django.urls import reverse

from payments import services
from payments.keys import generate_key_pair, to_pkcs1_private_pem
from payments.models import PaymentIntent, Refund, Transaction
from payments.providers import NotificationRejected, ProviderError, get_provider
from payments.sandbox import gateway, signing
from payments.sandbox.models import SandboxRefund, SandboxTrade
from payments.services import refunds
from payments.signals import payment_succeeded
from tests.factories import payments as payment_fixtures
from tests.factories.accounts import UserFactory
from tests.factories.payments import SANDBOX, make_intent, post_notification, signed_notification

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server

pytestmark = pytest.mark.django_db(transaction=True)


def charges(intent):
    return Transaction.objects.filter(intent=intent, kind=Transaction.Kind.CHARGE)


def opened_at_gateway(amount):
    """An intent whose trade the buyer opened at the gateway (QR precreate)."""
    intent = make_intent(amount)
    services.start_checkout(intent, "qr")
    return intent, SandboxTrade.objects.get(out_trade_no=intent.out_trade_no)


def paid(amount):
    """An intent paid at the gateway and settled by the platform's own query."""
    intent, trade = opened_at_gateway(amount)
    gateway.pay(trade)
    assert services.sync_intent(intent) == "paid"
    return PaymentIntent.objects.get(pk=intent.pk)


# --- The amount check on the query path -------------------------------------------------------------


def test_query_reporting_a_different_amount_never_marks_the_intent_paid(sandbox_server):
    intent, trade = opened_at_gateway("100.00")
    # The gateway's record says one yuan was paid for this out_trade_no (a tampered trade,
    # or a bug on either side); its answer is correctly signed.
    SandboxTrade.objects.filter(pk=trade.pk).update(total_amount=Decimal("1.00"))
    gateway.pay(SandboxTrade.objects.get(pk=trade.pk))
    received = []
    payment_succeeded.connect(
        lambda **kw: received.append(kw["intent"].pk), weak=False, dispatch_uid="g-amount"
    )
    try:
        with pytest.raises(NotificationRejected, match="differs"):
            services.sync_intent(intent)
        # Reconciliation asks again and records the mismatch for the bureau instead of settling.
        summary = services.reconcile(older_than=timedelta(0))
    finally:
        payment_succeeded.disconnect(dispatch_uid="g-amount")
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING
    assert not charges(intent).exists() and received == []
    assert summary.succeeded == 0
    assert any(
        intent.public_id in error and "1.00" in error and "100.00" in error for error in summary.errors
    )


def test_buyer_refresh_with_a_different_amount_shows_an_error_and_stays_unpaid(sandbox_server):
    buyer = UserFactory()
    intent = make_intent("50.00", user=buyer)
    services.start_checkout(intent, "qr")
    trade = SandboxTrade.objects.get(out_trade_no=intent.out_trade_no)
    SandboxTrade.objects.filter(pk=trade.pk).update(total_amount=Decimal("0.50"))
    gateway.pay(SandboxTrade.objects.get(pk=trade.pk))
    client = Client()
    client.force_login(buyer)
    page = client.post(reverse("payments:refresh", args=[intent.public_id]), follow=True)
    assert "暂时无法查询支付结果" in page.content.decode()
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING and not charges(intent).exists()


# --- The gateway's response signature ------------------------------------------------------------


@pytest.fixture
def impostor_gateway(monkeypatch):
    """Call it to make the simulator sign its answers from then on with a second, real RSA
    key the platform never trusted, exactly the way it signs with its own (the SDK's
    ``sign_with_rsa2`` over the inner response object)."""
    private, _public = generate_key_pair(serialization.PrivateFormat.TraditionalOpenSSL)
    foreign = to_pkcs1_private_pem(private.decode())
    return lambda: monkeypatch.setattr(signing, "gateway_private_key", lambda: foreign)


def test_query_answer_signed_by_a_foreign_key_is_not_trusted(sandbox_server, impostor_gateway):
    intent, trade = opened_at_gateway("20.00")
    gateway.pay(trade)
    impostor_gateway()
    with pytest.raises(ProviderError, match="signature does not verify"):
        get_provider(SANDBOX).query(intent)
    with pytest.raises(ProviderError):
        services.sync_intent(intent)
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING and not charges(intent).exists()


def test_refund_answer_signed_by_a_foreign_key_is_not_trusted(sandbox_server, impostor_gateway):
    intent = paid("30.00")
    impostor_gateway()
    with pytest.raises(services.PaymentError):
        services.create_refund(intent, Decimal("30.00"), "服务取消")
    refund = Refund.objects.get(intent=intent)
    assert refund.status == Refund.Status.FAILED and "signature" in refund.failure_message
    assert not Transaction.objects.filter(intent=intent, kind=Transaction.Kind.REFUND).exists()
    assert PaymentIntent.objects.with_balances().get(pk=intent.pk).amount_refunded == Decimal("0.00")


def test_close_answer_signed_by_a_foreign_key_is_not_trusted(sandbox_server, impostor_gateway):
    intent, _trade = opened_at_gateway("40.00")
    impostor_gateway()
    with pytest.raises(ProviderError, match="signature does not verify"):
        get_provider(SANDBOX).close(intent)
    with pytest.raises(ProviderError):
        services.close_intent(intent, reason="buyer left")
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING


# --- Two refunds at once --------------------------------------------------------------------------


def test_two_concurrent_full_refunds_take_back_the_payment_once(sandbox_server, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite has no row locks (select_for_update is a no-op there), so the refund lock "
            "this test guards exists only on PostgreSQL"
        )
    intent = paid("100.00")
    # Both refunds read what is refundable, then wait for each other before writing: without
    # the row lock both would see ¥100 available. With it, the second read waits for the
    # first refund's transaction, and the rendezvous gives up (it is only there to widen the
    # window, so the outcome doesn't depend on thread scheduling).
    rendezvous = threading.Barrier(2, timeout=3)
    real = refunds.refundable_amount

    def refundable_then_wait(locked_intent):
        available = real(locked_intent)
        with contextlib.suppress(threading.BrokenBarrierError):
            rendezvous.wait()
        return available

    monkeypatch.setattr(refunds, "refundable_amount", refundable_then_wait)  # where create_refund finds it
    outcomes = []

    def refund_all(n):
        try:
            outcomes.append(services.create_refund(intent, Decimal("100.00"), f"全额退款 {n}"))
        except services.PaymentError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=refund_all, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    succeeded = [o for o in outcomes if isinstance(o, Refund)]
    refused = [o for o in outcomes if isinstance(o, services.PaymentError)]
    assert len(succeeded) == 1 and len(refused) == 1, outcomes
    assert "超过可退金额" in str(refused[0])  # refused by the platform, before the gateway
    balances = PaymentIntent.objects.with_balances().get(pk=intent.pk)
    assert balances.amount_refunded == Decimal("100.00") <= balances.amount_captured
    assert Refund.objects.filter(intent=intent).count() == 1
    assert SandboxRefund.objects.filter(trade__out_trade_no=intent.out_trade_no).count() == 1


# --- The already-charged guard ----------------------------------------------------------------------


def test_a_paid_intent_cannot_start_a_second_checkout(sandbox_server):
    intent = paid("60.00")
    with pytest.raises(services.PaymentError, match="不能付款"):
        services.start_checkout(intent, "pc")
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.SUCCEEDED and charges(intent).count() == 1
    assert SandboxTrade.objects.filter(out_trade_no=intent.out_trade_no).count() == 1


def test_a_second_report_of_the_same_payment_is_recorded_once(payments_setup):
    """The gateway reports the payment again (a new notify_id, after the platform's query had
    settled it): the answer is "success" so it stops retrying, and there is still one charge
    and one payment_succeeded for what is paid for."""
    intent = make_intent("70.00")
    services.start_checkout(intent, "pc")  # a redirect URL only: the gateway isn't called
    received = []
    payment_succeeded.connect(
        lambda **kw: received.append(kw["intent"].pk), weak=False, dispatch_uid="g-once"
    )
    try:
        client = Client()
        first = post_notification(client, signed_notification(intent))
        again = post_notification(client, signed_notification(intent))
    finally:
        payment_succeeded.disconnect(dispatch_uid="g-once")
    assert (first.status_code, first.content, again.status_code, again.content) == (
        200,
        b"success",
        200,
        b"success",
    )
    assert charges(intent).count() == 1 and received == [intent.pk]
