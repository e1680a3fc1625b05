"""The notify endpoint: every notification is kept, only a verified and consistent one
changes anything, and it changes it once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from core.statemachine import TRANSITION_ACTION
from payments.keys import generate_key_pair
from payments.models import NotificationEvent, PaymentIntent, Transaction
from payments.signals import payment_succeeded
from tests.factories import payments as payment_fixtures
from tests.factories.payments import forge_one_character, make_intent, post_notification, signed_notification

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup


@pytest.fixture
def processing_intent(payments_setup, db):
    intent = make_intent("199.00")
    PaymentIntent.objects.filter(pk=intent.pk).update(status=PaymentIntent.Status.PROCESSING)
    intent.refresh_from_db()
    return intent


def charges(intent):
    return Transaction.objects.filter(intent=intent, kind=Transaction.Kind.CHARGE)


def test_valid_notification_marks_paid_once_and_sends_signal(client, processing_intent):
    received = []

    def receiver(sender, intent, transaction, **kwargs):
        received.append((intent.public_id, transaction.amount))

    payment_succeeded.connect(receiver)
    try:
        response = post_notification(client, signed_notification(processing_intent))
    finally:
        payment_succeeded.disconnect(receiver)
    assert response.status_code == 200 and response.content == b"success"
    processing_intent.refresh_from_db()
    assert processing_intent.status == PaymentIntent.Status.SUCCEEDED
    assert received == [(processing_intent.public_id, Decimal("199.00"))]
    event = NotificationEvent.objects.get()
    assert event.verified and event.processed and event.intent == processing_intent


def test_forged_signature_one_character_is_kept_unverified_and_changes_nothing(client, processing_intent):
    body = forge_one_character(signed_notification(processing_intent))
    response = post_notification(client, body)
    assert response.content != b"success"
    event = NotificationEvent.objects.get()
    assert event.verified is False and event.processed is False
    assert event.raw_body == body.decode() and "signature" in event.error and event.traceback
    processing_intent.refresh_from_db()
    assert (
        processing_intent.status == PaymentIntent.Status.PROCESSING
        and not charges(processing_intent).exists()
    )


def test_notification_signed_by_another_key_is_rejected(client, processing_intent):
    from payments.keys import to_pkcs1_private_pem

    private, _public = generate_key_pair()
    body = signed_notification(processing_intent, private_key=to_pkcs1_private_pem(private.decode()))
    assert post_notification(client, body).content != b"success"
    assert NotificationEvent.objects.get().verified is False
    assert not charges(processing_intent).exists()


def test_same_notification_twenty_times_leaves_one_charge(client, processing_intent):
    body = signed_notification(processing_intent)
    replies = {post_notification(client, body).content for _ in range(20)}
    assert replies == {b"success"}
    assert charges(processing_intent).count() == 1
    event = NotificationEvent.objects.get()
    assert event.replay_count == 19
    transitions = ModelLogEntry.objects.filter(
        action=TRANSITION_ACTION, object_id=str(processing_intent.pk), data__to="succeeded"
    )
    assert transitions.count() == 1


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"total_amount": "1.99"}, "total_amount"),
        ({"out_trade_no": "pi_doesnotexist0000000000000"}, "unknown out_trade_no"),
        ({"app_id": "2021009999999999", "auth_app_id": "2021009999999999"}, "app_id"),
        ({"seller_id": "2088999999999999"}, "seller_id"),
    ],
    ids=["amount-mismatch", "unknown-trade", "wrong-app-id", "wrong-seller"],
)
def test_signed_but_inconsistent_notification_rejected_and_logged(
    client, processing_intent, overrides, error
):
    """Correctly signed by the gateway key, but not about this merchant's trade as recorded."""
    response = post_notification(client, signed_notification(processing_intent, **overrides))
    assert response.content != b"success"
    event = NotificationEvent.objects.get()
    assert event.verified is True and event.processed is False and error in event.error
    processing_intent.refresh_from_db()
    assert (
        processing_intent.status == PaymentIntent.Status.PROCESSING
        and not charges(processing_intent).exists()
    )


def test_garbage_body_is_stored(client, processing_intent):
    response = post_notification(client, b"\xff\xfenot=a&valid")
    assert response.status_code == 400
    event = NotificationEvent.objects.get()
    assert event.notification_id.startswith("sha256:") and not event.verified and event.error


def test_different_body_reusing_a_notify_id_is_kept_separately(client, processing_intent):
    good = signed_notification(processing_intent, notify_id="n-1")
    forged = forge_one_character(good)
    post_notification(client, forged)
    assert post_notification(client, good).content == b"success"
    assert NotificationEvent.objects.count() == 2
    assert NotificationEvent.objects.get(notification_id="n-1").verified is False
    assert NotificationEvent.objects.exclude(notification_id="n-1").get().processed is True
    assert charges(processing_intent).count() == 1


def test_notifications_are_append_only(client, processing_intent):
    from core.models import AppendOnlyError

    post_notification(client, signed_notification(processing_intent))
    event = NotificationEvent.objects.get()
    event.raw_body = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    charge = charges(processing_intent).get()
    with pytest.raises(AppendOnlyError):
        charge.save()
    with pytest.raises(AppendOnlyError):
        charge.delete()


def test_only_the_notify_view_is_csrf_exempt(payments_setup, processing_intent):
    client = Client(enforce_csrf_checks=True)
    notify = post_notification(client, signed_notification(processing_intent))
    assert notify.status_code == 200 and notify.content == b"success"
    other = make_intent("5.00")
    for url in (
        reverse("payments:checkout", args=[other.public_id]),
        reverse("payments:refresh", args=[other.public_id]),
    ):
        assert client.post(url, {"channel": "pc"}).status_code == 403
    from payments.sandbox.models import SandboxTrade

    trade = SandboxTrade.objects.get(out_trade_no=processing_intent.public_id)
    assert (
        client.post(reverse("payments:sandbox:cashier", args=[trade.token]), {"action": "pay"}).status_code
        == 403
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (select_for_update) need PostgreSQL; SQLite locks whole tables",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_notifications_give_one_transition(payments_setup):
    """Two different notifications for one trade, posted at the same moment from two threads."""
    intent = make_intent("520.00")
    PaymentIntent.objects.filter(pk=intent.pk).update(status=PaymentIntent.Status.PROCESSING)
    bodies = [signed_notification(intent, notify_id=f"concurrent-{n}") for n in range(2)]
    barrier = threading.Barrier(2)
    replies, errors = [], []

    def deliver(body):
        try:
            barrier.wait(timeout=10)
            replies.append(post_notification(Client(), body).content)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(replies) == [b"success", b"success"]
    assert charges(intent).count() == 1
    assert (
        ModelLogEntry.objects.filter(
            action=TRANSITION_ACTION, object_id=str(intent.pk), data__to="succeeded"
        ).count()
        == 1
    )
    assert NotificationEvent.objects.filter(processed=True).count() == 2


def test_a_notification_through_the_proxy_is_stored_with_the_gateways_address(
    client, processing_intent, settings
):
    """The stored notification is evidence: behind nginx it names the gateway that posted it
    (the trusted proxy's X-Forwarded-For), never the proxy, and ignores a spoofed left entry."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    response = client.post(
        reverse("payments:notify", args=[payment_fixtures.SANDBOX]),
        data=signed_notification(processing_intent),
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.40",
    )
    assert response.status_code == 200
    assert NotificationEvent.objects.get().remote_ip == "198.51.100.40"
