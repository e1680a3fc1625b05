"""The funeral section's read-only order register in the Wagtail admin."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.groups import FUNERAL_SECTION, SOCIAL_ORG_SECTION
from marketplace.orders.models import Order
from tests.factories.accounts import UserFactory
from tests.factories.orders import Scenario

pytestmark = pytest.mark.django_db


def officer(group_name):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_funeral_section_lists_filters_and_inspects_orders_but_cannot_change_them(client):
    confirmed = Scenario().advance("confirmed")
    submitted = Scenario().order
    client.force_login(officer(FUNERAL_SECTION))
    listing = client.get(reverse("orders_admin:index"), {"status": "confirmed"})
    assert listing.status_code == 200
    assert confirmed.reference in listing.text and submitted.reference not in listing.text
    found = client.get(reverse("orders_admin:index"), {"q": submitted.reference})
    assert submitted.reference in found.text and confirmed.reference not in found.text
    inspect = client.get(reverse("orders_admin:inspect", args=[confirmed.pk]))
    assert inspect.status_code == 200
    assert confirmed.deceased_id_masked in inspect.text
    assert confirmed.deceased_id_hmac not in inspect.text
    assert client.get(reverse("orders_admin:add")).status_code in (302, 403)
    assert client.get(reverse("orders_admin:edit", args=[confirmed.pk])).status_code in (302, 403)
    response = client.post(reverse("orders_admin:delete", args=[confirmed.pk]))
    assert response.status_code in (302, 403)
    assert Order.objects.filter(pk=confirmed.pk).exists()


def test_other_sections_and_providers_do_not_see_the_order_register(client):
    scenario = Scenario()
    client.force_login(officer(SOCIAL_ORG_SECTION))
    assert client.get(reverse("orders_admin:index")).status_code in (302, 403)
    client.force_login(scenario.staff)  # a provider's staff member has no admin access at all
    response = client.get(reverse("orders_admin:inspect", args=[scenario.order.pk]))
    assert response.status_code in (302, 403)
    assert scenario.order.deceased_name not in response.text
