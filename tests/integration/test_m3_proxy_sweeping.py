"""M3: the basic 代为祭扫 (wiping the headstone, laying flowers) is free, posted at ¥0; extended
services are ordinary posted items (F4), ordered, signed and paid through the existing order
flow. The ¥0 is a database value: the bureau's ceiling on the basic category (seeded with the
categories), enforced by F2's ceiling check like any other ceiling."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from marketplace.catalogue import services as catalogue
from marketplace.catalogue.models import GuidePrice, PriceBasis
from marketplace.memorials.visits.sheets import proxy_sweeping_items
from tests.factories.catalogue import category, make_item
from tests.factories.orders import Scenario, cemetery

pytestmark = pytest.mark.django_db


def proxy_cemetery():
    provider = cemetery(name="代祭测试公墓")
    basic = make_item(
        provider,
        "proxy-sweeping",
        name="基础代为祭扫",
        price="0.00",
        basis=PriceBasis.GOVERNMENT_SET,
        unit="次",
    )
    extended = make_item(provider, "proxy-sweeping-extended", name="代献花篮", price="300.00", unit="次")
    return provider, basic, extended


@pytest.mark.parametrize("basis", [PriceBasis.GOVERNMENT_SET, PriceBasis.GOVERNMENT_GUIDE, PriceBasis.MARKET])
def test_m3_the_basic_proxy_sweeping_is_free_and_any_price_above_zero_is_refused(basis):
    guide = GuidePrice.objects.get(category=category("proxy-sweeping"), basis=basis)
    assert guide.ceiling == 0 and "代为祭扫" in guide.document_reference
    provider = cemetery(name="代祭测试公墓")
    make_item(provider, "proxy-sweeping", name="基础代为祭扫", price="0.00", basis=basis)  # ¥0 is accepted
    with pytest.raises(ValidationError) as refused:
        make_item(provider, "proxy-sweeping", name="收费的基础代为祭扫", price="0.01", basis=basis)
    message = " ".join(refused.value.messages)
    assert "最高限价 ¥0.00" in message and "基础代为祭扫（擦拭墓碑、敬献鲜花）免费" in message


def test_m3_extended_proxy_sweeping_is_an_ordinary_posted_item_with_no_rule_ceiling():
    provider, _basic, extended = proxy_cemetery()
    assert not GuidePrice.objects.filter(category=category("proxy-sweeping-extended")).exists()
    assert [item.name for item in proxy_sweeping_items(provider)] == ["基础代为祭扫", "代献花篮"]


def test_m3_a_free_proxy_sweeping_is_ordered_and_signed_and_needs_no_payment():
    provider, basic, _extended = proxy_cemetery()
    scenario = Scenario(provider=provider, selections={basic.pk: 1})
    assert scenario.order.total == 0
    order = scenario.advance("countersigned")
    order = scenario.refresh()
    # A ¥0 contract in force is settled at once: nothing to pay, the service is due.
    assert order.status == "paid"


def test_m3_the_visits_page_offers_proxy_sweeping_through_the_quote(client):
    provider, basic, extended = proxy_cemetery()
    page = client.get(reverse("memorial_visits:provider", args=[provider.slug])).content.decode()
    assert "不能到场？可请墓园代为祭扫" in page and "免费" in page and "¥300.00" in page
    assert f"{reverse('catalogue:quote')}?provider={provider.slug}" in page
    statement = catalogue.compute_statement(provider, {basic.pk: 1, extended.pk: 1})
    assert statement.total == 300
