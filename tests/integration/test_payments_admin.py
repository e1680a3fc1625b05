"""The bureau's payments admin: read-only records, and a manual refund that needs a permission and is audited."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import ModelLogEntry

from accounts.groups import BUREAU_ADMIN
from payments import services
from payments.models import NotificationEvent, PaymentIntent, Refund
from tests.factories import payments as payment_fixtures
from tests.factories.accounts import UserFactory
from tests.factories.payments import Buyer, make_intent, post_notification, signed_notification

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server


def staff(*codenames):
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in codenames:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="payments", codename=codename)
        )
    return user


@pytest.mark.django_db
def test_bureau_admin_group_may_refund_and_view():
    group = Group.objects.get(name=BUREAU_ADMIN)
    codenames = set(
        group.permissions.filter(content_type__app_label="payments").values_list("codename", flat=True)
    )
    assert {
        "refund_paymentintent",
        "view_paymentintent",
        "view_notificationevent",
        "view_refund",
    } <= codenames


@pytest.mark.django_db
def test_intent_listing_filters_and_is_read_only(client, payments_setup):
    paid, waiting = (
        make_intent("10.00", description="已付款的一笔"),
        make_intent("20.00", description="未付款的一笔"),
    )
    PaymentIntent.objects.filter(pk=paid.pk).update(status="succeeded")
    client.force_login(staff("view_paymentintent", "change_paymentintent", "add_paymentintent"))
    listing = client.get(reverse("payment_intents:index"), {"status": "succeeded"})
    assert listing.status_code == 200
    assert paid.public_id in listing.text and waiting.public_id not in listing.text
    # Even with the model permissions, nothing can be added or edited here.
    assert client.get(reverse("payment_intents:add")).status_code in (302, 403)
    assert client.get(reverse("payment_intents:edit", args=[paid.pk])).status_code in (302, 403)
    inspect = client.get(reverse("payment_intents:inspect", args=[paid.pk]))
    assert inspect.status_code == 200 and reverse("payments_admin_refund", args=[paid.pk]) not in inspect.text


@pytest.mark.django_db
def test_notification_log_lists_rejected_notifications(client, payments_setup):
    from tests.factories.payments import forge_one_character

    intent = make_intent("30.00")
    post_notification(client, forge_one_character(signed_notification(intent)))
    client.force_login(staff("view_notificationevent"))
    listing = client.get(reverse("payment_notifications:index"), {"verified": "false"})
    event = NotificationEvent.objects.get()
    assert listing.status_code == 200 and event.notification_id in listing.text


@pytest.mark.django_db
def test_manual_refund_needs_the_permission(client, payments_setup):
    intent = make_intent("30.00")
    client.force_login(staff("view_paymentintent"))
    url = reverse("payments_admin_refund", args=[intent.pk])
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"amount": "1.00", "reason": "x"}).status_code in (302, 403)
    assert not Refund.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_manual_refund_is_made_and_audited(sandbox_server):
    intent = make_intent("200.00")
    buyer = Buyer()
    buyer.press(buyer.open(services.start_checkout(intent, "pc").redirect_url), "pay")
    officer = staff("view_paymentintent", "refund_paymentintent")
    from django.test import Client

    client = Client()
    client.force_login(officer)
    url = reverse("payments_admin_refund", args=[intent.pk])
    inspect = client.get(reverse("payment_intents:inspect", args=[intent.pk]))
    assert url in inspect.text
    too_much = client.post(url, {"amount": "200.01", "reason": "超额"})
    assert too_much.status_code == 200 and "超过可退金额" in too_much.content.decode()
    done = client.post(url, {"amount": "80.00", "reason": "取消告别厅租用"})
    assert done.status_code == 302
    refund = Refund.objects.get()
    assert refund.amount == Decimal("80.00") and refund.status == "succeeded" and refund.created_by == officer
    entry = ModelLogEntry.objects.get(action="payments.manual_refund", object_id=str(intent.pk))
    assert (
        entry.user_id == officer.pk
        and entry.data["amount"] == "80.00"
        and entry.data["reason"] == "取消告别厅租用"
    )
    assert PaymentIntent.objects.with_balances().get(pk=intent.pk).amount_refunded == Decimal("80.00")
