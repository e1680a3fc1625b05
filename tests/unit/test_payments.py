"""Payments without HTTP: keys, intents, the ledger, state machines, the notification parser."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from alipay.aop.api.util.SignatureUtils import get_sign_content, sign_with_rsa2, verify_with_rsa
from cryptography.hazmat.primitives import serialization
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.utils import timezone

from core.statemachine import IllegalTransition, transition
from payments import keys, services
from payments.models import PaymentIntent, Refund, Transaction
from payments.providers import NotificationRejected, get_provider
from tests.factories import payments as payment_fixtures
from tests.factories.accounts import UserFactory
from tests.factories.payments import SANDBOX, make_intent, signed_notification

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup

# Built in two parts so that no key-looking block sits in the repository.
PKCS8_HEADER = "-----BEGIN " + "PRIVATE" + " KEY-----"
PKCS1_HEADER = "-----BEGIN RSA " + "PRIVATE" + " KEY-----"


@pytest.mark.parametrize(
    "fmt",
    [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL],
    ids=["pkcs8", "pkcs1"],
)
def test_private_keys_in_pkcs8_and_pkcs1_sign_with_the_sdk(fmt):
    private, public = keys.generate_key_pair(fmt)
    pem = keys.to_pkcs1_private_pem(private.decode())
    assert pem.startswith(PKCS1_HEADER)
    content = get_sign_content({"b": "2", "a": "一"})
    signature = sign_with_rsa2(pem, content, "utf-8")
    assert verify_with_rsa(public.decode(), content.encode(), signature)


def test_bare_base64_keys_are_accepted_and_garbage_refused():
    private, public = keys.generate_key_pair()
    body = "".join(line for line in private.decode().splitlines() if "-----" not in line)
    assert keys.to_pkcs1_private_pem(body) == keys.to_pkcs1_private_pem(private.decode())
    public_body = "".join(line for line in public.decode().splitlines() if "-----" not in line)
    assert keys.to_spki_public_pem(public_body) == public.decode()
    with pytest.raises(keys.KeyConfigError):
        keys.to_pkcs1_private_pem("not a key")


def test_key_initializer_creates_missing_keys_only(tmp_path):
    with override_settings(PLATFORM_KEYS_DIR=tmp_path):
        assert "created" in keys.init_sandbox_keys()
        first = keys.sandbox_path(keys.MERCHANT_PRIVATE).read_bytes()
        assert "present" in keys.init_sandbox_keys()
        assert keys.sandbox_path(keys.MERCHANT_PRIVATE).read_bytes() == first
        assert first.decode().startswith(PKCS8_HEADER)  # as Alipay's key tool writes it
        assert keys.sandbox_path(keys.GATEWAY_PRIVATE).read_text().startswith(PKCS1_HEADER)
        assert oct(keys.sandbox_path(keys.GATEWAY_PRIVATE).stat().st_mode)[-3:] == "600"
        assert "created" in keys.init_sandbox_keys(force=True)
        assert keys.sandbox_path(keys.MERCHANT_PRIVATE).read_bytes() != first


def test_key_initializer_is_registered():
    from core.keys import initializers

    assert initializers()["payments-sandbox"] is keys.init_sandbox_keys


@pytest.mark.django_db
def test_create_intent_is_idempotent(payments_setup):
    user = UserFactory()
    first = services.create_intent(Decimal("12.30"), "测试", "order-1-deposit", user=user, payable=user)
    again = services.create_intent(Decimal("12.30"), "测试", "order-1-deposit", user=user, payable=user)
    assert again.pk == first.pk and PaymentIntent.objects.count() == 1
    assert first.public_id.startswith("pi_") and len(first.public_id) == 27
    assert first.currency == "CNY" and first.provider == SANDBOX
    assert first.payable == user and first.content_type == ContentType.objects.get_for_model(user)
    assert timezone.now() + timedelta(minutes=29) < first.expires_at <= timezone.now() + timedelta(minutes=30)
    with pytest.raises(services.IdempotencyConflict):
        services.create_intent(Decimal("12.31"), "测试", "order-1-deposit", user=user, payable=user)
    assert list(services.intents_for(user)) == [first]


@pytest.mark.django_db
def test_money_is_never_a_float_and_has_two_places(payments_setup):
    with pytest.raises(TypeError):
        services.create_intent(12.3, "x", "float")
    with pytest.raises(services.PaymentError):
        services.create_intent(Decimal("1.001"), "x", "three-places")
    with pytest.raises(services.PaymentError):
        services.create_intent(Decimal("0"), "x", "zero")


@pytest.mark.django_db
def test_intent_state_machine_refuses_illegal_moves(payments_setup):
    intent = make_intent()
    with pytest.raises(IllegalTransition):
        transition(intent, PaymentIntent.Status.SUCCEEDED)
    transition(intent, PaymentIntent.Status.PROCESSING)
    transition(intent, PaymentIntent.Status.CANCELED)
    with pytest.raises(IllegalTransition):
        transition(intent, PaymentIntent.Status.PROCESSING)


@pytest.mark.django_db
def test_checkout_refused_when_expired_or_paid(payments_setup):
    expired = make_intent(expires_in=timedelta(seconds=-1))
    with pytest.raises(services.PaymentError, match="过期"):
        services.start_checkout(expired, "pc")
    assert PaymentIntent.objects.get(pk=expired.pk).status == PaymentIntent.Status.REQUIRES_PAYMENT
    with pytest.raises(services.PaymentError):
        services.start_checkout(make_intent(), "bank-transfer")


@pytest.mark.django_db
def test_balances_are_derived_from_the_ledger(payments_setup):
    intent = make_intent("100.00")
    PaymentIntent.objects.filter(pk=intent.pk).update(status=PaymentIntent.Status.SUCCEEDED)
    Transaction.objects.create(intent=intent, kind="charge", amount=Decimal("100.00"), source="test")
    refund = Refund.objects.create(
        intent=intent, amount=Decimal("25.50"), reason="部分退款", status="succeeded"
    )
    Transaction.objects.create(
        intent=intent, kind="refund", amount=Decimal("25.50"), refund=refund, source="test"
    )
    annotated = PaymentIntent.objects.with_balances().get(pk=intent.pk)
    plain = PaymentIntent.objects.get(pk=intent.pk)
    for row in (annotated, plain):
        assert row.amount_captured == Decimal("100.00") and row.amount_refunded == Decimal("25.50")
    assert services.refundable_amount(plain) == Decimal("74.50")
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Transaction.objects.create(intent=intent, kind="charge", amount=Decimal("100.00"), source="again")


@pytest.mark.django_db
def test_over_refund_refused_before_the_gateway_is_asked(payments_setup):
    intent = make_intent("50.00")
    PaymentIntent.objects.filter(pk=intent.pk).update(status=PaymentIntent.Status.SUCCEEDED)
    Transaction.objects.create(intent=intent, kind="charge", amount=Decimal("50.00"), source="test")
    Refund.objects.create(intent=intent, amount=Decimal("40.00"), reason="在途退款")  # pending counts too
    with pytest.raises(services.PaymentError, match="超过可退金额"):
        services.create_refund(intent, Decimal("10.01"), "再退一些")
    with pytest.raises(services.PaymentError):
        services.create_refund(make_intent("5.00"), Decimal("1.00"), "未支付")
    assert Refund.objects.count() == 1


@pytest.mark.django_db
def test_notification_parser_reads_the_raw_body(payments_setup):
    """Signature checks use the body's own bytes: '+' and %2B stay distinct, duplicates are refused."""
    provider = get_provider(SANDBOX)
    intent = make_intent("8.00", description="A+B 服务")
    body = signed_notification(intent)
    data = provider.verify_notification(body)
    assert (
        data.params["subject"] == "A+B 服务"
        and data.amount == Decimal("8.00")
        and data.trade_status == "paid"
    )
    with pytest.raises(NotificationRejected, match="twice"):
        provider.verify_notification(body + b"&" + urlencode({"total_amount": "8.00"}).encode())
    rsa1 = body.decode().replace("sign_type=RSA2", "sign_type=RSA").encode()
    with pytest.raises(NotificationRejected, match="RSA2"):
        provider.verify_notification(rsa1)
