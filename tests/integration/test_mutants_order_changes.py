"""F9 change orders, the cases the mutation run found untested (issue 24, point 5): what a
removal takes off the bill when the item sits on several lines, the refusal a provider reads
when it asks to remove more than the bill holds, and when the workbench offers a change."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import sms
from marketplace.catalogue import services as catalogue
from marketplace.orders import services
from marketplace.orders.models import ChangeStatus, Signature
from marketplace.orders.services.changes import can_propose_change
from tests.factories.catalogue import make_item
from tests.factories.orders import Scenario, funeral_home, items, sign_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def signed_change(scenario, **kwargs):
    change = services.propose_change(scenario.order, scenario.staff, reason="家属要求", **kwargs)
    sign_as(change, scenario.family, Signature.Role.FAMILY)
    sign_as(change, scenario.staff, Signature.Role.PROVIDER)
    change.refresh_from_db()
    assert change.status == ChangeStatus.SIGNED
    return change


def change_lines(change):
    return [
        (line.kind, line.quantity, line.unit_price, line.amount)
        for line in change.lines.order_by("sort_order", "id")
    ]


def wreath_order(contract_quantity, added_quantity):
    """Wreaths on the contract at ¥100, more added by a signed change at the new price of ¥120."""
    provider = funeral_home()
    wreath = make_item(provider, "wreath", name="花圈", price="100.00")
    scenario = Scenario(provider=provider, selections={wreath.pk: contract_quantity})
    scenario.advance("paid")
    catalogue.publish_price(
        wreath, price=Decimal("120.00"), effective_from=timezone.localdate(), reason="成本上涨"
    )
    signed_change(scenario, additions={wreath.pk: added_quantity}, removals={})
    return scenario, wreath


def test_f9_a_removal_spanning_two_billed_lines_refunds_each_at_the_price_it_was_billed_at():
    """One wreath on the contract at ¥100 and two added later at ¥120: removing exactly the three
    the bill holds is accepted and refunds ¥100 + 2 × ¥120; removing one takes one line only."""
    scenario, wreath = wreath_order(1, 2)
    order = scenario.refresh()
    billed = order.total
    change = services.propose_change(
        order, scenario.staff, additions={}, removals={wreath.pk: 3}, reason="全部不要"
    )
    assert change_lines(change) == [
        ("item", -1, Decimal("100.00"), Decimal("-100.00")),
        ("item", -2, Decimal("120.00"), Decimal("-240.00")),
    ]
    assert change.delta == Decimal("-340.00")
    assert scenario.refresh().total == billed  # not billed until both sides sign

    services.withdraw_change(change, scenario.staff)
    one = services.propose_change(
        order, scenario.staff, additions={}, removals={wreath.pk: 1}, reason="少一个"
    )
    assert change_lines(one) == [("item", -1, Decimal("100.00"), Decimal("-100.00"))]


def test_f9_an_item_added_by_a_change_and_partly_removed_can_be_removed_to_the_last_unit():
    """Three wreaths added after signing, one removed by a later signed change: the earlier
    removal line is passed over, and the last two come off the line that added them."""
    provider = funeral_home()
    wreath = make_item(provider, "wreath", name="花圈", price="100.00")
    scenario = Scenario(provider=provider, selections={items(provider)["骨灰盒"].pk: 1})
    scenario.advance("paid")
    signed_change(scenario, additions={wreath.pk: 3}, removals={})
    signed_change(scenario, additions={}, removals={wreath.pk: 1})
    change = services.propose_change(
        scenario.refresh(), scenario.staff, additions={}, removals={wreath.pk: 2}, reason="全部不要"
    )
    assert change_lines(change) == [("item", -2, Decimal("100.00"), Decimal("-200.00"))]
    assert change.delta == Decimal("-200.00")


def test_f9_a_second_removal_never_refunds_a_line_an_earlier_removal_already_took():
    """One wreath at ¥100 on the contract, two added at ¥120, then a signed removal of one (it
    takes the ¥100 contract wreath). Removing the last two must refund 2 × ¥120, leaving
    nothing billed for wreaths."""
    scenario, wreath = wreath_order(1, 2)
    signed_change(scenario, additions={}, removals={wreath.pk: 1})
    change = services.propose_change(
        scenario.refresh(), scenario.staff, additions={}, removals={wreath.pk: 2}, reason="全部不要"
    )
    assert change.delta == Decimal("-240.00")


def test_f9_removing_more_than_the_bill_holds_names_every_item_and_what_can_be_removed():
    provider = funeral_home()
    wreath = make_item(provider, "wreath", name="花圈", price="100.00")
    candle = make_item(provider, "wreath", name="白烛", price="20.00")
    unbilled = make_item(provider, "wreath", name="挽联", price="30.00")
    scenario = Scenario(provider=provider, selections={wreath.pk: 2, candle.pk: 1})
    scenario.advance("paid")

    with pytest.raises(ValidationError) as refused:
        services.propose_change(
            scenario.order,
            scenario.staff,
            additions={},
            removals={wreath.pk: 3, candle.pk: 2, unbilled.pk: 1},
            reason="多减",
        )
    assert refused.value.messages == [
        "“花圈”最多可减少 2。",
        "“白烛”最多可减少 1。",
        f"“{unbilled.pk}”最多可减少 0。",
    ]
    assert not scenario.order.change_orders.exists()


def test_f9_a_removed_item_that_was_never_discounted_gets_no_discount_reversal():
    """F7 made the basic services free for this resident; the urn is not one of them. Taking the
    urn off the bill refunds its price and reverses no discount."""
    scenario = Scenario(burial_choice="sea", resident=True)
    scenario.advance("paid")
    urn = items(scenario.provider)["骨灰盒"]
    change = services.propose_change(
        scenario.order, scenario.staff, additions={}, removals={urn.pk: 1}, reason="不要骨灰盒"
    )
    assert change_lines(change) == [("item", -1, Decimal("600.00"), Decimal("-600.00"))]
    assert change.delta == Decimal("-600.00")


def test_f9_the_workbench_offers_a_change_only_on_a_signed_order_with_no_open_change():
    scenario = Scenario()
    urn = items(scenario.provider)["骨灰盒"]
    scenario.advance("family_signed")
    assert not can_propose_change(scenario.refresh())  # no open change, but not countersigned yet
    scenario.advance("countersigned")
    assert can_propose_change(scenario.refresh())
    change = services.propose_change(
        scenario.order, scenario.staff, additions={urn.pk: 1}, removals={}, reason="加一个"
    )
    assert not can_propose_change(scenario.refresh())  # countersigned, but one change is open
    services.decline_change(change, scenario.family, reason="不需要")
    assert can_propose_change(scenario.refresh())
