"""How a family gets from a saved quote to an order, and finds its orders again."""

import pytest
from django.urls import reverse

from tests.factories.accounts import UserFactory
from tests.factories.orders import family_user, funeral_home, make_quote

pytestmark = pytest.mark.django_db


def test_saved_quote_offers_its_owner_to_submit_it_as_an_order(client):
    family = family_user()
    quote = make_quote(family, funeral_home())
    client.force_login(family)
    html = client.get(quote.get_absolute_url()).content.decode()
    assert f"{reverse('orders:new')}?quote={quote.reference}" in html
    assert "提交为订单" in html
    response = client.get(f"{reverse('orders:new')}?quote={quote.reference}")
    assert response.status_code == 200 and quote.reference in response.content.decode()


def test_another_user_cannot_see_or_submit_someone_elses_quote(client):
    quote = make_quote(family_user(), funeral_home())
    client.force_login(UserFactory())
    assert client.get(quote.get_absolute_url()).status_code == 404
    assert client.get(f"{reverse('orders:new')}?quote={quote.reference}").status_code == 404


def test_account_page_links_to_my_orders(client):
    client.force_login(family_user())
    html = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("orders:index") in html and "我的订单" in html
