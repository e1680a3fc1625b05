"""Online giving through the payments app and the Alipay simulator (issue 8 §5)."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core import sealing
from orgs.charity import giving
from orgs.charity.models import Donation, ProjectStatus
from payments import services as payment_services
from payments.models import PaymentIntent, Transaction
from tests.factories import payments as payment_fixtures
from tests.factories.accounts import UserFactory
from tests.factories.charity import CharityProjectFactory
from tests.factories.payments import Buyer, post_notification, signed_notification
from tests.pdfcheck import unembedded_fonts

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server

pytestmark = pytest.mark.django_db(transaction=True)


def give(client, project, amount="200.00", anonymous=False):
    data = {"amount": amount}
    if anonymous:
        data["anonymous"] = "on"
    response = client.post(reverse("charity:donate", args=[project.pk]), data)
    intent = PaymentIntent.objects.filter(object_id=str(project.pk)).order_by("-created_at").first()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/payments/checkout/{intent.public_id}/"
    )
    return intent


def pay(intent):
    checkout = payment_services.start_checkout(intent, "pc")
    buyer = Buyer()
    return buyer.press(buyer.open(checkout.redirect_url), "pay")


@pytest.fixture
def donor(payments_setup):
    return UserFactory(real_name="赵敏", display_name="赵女士")


@pytest.fixture
def project(payments_setup):
    return CharityProjectFactory()


def test_a_gift_paid_through_the_gateway_becomes_exactly_one_donation(sandbox_server, donor, project, client):
    client.force_login(donor)
    intent = give(client, project, "200.00")
    pay(intent)
    donation = Donation.objects.get(project=project)
    assert (donation.amount, donation.channel, donation.receipt_number) == (
        Decimal("200.00"),
        Donation.Channel.ONLINE,
        intent.public_id,
    )
    assert donation.donor_name == "赵敏" and not donation.anonymous
    # The gateway delivers the same notification again, and again: still one donation, one charge.
    for _ in range(3):
        response = post_notification(client, signed_notification(intent))
        assert response.content == b"success"
    assert Donation.objects.filter(project=project).count() == 1
    assert Transaction.objects.filter(intent=intent, kind=Transaction.Kind.CHARGE).count() == 1
    assert giving.record_gift(project, intent, Decimal("200.00")) == donation


def test_an_anonymous_gift_stays_anonymous_in_every_output(sandbox_server, donor, project, client):
    client.force_login(donor)
    pay(give(client, project, "88.00", anonymous=True))
    donation = Donation.objects.get(project=project)
    assert donation.anonymous and donation.public_donor_name == "匿名"
    client.logout()  # what the public sees
    page = client.get(reverse("charity:project", args=[project.pk])).content.decode()
    csv = b"".join(client.get(reverse("charity:donations_csv")).streaming_content).decode("utf-8-sig")
    data = b"".join(client.get(reverse("charity:donations_json")).streaming_content).decode()
    lookup = client.get(
        reverse("charity:lookup"),
        {"organization": project.organization.pk, "receipt_number": donation.receipt_number},
    ).content.decode()
    assert project.name in lookup and "88.00" in lookup  # the lookup found the gift
    for output in (page, csv, data, lookup):
        assert "赵敏" not in output and "赵女士" not in output
    assert donation.receipt_number in csv


def test_the_donor_downloads_a_sealed_receipt_and_nobody_else_can(sandbox_server, donor, project, client):
    client.force_login(donor)
    intent = give(client, project, "500.00")
    pay(intent)
    html = client.get(reverse("charity:my_gifts")).content.decode()
    receipt_url = reverse("charity:gift_receipt", args=[intent.public_id])
    assert receipt_url in html
    pdf = b"".join(client.get(receipt_url).streaming_content)
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert project.organization.name in text and "500.00" in text and intent.public_id in text
    assert sealing.verify_pdf(pdf).ok
    assert unembedded_fonts(pdf) == []
    client.force_login(UserFactory())
    assert client.get(receipt_url).status_code == 404


def test_return_from_the_gateway_alone_creates_no_donation(payments_setup, donor, project, client):
    client.force_login(donor)
    intent = give(client, project)
    client.get(reverse("payments:return", args=[intent.public_id]))
    assert not Donation.objects.exists()


def test_only_fundraising_projects_accept_gifts(payments_setup, donor, client):
    closed = CharityProjectFactory(status=ProjectStatus.COMPLETED)
    client.force_login(donor)
    assert client.get(reverse("charity:donate", args=[closed.pk])).status_code == 404
    assert client.post(reverse("charity:donate", args=[closed.pk]), {"amount": "10"}).status_code == 404


def test_bad_amounts_are_refused_with_a_clear_error(payments_setup, donor, project, client):
    client.force_login(donor)
    response = client.post(reverse("charity:donate", args=[project.pk]), {"amount": "0.10"})
    assert response.status_code == 200 and "1" in " ".join(response.context["form"].errors["amount"])
    assert not PaymentIntent.objects.exists()


def test_cancelling_a_gift_while_the_gateway_is_unreachable_asks_to_try_later(
    payments_setup, donor, project, client
):
    """Cancelling closes the trade at the gateway first; when the gateway can't be reached the
    donor is told to try again later and the gift stays open, nothing cancelled behind its back."""
    client.force_login(donor)
    intent = give(client, project, "50.00")
    payment_services.start_checkout(intent, "pc")  # a signed redirect: no call to the gateway yet
    payments_setup.PAYMENTS_SITE_URL = "http://127.0.0.1:9"  # nothing listens there
    page = client.post(reverse("charity:cancel_gift", args=[intent.public_id]), follow=True)
    assert "支付渠道暂时无法取消这笔支付，请稍后再试。" in page.content.decode()
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING
