"""AlipayProvider against the local gateway simulator, over HTTP (live_server), real RSA2 keys."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from django.utils import timezone

from payments import services
from payments.keys import generate_key_pair
from payments.models import NotificationEvent, PaymentIntent, Refund, Transaction
from payments.providers import ErrorKind, ProviderError, get_provider
from payments.sandbox import gateway
from payments.sandbox.models import SandboxNotification, SandboxTrade
from tests.factories import payments as payment_fixtures
from tests.factories.payments import SANDBOX, Buyer, make_intent

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server

pytestmark = pytest.mark.django_db(transaction=True)


def charges(intent):
    return Transaction.objects.filter(intent=intent, kind=Transaction.Kind.CHARGE)


def pay_through_cashier(intent, channel="pc"):
    checkout = services.start_checkout(intent, channel)
    buyer = Buyer()
    cashier = buyer.open(checkout.redirect_url or checkout.qr_content)
    assert "确认付款" in cashier.text
    return buyer, cashier, buyer.press(cashier, "pay")


def test_pc_checkout_pays_through_cashier_and_notification(sandbox_server):
    intent = make_intent("1288.50")
    checkout = services.start_checkout(intent, "pc")
    assert checkout.redirect_url.startswith(sandbox_server.url + "/payments/sandbox/gateway.do?")
    query = dict(parse_qsl(urlsplit(checkout.redirect_url).query))
    assert query["method"] == "alipay.trade.page.pay" and query["sign_type"] == "RSA2"
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING

    buyer = Buyer()
    cashier = buyer.open(checkout.redirect_url)
    assert "¥1288.50" in cashier.text and intent.public_id in cashier.text
    done = buyer.press(cashier, "pay")

    # The browser ends on the platform's return page, which shows what the notification did.
    assert urlsplit(done.url).path == f"/payments/return/{intent.public_id}/"
    assert "付款成功" in done.text
    intent = PaymentIntent.objects.with_balances().get(pk=intent.pk)
    assert intent.status == PaymentIntent.Status.SUCCEEDED
    assert intent.amount_captured == Decimal("1288.50") and intent.amount_refunded == Decimal("0.00")
    trade = SandboxTrade.objects.get(out_trade_no=intent.public_id)
    assert intent.provider_trade_no == trade.trade_no
    event = NotificationEvent.objects.get(intent=intent)
    assert event.verified and event.processed and event.error == ""
    assert "notify_id=" in event.raw_body and event.remote_ip == "127.0.0.1"
    delivery = SandboxNotification.objects.get(trade=trade)
    assert delivery.delivered and delivery.attempts == 1 and delivery.last_response == "success"
    assert charges(intent).count() == 1


def test_mobile_wap_checkout(sandbox_server):
    intent = make_intent("66.00")
    _buyer, _cashier, done = pay_through_cashier(intent, "mobile")
    assert done.status_code == 200
    trade = SandboxTrade.objects.get(out_trade_no=intent.public_id)
    assert trade.method == "alipay.trade.wap.pay" and trade.product_code == "QUICK_WAP_WAY"
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.SUCCEEDED


def test_qr_precreate_gives_qr_content_and_pays(sandbox_server):
    intent = make_intent("20.00")
    checkout = services.start_checkout(intent, "qr")
    assert checkout.redirect_url == "" and checkout.qr_content.startswith(
        sandbox_server.url + "/payments/sandbox/"
    )
    trade = SandboxTrade.objects.get(out_trade_no=intent.public_id)
    assert trade.method == "alipay.trade.precreate" and trade.status == "WAIT_BUYER_PAY"
    assert services.sync_intent(intent) == "pending"
    buyer = Buyer()
    buyer.press(buyer.open(checkout.qr_content), "pay")
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.SUCCEEDED


def test_cancel_at_cashier_leaves_intent_unpaid(sandbox_server):
    intent = make_intent("30.00")
    buyer = Buyer()
    cashier = buyer.open(services.start_checkout(intent, "pc").redirect_url)
    back = buyer.press(cashier, "cancel")
    assert urlsplit(back.url).path == f"/payments/return/{intent.public_id}/"
    assert "尚未收到" in back.text
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING and not charges(intent).exists()


def test_return_url_never_marks_paid(sandbox_server):
    """Even the gateway's own signed return parameters prove nothing: only notify or query do."""
    intent = make_intent("45.00")
    buyer = Buyer()
    buyer.open(services.start_checkout(intent, "pc").redirect_url)
    trade = SandboxTrade.objects.get(out_trade_no=intent.public_id)
    trade.status, trade.paid_at = SandboxTrade.Status.TRADE_SUCCESS, timezone.now()
    trade.save()
    page = buyer.session.get(
        f"{sandbox_server.url}/payments/return/{intent.public_id}/",
        params=gateway.return_params(trade),
        timeout=30,
    )
    assert page.status_code == 200 and "尚未收到" in page.text
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING and not charges(intent).exists()
    # The buyer asks the platform to check: the platform's own query settles it.
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    refreshed = buyer.session.post(
        f"{sandbox_server.url}/payments/return/{intent.public_id}/refresh/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
        timeout=30,
    )
    assert "付款成功" in refreshed.text
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.SUCCEEDED and charges(intent).get().source == "query"


def test_notification_retried_with_backoff_until_success(sandbox_server, monkeypatch):
    """The first attempts get an error from the merchant; the simulator keeps trying."""
    from payments import views

    real = views.handle_notification
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] < 3:
            raise RuntimeError("database briefly unavailable")
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "handle_notification", flaky)
    intent = make_intent("12.00")
    pay_through_cashier(intent)
    delivery = SandboxNotification.objects.get(trade__out_trade_no=intent.public_id)
    assert delivery.delivered and delivery.attempts == 3
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.SUCCEEDED and charges(intent).count() == 1


def test_partial_refunds_and_over_refund(sandbox_server):
    intent = make_intent("100.00")
    pay_through_cashier(intent)
    first = services.create_refund(intent, Decimal("30.00"), "部分服务未提供")
    assert first.status == Refund.Status.SUCCEEDED and first.provider_refund_id.endswith(first.public_id)
    with pytest.raises(services.PaymentError, match="超过可退金额"):
        services.create_refund(intent, Decimal("70.01"), "超额")
    second = services.create_refund(intent, Decimal("70.00"), "取消服务")
    assert second.status == Refund.Status.SUCCEEDED
    with pytest.raises(services.PaymentError):
        services.create_refund(intent, Decimal("0.01"), "再退")
    intent = PaymentIntent.objects.with_balances().get(pk=intent.pk)
    assert intent.amount_captured == Decimal("100.00") and intent.amount_refunded == Decimal("100.00")
    trade = SandboxTrade.objects.get(out_trade_no=intent.public_id)
    assert trade.refunded_total == Decimal("100.00") and trade.status == "TRADE_CLOSED"
    assert Refund.objects.filter(intent=intent).count() == 2  # the refused ones left no row


def test_gateway_refuses_over_refund_even_if_platform_would_not(sandbox_server):
    """The simulator enforces the limit on its side too, as Alipay does."""
    intent = make_intent("10.00")
    pay_through_cashier(intent)
    refund = Refund(intent=intent, amount=Decimal("10.01"), reason="x")
    with pytest.raises(ProviderError) as error:
        get_provider(SANDBOX).refund(intent, refund)
    assert error.value.sub_code == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    assert error.value.kind == ErrorKind.REJECTED and error.value.refused


def test_gateway_rejects_bad_merchant_signature(sandbox_server, settings, tmp_path):
    intent = make_intent("10.00")
    services.start_checkout(intent, "qr")
    stranger, _public = generate_key_pair(serialization.PrivateFormat.PKCS8)
    (tmp_path / "other.pem").write_bytes(stranger)
    path, options = settings.PAYMENT_VARIANTS[SANDBOX]
    settings.PAYMENT_VARIANTS = {
        **settings.PAYMENT_VARIANTS,
        "impostor": (path, {**options, "app_private_key_path": str(tmp_path / "other.pem")}),
    }
    with pytest.raises(ProviderError) as error:
        get_provider("impostor").query(intent)
    assert error.value.code == "40002" and error.value.sub_code == "isv.invalid-signature"
    assert error.value.kind == ErrorKind.UNAVAILABLE and not error.value.refused

    # A browser redirect with a tampered signature gets Alipay's error page, and no trade.
    other = make_intent("11.00")
    url = services.start_checkout(other, "pc").redirect_url
    assert "&sign=" in url
    tampered = url.replace("&sign=", "&sign=A", 1)
    page = requests.get(tampered, timeout=30)
    assert "invalid-signature" in page.text
    assert not SandboxTrade.objects.filter(out_trade_no=other.public_id).exists()


def test_unknown_app_id_refused_by_gateway(sandbox_server, settings):
    path, options = settings.PAYMENT_VARIANTS[SANDBOX]
    settings.PAYMENT_VARIANTS = {
        **settings.PAYMENT_VARIANTS,
        "wrong-app": (path, {**options, "app_id": "2021000000000000"}),
    }
    intent = make_intent("10.00", provider="wrong-app")
    with pytest.raises(ProviderError) as error:
        get_provider("wrong-app").query(intent)
    assert error.value.sub_code == "isv.invalid-app-id"


def test_expiry_and_reconciliation(sandbox_server):
    # Paid at the gateway, but the notification never arrived: reconciliation queries and settles.
    paid = make_intent("88.00")
    buyer = Buyer()
    buyer.open(services.start_checkout(paid, "pc").redirect_url)
    gateway.pay(SandboxTrade.objects.get(out_trade_no=paid.public_id))  # no delivery attempted
    # Opened but never paid, now past its expiry: closed at the gateway and canceled.
    expired = make_intent("50.00", expires_in=timedelta(minutes=5))
    Buyer().open(services.start_checkout(expired, "pc").redirect_url)
    # Never opened at the gateway at all, expired: canceled too.
    never = make_intent("40.00", expires_in=timedelta(minutes=5))
    services.start_checkout(never, "qr")
    SandboxTrade.objects.filter(out_trade_no=never.public_id).delete()
    # Still within its time: left alone.
    fresh = make_intent("10.00")
    services.start_checkout(fresh, "qr")
    # An intent nobody started, expired.
    idle = make_intent("5.00", expires_in=timedelta(minutes=5))

    PaymentIntent.objects.filter(pk__in=[paid.pk, expired.pk, never.pk, fresh.pk]).update(
        updated_at=timezone.now() - timedelta(minutes=15)
    )
    PaymentIntent.objects.filter(pk__in=[expired.pk, never.pk, idle.pk]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    summary = services.reconcile(older_than=timedelta(minutes=10))
    assert summary.errors == []
    assert (summary.checked, summary.succeeded, summary.expired, summary.still_processing) == (4, 1, 3, 1)
    statuses = dict(PaymentIntent.objects.values_list("public_id", "status"))
    assert statuses[paid.public_id] == "succeeded"
    assert statuses[expired.public_id] == statuses[never.public_id] == statuses[idle.public_id] == "canceled"
    assert statuses[fresh.public_id] == "processing"
    assert SandboxTrade.objects.get(out_trade_no=expired.public_id).status == "TRADE_CLOSED"
    assert charges(PaymentIntent.objects.get(pk=paid.pk)).get().source == "query"


def test_reconcile_command_prints_summary(sandbox_server):
    from io import StringIO

    from django.core.management import call_command

    intent = make_intent("15.00")
    Buyer().open(services.start_checkout(intent, "pc").redirect_url)
    gateway.pay(SandboxTrade.objects.get(out_trade_no=intent.public_id))
    PaymentIntent.objects.filter(pk=intent.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("reconcile_payments", "--minutes", "30", stdout=out)
    assert "checked=1 succeeded=1" in out.getvalue()
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.SUCCEEDED


def test_closed_trade_cannot_be_paid(sandbox_server):
    intent = make_intent("9.00")
    buyer = Buyer()
    cashier = buyer.open(services.start_checkout(intent, "pc").redirect_url)
    assert services.close_intent(intent, reason="buyer left") is True
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.CANCELED
    after = buyer.press(cashier, "pay")
    assert "交易已关闭" in after.text, (after.url, after.text[-3000:])
    assert not charges(intent).exists()


def test_trade_refused_by_gateway_fails_the_intent(sandbox_server):
    """The gateway already holds this out_trade_no with another amount: it can never be paid."""
    intent = make_intent("77.00")
    SandboxTrade.objects.create(
        app_id=sandbox_server_app_id(),
        out_trade_no=intent.public_id,
        method="alipay.trade.precreate",
        subject=intent.description,
        total_amount=Decimal("7.70"),
    )
    with pytest.raises(services.PaymentError, match="ACQ.CONTEXT_INCONSISTENT"):
        services.start_checkout(intent, "qr")
    assert intent.status == PaymentIntent.Status.FAILED


def test_trade_already_paid_at_gateway_is_settled_by_query(sandbox_server):
    intent = make_intent("33.00")
    trade = SandboxTrade.objects.create(
        app_id=sandbox_server_app_id(),
        out_trade_no=intent.public_id,
        method="alipay.trade.precreate",
        subject=intent.description,
        total_amount=intent.amount,
    )
    gateway.pay(trade)
    with pytest.raises(services.PaymentError, match="ACQ.TRADE_HAS_SUCCESS"):
        services.start_checkout(intent, "qr")
    assert intent.status == PaymentIntent.Status.SUCCEEDED and charges(intent).get().source == "query"


def sandbox_server_app_id():
    from django.conf import settings

    return settings.PAYMENTS_SANDBOX_APP_ID


def test_qr_checkout_page_shows_the_code_as_an_image(sandbox_server, client):
    from django.urls import reverse

    from tests.factories.accounts import UserFactory

    buyer = UserFactory()
    intent = make_intent("88.00", user=buyer)
    client.force_login(buyer)
    html = client.post(
        reverse("payments:checkout", args=[intent.public_id]), {"channel": "qr"}
    ).content.decode()
    assert '<svg role="img" aria-label="支付宝付款二维码"' in html
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING and 'id="qr-content"' in html
