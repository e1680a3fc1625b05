"""The generic pay pages: who may open them, and what they start."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from payments.models import PaymentIntent
from tests.factories import payments as payment_fixtures
from tests.factories.accounts import UserFactory
from tests.factories.payments import make_intent

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server


@pytest.mark.django_db
def test_checkout_redirects_payer_to_the_gateway(client, payments_setup):
    payer = UserFactory()
    intent = make_intent("66.60", user=payer)
    client.force_login(payer)
    page = client.get(reverse("payments:checkout", args=[intent.public_id]))
    assert page.status_code == 200 and "¥66.60" in page.text and 'name="channel"' in page.text
    response = client.post(reverse("payments:checkout", args=[intent.public_id]), {"channel": "pc"})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert not target.netloc  # same-site gateway: a path, so CSP form-action 'self' allows it
    assert target.path == "/payments/sandbox/gateway.do" and "method=alipay.trade.page.pay" in target.query
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING and intent.channel == "pc"


@pytest.mark.django_db
def test_someone_elses_intent_is_404(client, payments_setup):
    intent = make_intent("10.00", user=UserFactory())
    client.force_login(UserFactory())
    for name in ("payments:checkout", "payments:return"):
        assert client.get(reverse(name, args=[intent.public_id])).status_code == 404
    assert (
        client.post(reverse("payments:checkout", args=[intent.public_id]), {"channel": "pc"}).status_code
        == 404
    )
    assert PaymentIntent.objects.get(pk=intent.pk).status == PaymentIntent.Status.REQUIRES_PAYMENT


@pytest.mark.django_db
def test_expired_intent_cannot_start_checkout(client, payments_setup):
    from datetime import timedelta

    intent = make_intent("10.00", expires_in=timedelta(seconds=-1))
    page = client.get(reverse("payments:checkout", args=[intent.public_id]))
    assert "已不能付款" in page.text and 'name="channel"' not in page.text
    refused = client.post(reverse("payments:checkout", args=[intent.public_id]), {"channel": "pc"})
    assert refused.status_code == 200 and "已过期" in refused.text


@pytest.mark.django_db(transaction=True)
def test_qr_checkout_shows_qr_content(client, sandbox_server):
    intent = make_intent("18.00")
    page = client.post(reverse("payments:checkout", args=[intent.public_id]), {"channel": "qr"})
    assert page.status_code == 200 and 'id="qr-content"' in page.text
    assert f"{sandbox_server.url}/payments/sandbox/cashier/" in page.text


@pytest.mark.django_db
def test_english_translation_of_the_pay_page(client, payments_setup):
    intent = make_intent("10.00")
    with translation.override("en"):  # the English site's pay page is /en/payments/…
        url = reverse("payments:checkout", args=[intent.public_id])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Online payment" in page.text and "Awaiting payment" in page.text
