"""F9 through ``order.total`` (issue 24, point 3): the final bill differs from the contract only
through change lines both sides signed. A withdrawn and a declined change are never billed,
also after a later change is countersigned and the total is recomputed."""

from decimal import Decimal

import pytest

from accounts import sms
from marketplace.orders import services
from marketplace.orders.models import ChangeStatus, Signature
from tests.factories.catalogue import make_item
from tests.factories.orders import Scenario, items, sign_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_f9_only_countersigned_change_lines_reach_order_total():
    scenario = Scenario()
    wreath = make_item(scenario.provider, "wreath", name="花圈", price="100.00")
    scenario.advance("paid")
    contract_total = scenario.order.total
    urn = items(scenario.provider)["骨灰盒"]

    withdrawn = services.propose_change(
        scenario.order, scenario.staff, additions={urn.pk: 2}, removals={}, reason="加两个骨灰盒"
    )
    sign_as(withdrawn, scenario.family, Signature.Role.FAMILY)  # the family signed, the provider withdrew
    services.withdraw_change(withdrawn, scenario.staff)
    declined = services.propose_change(
        scenario.order, scenario.staff, additions={urn.pk: 3}, removals={}, reason="加三个骨灰盒"
    )
    services.decline_change(declined, scenario.family, reason="不需要")
    signed = services.propose_change(
        scenario.order, scenario.staff, additions={wreath.pk: 1}, removals={}, reason="加一个花圈"
    )
    sign_as(signed, scenario.family, Signature.Role.FAMILY)
    sign_as(signed, scenario.staff, Signature.Role.PROVIDER)

    withdrawn.refresh_from_db()
    declined.refresh_from_db()
    signed.refresh_from_db()
    assert (withdrawn.status, declined.status, signed.status) == (
        ChangeStatus.WITHDRAWN,
        ChangeStatus.DECLINED,
        ChangeStatus.SIGNED,
    )
    order = scenario.refresh()
    assert order.total == contract_total + signed.delta == contract_total + Decimal("100.00")
    assert services.comparison(order).final.total == order.total
    assert services.balance_due(order) == signed.delta
    billed = {line.name for line in services.bill_lines(order) if line.quantity > 0}
    assert "花圈" in billed
    assert (
        sum(
            line.quantity
            for line in services.bill_lines(order)
            if line.item_id == urn.pk and not line.is_discount
        )
        == 1
    )
