"""Orders, contracts and change orders move only through their transition tables."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from accounts import sms
from core.statemachine import TRANSITION_ACTION, IllegalTransition, transition
from marketplace.orders import services
from marketplace.orders.models import (
    ChangeOrder,
    ChangeStatus,
    Contract,
    ContractStatus,
    Order,
    OrderLine,
    OrderStatus,
    Signature,
)
from tests.factories.orders import LIFECYCLE, Scenario, items, sign_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


EXPECTED_ORDER_TABLE = {
    ("submitted", "confirmed"),
    ("confirmed", "contract_issued"),
    ("contract_issued", "family_signed"),
    ("family_signed", "countersigned"),
    ("countersigned", "paid"),
    ("paid", "in_service"),
    ("in_service", "completed"),
    ("submitted", "cancelled"),
    ("confirmed", "cancelled"),
    ("contract_issued", "cancelled"),
    ("family_signed", "cancelled"),
    ("countersigned", "cancelled"),
    ("paid", "cancelled"),
    ("cancelled", "refunded"),
}


def test_the_order_table_is_exactly_the_issue_lifecycle():
    assert set(Order.TRANSITIONS) == EXPECTED_ORDER_TABLE


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.product(OrderStatus.values, OrderStatus.values))
)
def test_every_order_move_is_allowed_or_refused_by_the_table(source, target):
    scenario = Scenario()
    order = scenario.order
    Order.objects.filter(pk=order.pk).update(status=source)
    order.refresh_from_db()
    staff = scenario.staff
    if (source, target) in EXPECTED_ORDER_TABLE:
        transition(order, target, user=staff, reason="测试")
        order.refresh_from_db()
        assert order.status == target
        entry = ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(order.pk)).latest(
            "timestamp"
        )
        assert entry.user == staff and entry.data == {
            "from": source,
            "to": target,
            "reason": "测试",
            "field": "status",
        }
    else:
        with pytest.raises(IllegalTransition) as error:
            transition(order, target, user=staff, reason="测试")
        assert source in str(error.value) and target in str(error.value)
        order.refresh_from_db()
        assert order.status == source


EXPECTED_CONTRACT_TABLE = {
    ("issued", "family_signed"),
    ("family_signed", "sealed"),
    ("issued", "void"),
    ("family_signed", "void"),
}
EXPECTED_CHANGE_TABLE = {
    ("proposed", "family_signed"),
    ("family_signed", "signed"),
    ("proposed", "declined"),
    ("proposed", "withdrawn"),
    ("family_signed", "withdrawn"),
}


def test_the_contract_and_change_order_tables_are_exactly_the_expected_ones():
    assert set(Contract.TRANSITIONS) == EXPECTED_CONTRACT_TABLE
    assert set(ChangeOrder.TRANSITIONS) == EXPECTED_CHANGE_TABLE


def _issued_contract(scenario):
    return scenario.advance("contract_issued").contract


def _proposed_change(scenario):
    scenario.advance("paid")
    return services.propose_change(
        scenario.order,
        scenario.staff,
        additions={items(scenario.provider)["骨灰盒"].pk: 1},
        removals={},
        reason="家属加购骨灰盒",
    )


def _assert_move_made_or_refused(document, source, target, legal, user):
    """Put the real document in ``source``, ask for ``target``, check the stored result."""
    model = type(document)
    model.objects.filter(pk=document.pk).update(status=source)
    document.refresh_from_db()
    if (source, target) in legal:
        transition(document, target, user=user, reason="测试")
        assert model.objects.get(pk=document.pk).status == target
        entry = ModelLogEntry.objects.filter(
            action=TRANSITION_ACTION, object_id=str(document.pk), content_type__model=model._meta.model_name
        ).latest("timestamp", "pk")
        assert entry.user == user and entry.data["from"] == source and entry.data["to"] == target
    else:
        with pytest.raises(IllegalTransition) as error:
            transition(document, target, user=user, reason="测试")
        assert source in str(error.value) and target in str(error.value)
        assert model.objects.get(pk=document.pk).status == source


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.product(ContractStatus.values, ContractStatus.values))
)
def test_every_contract_move_is_made_or_refused_on_a_real_contract(source, target):
    scenario = Scenario()
    contract = _issued_contract(scenario)
    _assert_move_made_or_refused(contract, source, target, EXPECTED_CONTRACT_TABLE, scenario.staff)


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.product(ChangeStatus.values, ChangeStatus.values))
)
def test_every_change_order_move_is_made_or_refused_on_a_real_change_order(source, target):
    scenario = Scenario()
    change = _proposed_change(scenario)
    _assert_move_made_or_refused(change, source, target, EXPECTED_CHANGE_TABLE, scenario.staff)


def test_the_whole_lifecycle_through_the_services_is_audited_with_who_and_why():
    scenario = Scenario()
    order = scenario.advance("completed")
    assert order.status == "completed"
    moves = list(
        ModelLogEntry.objects.filter(
            action=TRANSITION_ACTION, content_type__model="order", object_id=str(order.pk)
        )
        .order_by("timestamp", "id")
        .values_list("data", "user_id")
    )
    assert [data["to"] for data, _user in moves] == LIFECYCLE[1:]
    confirm = moves[0]
    assert confirm[1] == scenario.staff.pk and "二号告别厅" in confirm[0]["reason"]
    family_sign = moves[2]
    assert family_sign[1] == scenario.family.pk


def test_services_refuse_skipping_a_step():
    scenario = Scenario()
    with pytest.raises(IllegalTransition):
        services.issue_contract(scenario.order, scenario.staff, scenario.template)
    with pytest.raises(IllegalTransition):
        services.start_service(scenario.order, scenario.staff)
    with pytest.raises(IllegalTransition):
        services.complete_order(scenario.order, scenario.staff)
    scenario.advance("confirmed")
    with pytest.raises(IllegalTransition):
        services.confirm_order(
            scenario.order,
            scenario.staff,
            service_date=scenario.order.requested_date,
            service_time=scenario.order.requested_time,
            hall="x",
        )


def test_family_cannot_sign_before_the_contract_is_issued_nor_twice():
    scenario = Scenario()
    scenario.advance("family_signed")
    contract = scenario.order.contract
    with pytest.raises(ValidationError):
        services.send_signing_code(contract, scenario.family, Signature.Role.FAMILY)


def test_provider_cannot_countersign_before_the_family():
    scenario = Scenario()
    scenario.advance("contract_issued")
    with pytest.raises(ValidationError):
        services.send_signing_code(scenario.order.contract, scenario.staff, Signature.Role.PROVIDER)


def test_cancelling_voids_an_unsigned_contract_and_withdraws_open_changes():
    scenario = Scenario()
    scenario.advance("contract_issued")
    services.cancel_order(scenario.order, scenario.family, reason="家属改变安排")
    order = scenario.refresh()
    assert order.status == "cancelled" and order.cancel_reason == "家属改变安排"
    assert order.contract.status == "void"


def test_cancelling_after_sealing_revokes_the_public_record():
    scenario = Scenario()
    scenario.advance("paid")
    signed = services.propose_change(
        scenario.order,
        scenario.staff,
        additions={items(scenario.provider)["骨灰盒"].pk: 1},
        removals={},
        reason="加一个",
    )
    sign_as(signed, scenario.family, Signature.Role.FAMILY)
    sign_as(signed, scenario.staff, Signature.Role.PROVIDER)
    change = services.propose_change(
        scenario.order,
        scenario.staff,
        additions={items(scenario.provider)["骨灰盒"].pk: 1},
        removals={},
        reason="再加一个",
    )
    services.cancel_order(scenario.order, scenario.staff, reason="家属改选其他殡仪馆")
    signed.sealed_document.refresh_from_db()
    assert signed.sealed_document.status == "revoked"
    order = scenario.refresh()
    assert order.contract.status == "sealed"
    document = order.contract.sealed_document
    document.refresh_from_db()
    assert document.status == "revoked" and "家属改选其他殡仪馆" in document.status_reason
    change.refresh_from_db()
    assert change.status == "withdrawn"


def test_cancelling_needs_a_reason():
    scenario = Scenario()
    with pytest.raises(ValidationError):
        services.cancel_order(scenario.order, scenario.family, reason="  ")
    assert scenario.refresh().status == "submitted"


def test_completing_with_an_open_change_order_is_refused():
    scenario = Scenario()
    scenario.advance("in_service")
    services.propose_change(
        scenario.order,
        scenario.staff,
        additions={items(scenario.provider)["骨灰盒"].pk: 1},
        removals={},
        reason="加骨灰盒",
    )
    with pytest.raises(ValidationError):
        services.complete_order(
            scenario.refresh(), scenario.staff, event_date=scenario.order.requested_date, place="1号炉"
        )
    assert scenario.refresh().status == "in_service"


def test_order_lines_are_append_only():
    scenario = Scenario()
    line = OrderLine.objects.filter(order=scenario.order).first()
    line.quantity = 5
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        line.delete()


def test_a_sealed_contract_never_changes():
    scenario = Scenario()
    scenario.advance("countersigned")
    contract = scenario.order.contract
    assert contract.is_sealed and contract.sealed_sha256 == contract.sealed_document.sha256
    contract.total = contract.total + 1
    with pytest.raises(ValidationError):
        contract.save()
    contract.refresh_from_db()
    contract.status = "void"
    with pytest.raises(ValidationError):
        contract.save()
    with pytest.raises(ValidationError):
        contract.delete()


def test_an_issued_contract_keeps_its_text():
    scenario = Scenario()
    scenario.advance("contract_issued")
    contract = scenario.order.contract
    contract.draft_sha256 = "0" * 64
    with pytest.raises(ValidationError):
        contract.save()
