"""B1's waiver refund (``settle_refund``, ``on_change_signed``, ``retry_all`` in
``marketplace.benefits.waivers``) against the real payments app: the local Alipay simulator over
HTTP, real RSA2 keys both ways, every payment made by the family in the cashier and every refund
asked of the simulator, as in ``test_benefits_refund.py``. Written for the mutants of the run of
7 December 2026 (docs/mutation-2026-12-07-benefits.md); moved here from
``test_mutants_benefits.py``, where the payments app's refund calls had been stood in for.

What is guarded: the newest payment is refunded first, each up to what it can still refund, in
the name of whoever asked and with the decision cited in the reason; a payment with nothing left
to refund is passed over; a refund the gateway refuses is tied to the application and logged,
does not count, and the daily run makes it once the gateway takes refunds again; signing the
waiver's change order refunds at once (the commit hook), and a crash there is logged; the daily
run counts the refunds of every waiver it settles. Nothing is ever refunded twice.

The orders are built through the real flows: the family pays the contract in the cashier; a
second payment on one order is the balance of a signed change order that added an urn; a payment
with nothing left to refund is that balance, refunded in full through ``create_refund`` after a
second change order took the urn off again. Where the gateway must refuse, the simulator answers
``alipay.trade.refund`` with Alipay's signed system error (``gateway_fault`` of
``test_mutants_payments.py``). A waiver's change order is refunded by its commit hook the moment
both sides have signed it; a test that needs the refund made by another caller (an officer, the
daily run) signs it while the gateway refuses refunds, so the hook's attempt fails first.
"""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from marketplace.benefits import services, waivers
from marketplace.benefits.models import WaiverRefund
from marketplace.orders import services as order_services
from marketplace.orders.models import OrderStatus, Signature
from payments import services as payment_services
from payments.models import PaymentIntent, Refund
from tests.factories import payments as payment_fixtures
from tests.factories.benefits import basic_waiver, bureau_officer, from_order, submitted
from tests.factories.orders import Scenario, items, money, sign_as
from tests.factories.payments import Buyer
from tests.integration import test_mutants_payments as payment_mutants

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server
gateway_fault = payment_mutants.gateway_fault
system_error = payment_mutants.system_error
trade_of = payment_mutants.trade_of

# Both databases: ``settle_refund`` asks the gateway with no transaction open (its lock is in the
# shared cache), so the simulator, served by the live server from the same database, can write
# its side of the refund even on SQLite's single writer.
pytestmark = pytest.mark.django_db(transaction=True)

REFUND = "alipay.trade.refund"
WAIVED = money("620.00")  # the five basic services of the test funeral home (the bill: 1,320.00)
URN = money("600.00")
LOGGER = "marketplace.benefits.waivers"


def pay(scenario, client):
    """The family presses "pay" on its order and pays in the simulator's cashier; returns the
    intent, paid (the simulator's signed notification has reached the platform)."""
    client.force_login(scenario.family)
    response = client.post(reverse("orders:pay", args=[scenario.order.reference]))
    intent = payment_services.intents_for(scenario.refresh()).latest("created_at")
    assert response.status_code == 302 and response.url.endswith(f"/checkout/{intent.public_id}/")
    checkout = payment_services.start_checkout(intent, "pc")
    buyer = Buyer()
    buyer.press(buyer.open(checkout.redirect_url), "pay")
    intent = PaymentIntent.objects.get(pk=intent.pk)
    assert intent.status == PaymentIntent.Status.SUCCEEDED
    return intent


def paid_order(client):
    """A countersigned order the family has paid in full (1,320.00) in the cashier."""
    scenario = Scenario()
    scenario.advance("countersigned")
    intent = pay(scenario, client)
    assert scenario.refresh().status == OrderStatus.PAID
    return scenario, intent


def signed_change(scenario, *, additions=None, removals=None, reason):
    change = order_services.propose_change(
        scenario.refresh(), scenario.staff, additions=additions or {}, removals=removals or {}, reason=reason
    )
    sign_as(change, scenario.family, Signature.Role.FAMILY)
    sign_as(change, scenario.staff, Signature.Role.PROVIDER)
    return change


def urn_paid_for_separately(scenario, client):
    """A signed change order adds a second urn; the family pays the balance (600.00) in the
    cashier: a second, newer intent on the order."""
    urn = items(scenario.provider)["骨灰盒"]
    signed_change(scenario, additions={urn.pk: 1}, reason="家属加购一个骨灰盒")
    assert order_services.balance_due(scenario.refresh()) == URN
    return pay(scenario, client)


def approved_waiver(scenario, **scheme):
    """The bureau approves a basic-services waiver for the order; its change order is proposed."""
    return services.approve(submitted(from_order(basic_waiver(**scheme), scenario)), user=bureau_officer())


def sign_waiver(scenario, application):
    """Both sides sign the waiver's change order; its commit hook runs as each commit does."""
    sign_as(application.waiver_change, scenario.family, Signature.Role.FAMILY)
    sign_as(application.waiver_change, scenario.staff, Signature.Role.PROVIDER)
    application.refresh_from_db()
    return application


def reason_for(application):
    return f"惠民殡葬减免退款（决定 {application.number}）"


def refunds(intent, status=Refund.Status.SUCCEEDED):
    return [r.amount for r in Refund.objects.filter(intent=intent, status=status).order_by("created_at")]


def warnings_logged(caplog):
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def test_b1_a_waiver_refund_takes_the_newest_payment_first_up_to_what_each_can_refund(
    sandbox_server, client, gateway_fault
):
    scenario, older = paid_order(client)
    newer = urn_paid_for_separately(scenario, client)  # 600.00: less than the 620.00 due
    assert older.created_at < newer.created_at
    # Signed while the gateway refuses refunds: the hook's attempt fails and counts for nothing.
    gateway_fault[REFUND] = system_error()
    application = sign_waiver(scenario, approved_waiver(scenario))
    [refused] = Refund.objects.filter(status=Refund.Status.FAILED)
    assert (refused.intent_id, refused.amount) == (newer.pk, URN)
    assert waivers.refund_due(application) == WAIVED
    del gateway_fault[REFUND]

    officer = bureau_officer()
    made = waivers.settle_refund(application, user=officer)
    reason = reason_for(application)
    assert [(r.intent_id, r.amount, r.reason, r.created_by, r.status) for r in made] == [
        (newer.pk, money("600.00"), reason, officer, Refund.Status.SUCCEEDED),
        (older.pk, money("20.00"), reason, officer, Refund.Status.SUCCEEDED),
    ]
    assert (trade_of(newer).refunded_total, trade_of(older).refunded_total) == (URN, money("20.00"))
    assert sorted(
        WaiverRefund.objects.filter(application=application).values_list("refund_id", flat=True)
    ) == sorted([refused.pk] + [r.pk for r in made])
    # Once: nothing more is due, nothing more is asked of the gateway.
    assert waivers.refund_due(application) == Decimal("0.00")
    assert waivers.settle_refund(application) == []
    assert waivers.retry_all() == (0, 0)
    assert (refunds(newer), refunds(older)) == ([URN], [money("20.00")])
    assert Refund.objects.count() == 3
    assert (trade_of(newer).refunded_total, trade_of(older).refunded_total) == (URN, money("20.00"))


def test_b1_a_payment_with_nothing_left_to_refund_is_skipped(sandbox_server, client):
    scenario, full = paid_order(client)
    spent = urn_paid_for_separately(scenario, client)
    # The urn is taken off again and its 600.00 refunded in full: the newer payment has nothing left.
    urn = items(scenario.provider)["骨灰盒"]
    signed_change(scenario, removals={urn.pk: 1}, reason="家属退回加购的骨灰盒")
    payment_services.create_refund(spent, URN, "退回加购骨灰盒的款项", user=scenario.staff)
    assert payment_services.refundable_amount(PaymentIntent.objects.with_balances().get(pk=spent.pk)) == 0
    assert order_services.paid_total(scenario.refresh()) == money("1320.00")

    application = sign_waiver(scenario, approved_waiver(scenario))  # the hook refunds

    [refund] = Refund.objects.filter(reason=reason_for(application))
    assert (refund.intent_id, refund.amount, refund.status) == (full.pk, WAIVED, Refund.Status.SUCCEEDED)
    assert WaiverRefund.objects.get(application=application).refund == refund
    # The spent payment was passed over: nothing more was asked of the gateway for it.
    assert refunds(spent) == [URN] and trade_of(spent).refunded_total == URN
    assert trade_of(full).refunded_total == WAIVED
    assert Refund.objects.count() == 2


def test_b1_a_failed_waiver_refund_is_tied_to_the_application_logged_and_tried_again_later(
    sandbox_server, client, gateway_fault, caplog
):
    scenario, intent = paid_order(client)
    gateway_fault[REFUND] = system_error()
    application = sign_waiver(scenario, approved_waiver(scenario))  # the hook's attempt fails
    failed_message = f"the waiver refund of {application.number} failed; the daily run tries again"
    [failed] = Refund.objects.filter(intent=intent)
    assert (failed.status, failed.amount, failed.reason) == (
        Refund.Status.FAILED,
        WAIVED,
        reason_for(application),
    )
    assert WaiverRefund.objects.get(application=application).refund == failed
    assert warnings_logged(caplog) == [failed_message]
    # Asked again while the gateway still refuses: nothing made, the new failure tied too.
    assert waivers.settle_refund(application) == []
    again = Refund.objects.filter(intent=intent).exclude(pk=failed.pk).get()
    assert again.status == Refund.Status.FAILED
    assert sorted(
        WaiverRefund.objects.filter(application=application).values_list("refund_id", flat=True)
    ) == [
        failed.pk,
        again.pk,
    ]
    assert warnings_logged(caplog) == [failed_message, failed_message]
    assert trade_of(intent).refunded_total == Decimal("0.00")

    # A failed refund does not count: the daily run tries again and now succeeds, once.
    del gateway_fault[REFUND]
    assert waivers.refund_due(application) == WAIVED
    assert waivers.retry_all() == (0, 1)
    assert waivers.retry_all() == (0, 0)
    assert WaiverRefund.objects.filter(application=application).count() == 3
    assert refunds(intent) == [WAIVED]
    assert trade_of(intent).refunded_total == WAIVED
    assert warnings_logged(caplog) == [failed_message, failed_message]


def test_b1_signing_the_waiver_s_change_order_refunds_at_once_and_a_crash_is_logged(
    sandbox_server, client, caplog, monkeypatch
):
    scenario, intent = paid_order(client)
    application = approved_waiver(scenario)
    sign_as(application.waiver_change, scenario.family, Signature.Role.FAMILY)
    assert not Refund.objects.exists()  # nothing moves before both sides sign
    sign_as(application.waiver_change, scenario.staff, Signature.Role.PROVIDER)
    [refund] = Refund.objects.filter(intent=intent)
    assert (refund.amount, refund.status) == (WAIVED, Refund.Status.SUCCEEDED)
    assert WaiverRefund.objects.get(application=application).refund == refund
    assert trade_of(intent).refunded_total == WAIVED
    assert warnings_logged(caplog) == []
    # A change order that carries no waiver: nothing to do.
    assert waivers.on_change_signed(0) is None

    def crash(application, **kwargs):
        raise RuntimeError("down")

    monkeypatch.setattr(waivers, "settle_refund", crash)
    waivers.on_change_signed(application.waiver_change_id)
    [record] = [r for r in caplog.records if r.name == LOGGER]
    assert record.getMessage() == f"the waiver refund of {application.number} could not be made"
    assert record.exc_info is not None
    assert Refund.objects.count() == 1


def test_b1_the_daily_run_counts_the_refunds_of_every_waiver_it_settles(
    sandbox_server, client, gateway_fault
):
    intents = []
    gateway_fault[REFUND] = system_error()  # the hooks' attempts fail: the daily run settles both
    for code in ("first-waiver", "second-waiver"):
        scenario, intent = paid_order(client)
        sign_waiver(scenario, approved_waiver(scenario, code=code))
        intents.append(intent)
    assert [refunds(intent, Refund.Status.FAILED) for intent in intents] == [[WAIVED], [WAIVED]]
    del gateway_fault[REFUND]
    assert waivers.retry_all() == (0, 2)
    assert [refunds(intent) for intent in intents] == [[WAIVED], [WAIVED]]
    assert [trade_of(intent).refunded_total for intent in intents] == [WAIVED, WAIVED]
    assert waivers.retry_all() == (0, 0)


def test_b1_a_refund_being_settled_elsewhere_is_not_made_again_and_the_next_run_makes_it(
    sandbox_server, client
):
    """One settling at a time per application (a lock in the shared cache, no transaction open
    while the gateway is asked): a second caller meanwhile refunds nothing; the daily run then
    refunds what is left, once, and leaves the lock free."""
    scenario, intent = paid_order(client)
    application = approved_waiver(scenario)
    lock = waivers.refund_lock_key(application)
    assert cache.add(lock, True, 60)  # another node is settling this refund
    application = sign_waiver(scenario, application)  # the commit hook's settling meets the lock
    assert not Refund.objects.exists()
    assert waivers.settle_refund(application) == []
    cache.delete(lock)  # the other node is done (here: it made nothing)
    assert waivers.retry_all() == (0, 1)
    assert refunds(intent) == [WAIVED]
    assert cache.get(lock) is None
    assert waivers.retry_all() == (0, 0)
    assert trade_of(intent).refunded_total == WAIVED
