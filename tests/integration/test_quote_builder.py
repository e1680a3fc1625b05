"""Issue 18, point 2: the quote builder's traps, on the server side (the browser side is
``tests/browser/test_quote_builder_phone.py``).

- A quantity typed without ticking the item was silently dropped: typing a quantity now
  chooses the item, with or without JavaScript.
- Every unticked item showed quantity 1: an unticked item has no quantity, only a hint.
- A running total, computed by the server for the last selection (JavaScript keeps it live).
- "Start from the standard package": the provider's F6 package items, ticked.
"""

import re

import pytest
from django.urls import reverse

from marketplace.catalogue.services.packages import package_breakdowns, standard_package
from tests.factories.catalogue import make_priced_funeral_home

pytestmark = pytest.mark.django_db


def page(client, **params):
    return client.get(reverse("catalogue:quote"), params).content.decode()


def checked_ids(html):
    return {int(pk) for pk in re.findall(r'id="item-(\d+)"[^>]* checked>', html)}


def test_a_quantity_typed_without_ticking_chooses_the_item(client):
    provider = make_priced_funeral_home(slug="q")
    urn = provider.items.get(category__code="urn")
    storage = provider.items.get(category__code="storage")
    response = client.post(
        reverse("catalogue:quote"),
        # The urn is ticked with no quantity (it takes 1); storage is only given a quantity.
        {
            "provider": "q",
            "item": [urn.pk],
            f"qty_{urn.pk}": "",
            f"qty_{storage.pk}": "3",
            "burial_choice": "ordinary",
        },
    )
    assert response.status_code == 302
    statement = client.get(response["Location"]).content.decode()
    assert urn.name in statement and storage.name in statement and "3 次" in statement
    assert client.session["catalogue_quote"]["selections"] == {str(urn.pk): 1, str(storage.pk): 3}


def test_an_unticked_item_with_a_zero_or_empty_quantity_stays_out(client):
    provider = make_priced_funeral_home(slug="q")
    urn = provider.items.get(category__code="urn")
    storage = provider.items.get(category__code="storage")
    client.post(
        reverse("catalogue:quote"),
        {"provider": "q", "item": [urn.pk], f"qty_{storage.pk}": "0", "burial_choice": "ordinary"},
    )
    assert client.session["catalogue_quote"]["selections"] == {str(urn.pk): 1}


def test_unticked_items_show_no_quantity_and_the_total_is_the_servers(client):
    provider = make_priced_funeral_home(slug="q")
    storage = provider.items.get(category__code="storage")
    html = page(client, provider="q")
    assert not checked_ids(html)
    assert f'id="qty-{storage.pk}" value="" placeholder="1"' in html
    assert re.search(r"data-quote-total[^>]*>¥0\.00<", html)

    client.post(
        reverse("catalogue:quote"),
        {"provider": "q", "item": [storage.pk], f"qty_{storage.pk}": "3", "burial_choice": "ordinary"},
    )
    html = page(client, provider="q")
    total = storage.versions.order_by("-effective_from").first().price * 3
    assert re.search(rf"data-quote-total[^>]*>¥{total:,.2f}<", html)
    assert "已选 1 项" in html


def test_starting_from_the_standard_package_ticks_its_items_at_the_package_quantities(client):
    provider = make_priced_funeral_home(slug="q")
    breakdown = package_breakdowns(standard_package(), [provider])[provider.pk]
    assert breakdown.complete
    html = page(client, provider="q")
    assert "从标准服务包开始" in html and "start=package" in html
    html = page(client, provider="q", start="package")
    assert checked_ids(html) == {line.item.pk for line in breakdown.lines}
    assert re.search(rf"data-quote-total[^>]*>¥{breakdown.total:,.2f}<", html)


def test_a_provider_that_does_not_price_the_whole_package_offers_no_shortcut(client):
    from tests.factories.catalogue import ProviderFactory

    provider = ProviderFactory(slug="bare", is_published=True)
    html = page(client, provider=provider.slug, start="package")
    assert "从标准服务包开始" not in html and not checked_ids(html)


def _save(client, provider, urn, quantity="1"):
    return client.post(
        reverse("catalogue:quote"),
        {"provider": provider.slug, "item": [urn.pk], f"qty_{urn.pk}": quantity, "burial_choice": "ordinary"},
    )


def test_saving_the_same_quote_twice_keeps_one(client, settings):
    """A double click on 保存报价单 (or a resent form) returns the first quote, not a copy."""
    from marketplace.catalogue.models import Quote
    from tests.factories.accounts import UserFactory

    settings.QUOTE_RESUBMIT_WINDOW_SECONDS = 600
    provider = make_priced_funeral_home(slug="q")
    urn = provider.items.get(category__code="urn")
    user = UserFactory()
    client.force_login(user)
    first, second = _save(client, provider, urn), _save(client, provider, urn)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Quote.objects.filter(user=user).count() == 1
    # A different statement is a different quote.
    _save(client, provider, urn, quantity="2")
    assert Quote.objects.filter(user=user).count() == 2


def test_the_same_quote_saved_after_the_resubmit_window_is_new(client, settings):
    from marketplace.catalogue.models import Quote
    from tests.factories.accounts import UserFactory

    provider = make_priced_funeral_home(slug="q")
    urn = provider.items.get(category__code="urn")
    user = UserFactory()
    client.force_login(user)
    settings.QUOTE_RESUBMIT_WINDOW_SECONDS = 0
    _save(client, provider, urn)
    _save(client, provider, urn)
    assert Quote.objects.filter(user=user).count() == 2
