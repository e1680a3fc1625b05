"""Bureau admin: projects are listed and editable; published records cannot be changed or deleted."""

import pytest
from django.urls import reverse

from tests.factories.accounts import UserFactory
from tests.factories.charity import CharityProjectFactory, DonationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_admin_lists_projects_and_donations(admin_client):
    donation = DonationFactory(project=CharityProjectFactory(name="冬衣行动"), receipt_number="ADM-1")
    assert "冬衣行动" in admin_client.get(reverse("charity_projects:index")).content.decode()
    html = admin_client.get(reverse("charity_donations:index")).content.decode()
    assert "ADM-1" in html
    assert admin_client.get(reverse("charity_donations:inspect", args=[donation.pk])).status_code == 200


def test_admin_cannot_edit_or_delete_a_published_donation(admin_client):
    donation = DonationFactory()
    for name in ("charity_donations:edit", "charity_donations:delete"):
        response = admin_client.get(reverse(name, args=[donation.pk]))
        assert response.status_code in (302, 403)
    assert type(donation).objects.filter(pk=donation.pk).exists()
