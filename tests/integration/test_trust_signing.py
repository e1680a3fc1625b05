"""Issue 12 §8 (orders): a lost signing race ends in a clear message, never an error page.

Real PostgreSQL row locks, real threads (each with its own connection), the real views.
"""

import threading

import pytest
from django.db import connection, connections, transaction  # noqa: F401 (skipif)
from django.test import Client
from django.urls import reverse

from marketplace.orders import services
from marketplace.orders.models import ContractStatus, Order, OrderStatus, Signature
from tests.factories.orders import Scenario, sent_code, staff_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="row locks (select_for_update) need PostgreSQL"
    ),
]


def _sign_form(document, user, name):
    services.send_signing_code(document, user, Signature.Role.PROVIDER)
    return {
        "action": "sign",
        "shown_sha256": document.draft_sha256,
        "full_name": name,
        "consent": "on",
        "code": sent_code(),
    }


def _in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except BaseException as exc:  # the test reports it; nothing may escape as a 500
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _wait_until_blocked_on_a_lock(count=1, results=None):
    """Until ``count`` other backends of this database wait for a row lock (no timing is asserted)."""
    with connections["default"].cursor() as cursor:
        for _attempt in range(12000):  # at most about two minutes on a loaded machine
            if results is not None and len(results) >= count:
                raise AssertionError(f"finished without waiting: {results}")
            # Inside a transaction the activity view is a snapshot; take a fresh one each time.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] >= count:
                return
            threading.Event().wait(0.01)
    raise AssertionError("the other signer never reached the lock")


def test_concurrent_signatures_one_wins_cleanly():
    scenario = Scenario()
    scenario.advance("family_signed")
    contract = scenario.order.contract
    second_staff = staff_user(scenario.provider)
    url = reverse("orders_workbench:contract_sign", args=[scenario.order.reference])
    forms = {
        "first": _sign_form(contract, scenario.staff, services.signer_name(scenario.staff)),
        "second": _sign_form(contract, second_staff, services.signer_name(second_staff)),
    }
    users = {"first": scenario.staff, "second": second_staff}

    # Hold the order row so both signers queue on it, then let them race for it.
    results = {}
    clients = {}
    for key in forms:  # signed in before the lock is taken, so the sessions are committed
        clients[key] = Client(raise_request_exception=True)
        clients[key].force_login(users[key])
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=scenario.order.pk)
        threads = [
            _in_thread(lambda c=clients[key], k=key: c.post(url, forms[k]), results, key) for key in forms
        ]
        _wait_until_blocked_on_a_lock(count=2, results=results)
    for thread in threads:
        thread.join()

    responses = list(results.values())
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    winners = [r for r in responses if r.status_code == 302]
    losers = [r for r in responses if r.status_code != 302]
    assert len(winners) == 1 and len(losers) == 1
    loser = losers[0]
    assert loser.status_code == 400
    html = loser.content.decode()
    assert "该文书已被签署或状态已变化" in html
    # The loser's input is still in the form.
    loser_form = forms["first"] if loser is results["first"] else forms["second"]
    assert f'value="{loser_form["full_name"]}"' in html and f'value="{loser_form["code"]}"' in html
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SEALED
    assert contract.signatures.filter(role=Signature.Role.PROVIDER).count() == 1
    assert Order.objects.get(pk=scenario.order.pk).status == OrderStatus.COUNTERSIGNED


def test_same_signer_pressing_sign_twice_at_once_gets_a_clear_message():
    scenario = Scenario()
    scenario.advance("family_signed")
    contract = scenario.order.contract
    url = reverse("orders_workbench:contract_sign", args=[scenario.order.reference])
    form = _sign_form(contract, scenario.staff, services.signer_name(scenario.staff))
    results = {}
    clients = []
    for _press in range(2):
        clients.append(Client(raise_request_exception=True))
        clients[-1].force_login(scenario.staff)
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=scenario.order.pk)
        threads = [
            _in_thread(lambda c=client: c.post(url, form), results, key)
            for key, client in zip(("first", "second"), clients, strict=True)
        ]
        _wait_until_blocked_on_a_lock(count=2, results=results)
    for thread in threads:
        thread.join()
    responses = list(results.values())
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [302, 400]
    loser = next(r for r in responses if r.status_code == 400).content.decode()
    assert "该文书已被签署或状态已变化" in loser and "请先获取短信验证码" not in loser
    assert contract.signatures.filter(role=Signature.Role.PROVIDER).count() == 1


def test_countersigning_while_the_family_cancels_never_deadlocks():
    """The family's cancellation holds the order while the provider signs: the signature waits,
    then finds the contract void and says so; the cancellation completes."""
    scenario = Scenario()
    scenario.advance("family_signed")
    contract = scenario.order.contract
    url = reverse("orders_workbench:contract_sign", args=[scenario.order.reference])
    form = _sign_form(contract, scenario.staff, services.signer_name(scenario.staff))
    client = Client(raise_request_exception=True)
    client.force_login(scenario.staff)
    results = {}
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=scenario.order.pk)
        thread = _in_thread(lambda: client.post(url, form), results, "sign")
        _wait_until_blocked_on_a_lock()
        services.cancel_order(order, scenario.family, reason="家属改选其他殡仪馆")
    thread.join()

    response = results["sign"]
    assert not isinstance(response, BaseException), response
    assert response.status_code == 400
    assert "该文书已被签署或状态已变化" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.VOID
    assert not contract.signatures.filter(role=Signature.Role.PROVIDER).exists()
    assert Order.objects.get(pk=scenario.order.pk).status == OrderStatus.CANCELLED
