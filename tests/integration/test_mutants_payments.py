"""What the mutation run of ``payments.services`` showed no test pinned (issue 24, point 5):
the periodic reconciliation (which intents it looks at, what it closes and why, that one
gateway error does not stop it, what its summary counts) and the audit trail of a trade the
gateway refuses to open. Each test is named after the behaviour it guards; the mutants it
kills are listed in docs/testing.md.

The local gateway simulator over HTTP with real RSA2 signatures both ways. Where a test needs
the gateway to fail on one call only (it answers a query but not a close), the simulator is
told to answer that API method with Alipay's system error, as the existing tests tell it to
sign with a foreign key; everything on the platform's side runs for real.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import ModelLogEntry

from core.statemachine import TRANSITION_ACTION
from payments import services
from payments import signals as payments_signals
from payments.models import PaymentIntent, Refund, Transaction
from payments.providers import ProviderError, get_provider
from payments.sandbox import gateway
from payments.sandbox.models import SandboxTrade
from tests.factories import payments as payment_fixtures
from tests.factories.accounts import UserFactory
from tests.factories.payments import SANDBOX, make_intent

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server

pytestmark = pytest.mark.django_db(transaction=True)

UNREACHABLE = "http://127.0.0.1:9"  # nothing listens there
Status = PaymentIntent.Status
Summary = services.ReconcileSummary


# --- helpers ------------------------------------------------------------------------------------


def opened(amount):
    """An intent whose trade is open at the gateway (QR precreate), waiting for the buyer."""
    intent = make_intent(amount)
    services.start_checkout(intent, "qr")
    return PaymentIntent.objects.get(pk=intent.pk)


def trade_of(intent):
    return SandboxTrade.objects.get(out_trade_no=intent.out_trade_no)


def status_of(intent):
    return PaymentIntent.objects.get(pk=intent.pk).status


def balances(intent):
    return PaymentIntent.objects.with_balances().get(pk=intent.pk)


def last_touched(when, *intents):
    PaymentIntent.objects.filter(pk__in=[i.pk for i in intents]).update(updated_at=when)


def transitions(intent, to):
    """The audit-trail entries (Reports → Site history) that moved ``intent`` to ``to``."""
    return list(
        ModelLogEntry.objects.filter(
            action=TRANSITION_ACTION,
            content_type=ContentType.objects.get_for_model(PaymentIntent),
            object_id=str(intent.pk),
            data__to=to,
        )
    )


def cancel_reasons(intent):
    return [entry.data["reason"] for entry in transitions(intent, "canceled")]


def withdraw_while_the_gateway_is_down(intent, settings, reason="家属取消订单"):
    """The payer called the intent off (as ``close_open_intents`` does when an order is
    cancelled) while the gateway could not be reached: the refusal is recorded, the trade
    is still open, and closing it is left to the reconciliation."""
    live, settings.PAYMENTS_SITE_URL = settings.PAYMENTS_SITE_URL, UNREACHABLE
    try:
        with pytest.raises(ProviderError):
            services.close_intent(intent, reason="withdrawn", refuse=reason)
    finally:
        settings.PAYMENTS_SITE_URL = live
    intent = PaymentIntent.objects.get(pk=intent.pk)
    assert intent.status == Status.PROCESSING and intent.refused_reason == reason
    return intent


def system_error():
    """Alipay's answer when it cannot serve the call right now (code 20000)."""
    return gateway.GatewayError("20000", "Service Currently Unavailable", "ACQ.SYSTEM_ERROR", "系统繁忙")


@pytest.fixture
def gateway_fault(monkeypatch):
    """``faults[method] = error``: from then on the simulator answers that API method with
    ``error`` (signed, as it answers every call); ``del faults[method]`` and it serves it again.
    ``faults[method] = callable``: the callable runs first (something happens at the gateway
    just before the call reaches it), then the call is answered as usual."""
    faults = {}
    real = gateway.api

    def api(method, app_id, biz, params):
        fault = faults.get(method)
        if isinstance(fault, Exception):
            raise fault
        if fault is not None:
            fault()
        return real(method, app_id, biz, params)

    monkeypatch.setattr(gateway, "api", api)
    return faults


# --- which intents the reconciliation looks at ------------------------------------------------


def test_reconcile_by_default_checks_intents_idle_for_the_configured_minutes(sandbox_server, settings):
    """Only processing intents untouched for ``PAYMENTS_RECONCILE_AFTER_MINUTES`` (the limit
    included) are asked about; paid, cancelled and unopened ones are not."""
    settings.PAYMENTS_RECONCILE_AFTER_MINUTES = 20
    long_idle, idle_exactly, recent = opened("11.00"), opened("12.00"), opened("13.00")
    for intent in (long_idle, idle_exactly, recent):
        gateway.pay(trade_of(intent))  # paid at the gateway; the notification never arrived
    already_paid = opened("14.00")
    gateway.pay(trade_of(already_paid))
    assert services.sync_intent(already_paid) == "paid"
    cancelled = opened("15.00")
    assert services.close_intent(cancelled, reason="buyer left") is True
    unopened = make_intent("16.00")  # still within its time
    now = timezone.now()
    last_touched(now - timedelta(minutes=25), long_idle, already_paid, cancelled, unopened)
    last_touched(now - timedelta(minutes=20), idle_exactly)
    last_touched(now - timedelta(minutes=19), recent)

    summary = services.reconcile(now=now)

    assert summary == Summary(checked=2, succeeded=2)
    assert status_of(long_idle) == status_of(idle_exactly) == Status.SUCCEEDED
    assert status_of(recent) == Status.PROCESSING
    assert (status_of(already_paid), status_of(cancelled), status_of(unopened)) == (
        Status.SUCCEEDED,
        Status.CANCELED,
        Status.REQUIRES_PAYMENT,
    )


def test_reconcile_goes_on_after_a_gateway_error_on_one_intent(sandbox_server):
    """The first intent's query reports another amount (refused, reported); the next intent
    is still settled in the same run."""
    disputed = opened("100.00")
    SandboxTrade.objects.filter(out_trade_no=disputed.out_trade_no).update(total_amount=Decimal("1.00"))
    gateway.pay(trade_of(disputed))
    paid = opened("20.00")
    gateway.pay(trade_of(paid))
    assert disputed.pk < paid.pk  # the reconciliation goes in pk order: the error comes first

    summary = services.reconcile(older_than=timedelta(0))

    assert (summary.checked, summary.succeeded) == (2, 1)
    [error] = summary.errors
    assert error.startswith(f"{disputed.public_id}: ") and "1.00" in error and "100.00" in error
    assert status_of(disputed) == Status.PROCESSING and status_of(paid) == Status.SUCCEEDED


def test_reconcile_counts_each_intent_the_gateway_closed_and_each_still_open(sandbox_server):
    """Trades closed at the gateway (the close reached it, the platform never recorded it)
    are cancelled and counted as closed; trades still waiting for the buyer are counted as
    still processing, one each."""
    closed = [opened("21.00"), opened("22.00")]
    for intent in closed:
        assert get_provider(SANDBOX).close(intent) is True
    waiting = [opened("23.00"), opened("24.00")]

    summary = services.reconcile(older_than=timedelta(0))

    assert summary == Summary(checked=4, closed=2, still_processing=2)
    assert [status_of(i) for i in closed] == [Status.CANCELED] * 2
    assert [status_of(i) for i in waiting] == [Status.PROCESSING] * 2


# --- what it closes, and why -------------------------------------------------------------------


def test_reconcile_closes_withdrawn_intents_at_the_gateway_and_records_why(sandbox_server, settings):
    """An intent the payer withdrew while the gateway was down is closed at the gateway by the
    next run, before it expires, and the audit trail says it was withdrawn."""
    withdrawn = [
        withdraw_while_the_gateway_is_down(opened(amount), settings) for amount in ("31.00", "32.00")
    ]

    summary = services.reconcile(older_than=timedelta(0))

    assert summary == Summary(checked=2, withdrawn=2)
    for intent in withdrawn:
        assert status_of(intent) == Status.CANCELED
        assert trade_of(intent).status == SandboxTrade.Status.TRADE_CLOSED
        assert cancel_reasons(intent) == ["withdrawn"]


def test_an_intent_expiring_exactly_now_is_closed(sandbox_server):
    """Expiry includes its own instant, for an intent open at the gateway and for one never
    opened; a microsecond later is not expired yet. The audit trail says "expired"."""
    opened_due, opened_later = opened("41.00"), opened("42.00")
    unopened_due, unopened_later = make_intent("43.00"), make_intent("44.00")
    now = timezone.now()
    PaymentIntent.objects.filter(pk__in=[opened_due.pk, unopened_due.pk]).update(expires_at=now)
    PaymentIntent.objects.filter(pk__in=[opened_later.pk, unopened_later.pk]).update(
        expires_at=now + timedelta(microseconds=1)
    )

    summary = services.reconcile(older_than=timedelta(0), now=now)

    assert summary == Summary(checked=2, expired=2, still_processing=1)
    assert status_of(opened_due) == status_of(unopened_due) == Status.CANCELED
    assert trade_of(opened_due).status == SandboxTrade.Status.TRADE_CLOSED
    assert cancel_reasons(opened_due) == cancel_reasons(unopened_due) == ["expired"]
    assert status_of(opened_later) == Status.PROCESSING and trade_of(opened_later).status == "WAIT_BUYER_PAY"
    assert status_of(unopened_later) == Status.REQUIRES_PAYMENT


def test_an_intent_the_gateway_could_not_close_stays_open_and_is_reported(
    sandbox_server, settings, gateway_fault
):
    """The gateway answers queries but refuses to close: a withdrawn and an expired intent are
    each reported by id with the gateway's error, and neither is cancelled behind the
    gateway's back (its trade could still be paid). The next run, with the gateway back,
    closes both."""
    withdrawn = withdraw_while_the_gateway_is_down(opened("51.00"), settings)
    expired = opened("52.00")
    now = timezone.now()
    PaymentIntent.objects.filter(pk=expired.pk).update(expires_at=now)
    gateway_fault["alipay.trade.close"] = system_error()

    summary = services.reconcile(older_than=timedelta(0), now=now)

    assert (summary.checked, summary.withdrawn, summary.expired, summary.still_processing) == (2, 0, 0, 0)
    assert [error.split(": ", 1)[0] for error in summary.errors] == [withdrawn.public_id, expired.public_id]
    assert all("ACQ.SYSTEM_ERROR" in error for error in summary.errors)
    for intent in (withdrawn, expired):
        assert status_of(intent) == Status.PROCESSING
        assert trade_of(intent).status == SandboxTrade.Status.WAIT_BUYER_PAY

    del gateway_fault["alipay.trade.close"]
    assert services.reconcile(older_than=timedelta(0), now=now) == Summary(checked=2, withdrawn=1, expired=1)
    assert cancel_reasons(withdrawn) == ["withdrawn"] and cancel_reasons(expired) == ["expired"]


# --- money that arrived for something no longer paid for -------------------------------------


def test_reconcile_refunds_money_that_reached_withdrawn_intents_once_the_gateway_takes_refunds(
    sandbox_server, settings, gateway_fault
):
    """The buyers paid intents they had withdrawn, and the gateway refused the automatic
    refund at the time. The next run refunds each in full and counts each once; a payment
    nobody refused is left alone, and a later run has nothing more to do."""
    refused = [withdraw_while_the_gateway_is_down(opened(amount), settings) for amount in ("61.00", "62.00")]
    kept = opened("63.00")
    gateway_fault["alipay.trade.refund"] = system_error()
    for intent in (*refused, kept):
        gateway.pay(trade_of(intent))
        assert services.sync_intent(intent) == "paid"  # recorded; the refund is refused
    for intent in refused:
        assert balances(intent).amount_refunded == Decimal("0.00")
        assert Refund.objects.get(intent=intent).status == Refund.Status.FAILED
    del gateway_fault["alipay.trade.refund"]

    summary = services.reconcile(older_than=timedelta(0))

    assert summary == Summary(refunded=2)
    for intent in refused:
        assert balances(intent).amount_refunded == intent.amount == trade_of(intent).refunded_total
    assert (
        balances(kept).amount_refunded == Decimal("0.00") and not Refund.objects.filter(intent=kept).exists()
    )
    assert services.reconcile(older_than=timedelta(0)) == Summary()


# --- a trade the gateway refuses to open ----------------------------------------------------


def conflicting_trade(intent, total_amount):
    """The gateway already holds a trade under this intent's out_trade_no."""
    return SandboxTrade.objects.create(
        app_id=django_settings.PAYMENTS_SANDBOX_APP_ID,
        out_trade_no=intent.out_trade_no,
        method="alipay.trade.precreate",
        subject=intent.description,
        total_amount=total_amount,
    )


def test_a_trade_the_gateway_refuses_to_open_is_failed_in_the_payers_name_with_the_gateways_codes(
    sandbox_server,
):
    payer = UserFactory()
    intent = make_intent("77.00", user=payer)
    conflicting_trade(intent, Decimal("7.70"))
    with pytest.raises(services.PaymentError, match="ACQ.CONTEXT_INCONSISTENT"):
        services.start_checkout(intent, "qr", user=payer)
    [failed] = transitions(intent, "failed")
    assert failed.user_id == payer.pk
    assert failed.data["reason"] == "40004 ACQ.CONTEXT_INCONSISTENT"


def test_a_trade_found_already_paid_at_checkout_is_settled_in_the_payers_name(sandbox_server):
    payer = UserFactory()
    intent = make_intent("33.00", user=payer)
    gateway.pay(conflicting_trade(intent, intent.amount))
    with pytest.raises(services.PaymentError, match="ACQ.TRADE_HAS_SUCCESS"):
        services.start_checkout(intent, "qr", user=payer)
    [succeeded] = transitions(intent, "succeeded")
    assert succeeded.user_id == payer.pk and succeeded.data["reason"] == "query"


def test_an_overlong_refusal_code_is_cut_to_200_characters_in_the_audit_trail(sandbox_server, gateway_fault):
    intent = make_intent("88.00")
    sub_code = "ACQ." + "X" * 300
    gateway_fault["alipay.trade.precreate"] = gateway.business(sub_code, "交易信息被篡改")
    with pytest.raises(services.PaymentError):
        services.start_checkout(intent, "qr")
    assert status_of(intent) == Status.FAILED
    [failed] = transitions(intent, "failed")
    assert failed.data["reason"] == f"40004 {sub_code}"[:200]


# --- closing and withdrawing intents (syncing.close_intent, close_open_intents) -----------------


@pytest.fixture
def project(payments_setup):
    """Something paid for: a fundraising charity project (still takes gifts)."""
    from orgs.charity.models import ProjectStatus
    from tests.factories.charity import CharityProjectFactory

    return CharityProjectFactory(status=ProjectStatus.FUNDRAISING)


def test_withdrawing_what_an_intent_pays_for_closes_each_open_intent_in_the_callers_name(
    sandbox_server, project, gateway_fault, caplog
):
    """Every open intent of the withdrawn payable is closed at the gateway, cancelled as
    withdrawn in the name of whoever withdrew it, and marked with why. One the gateway
    could not close is handed back to the caller and logged with its id and the error."""
    officer = UserFactory()
    intents = [opened_for(project, amount) for amount in ("71.00", "72.00")]

    assert services.close_open_intents(project, reason="项目已撤回", user=officer) == []

    for intent in intents:
        assert status_of(intent) == Status.CANCELED
        assert PaymentIntent.objects.get(pk=intent.pk).refused_reason == "项目已撤回"
        assert trade_of(intent).status == SandboxTrade.Status.TRADE_CLOSED
        [cancelled] = transitions(intent, "canceled")
        assert cancelled.user_id == officer.pk and cancelled.data["reason"] == "withdrawn"

    stuck = opened_for(project, "73.00")
    gateway_fault["alipay.trade.close"] = system_error()
    with caplog.at_level("WARNING", logger="payments"):
        failed = services.close_open_intents(project, reason="项目已撤回", user=officer)
    assert [intent.pk for intent in failed] == [stuck.pk]
    assert status_of(stuck) == Status.PROCESSING
    warnings = [r.getMessage() for r in caplog.records if r.name == "payments" and r.levelname == "WARNING"]
    assert any(
        message.startswith(f"closing {stuck.public_id} failed: alipay.trade.close: 20000")
        and "ACQ.SYSTEM_ERROR" in message
        for message in warnings
    ), warnings


def opened_for(payable, amount):
    intent = make_intent(amount, payable=payable)
    services.start_checkout(intent, "qr")
    return PaymentIntent.objects.get(pk=intent.pk)


def test_an_intent_closed_without_a_reason_is_recorded_as_expired_and_not_refused(sandbox_server):
    """``close_intent``'s defaults: the audit trail says "expired", and nothing marks a later
    payment for refund (an intent that merely expired was not called off)."""
    intent = opened("81.00")
    assert services.close_intent(intent) is True
    assert cancel_reasons(intent) == ["expired"]
    assert PaymentIntent.objects.get(pk=intent.pk).refused_reason == ""


def test_withdrawing_an_intent_already_paid_leaves_its_payment_alone(sandbox_server):
    """The payment went through before the payer called it off: ``close_intent`` answers
    False (charity tells the donor the gift stands) and does not mark it for refund."""
    intent = opened("82.00")
    gateway.pay(trade_of(intent))
    assert services.sync_intent(intent) == "paid"

    assert services.close_intent(intent, reason="withdrawn", refuse="捐赠人已取消这笔捐赠") is False

    intent = balances(intent)
    assert intent.status == Status.SUCCEEDED and intent.refused_reason == ""
    assert intent.amount_refunded == Decimal("0.00") and not Refund.objects.filter(intent=intent).exists()
    assert transitions(intent, "canceled") == []
    assert services.reconcile(older_than=timedelta(0)) == Summary()


def test_a_refusal_reason_is_kept_to_the_300_characters_its_column_holds(sandbox_server):
    intent = opened("83.00")
    reason = "订单已取消" * 80  # 400 characters
    assert services.close_intent(intent, reason="withdrawn", refuse=reason) is True
    assert PaymentIntent.objects.get(pk=intent.pk).refused_reason == reason[:300]


def test_an_intent_is_closed_through_the_provider_it_was_opened_with(sandbox_server, settings):
    """The deployment switches its default provider (sandbox to the live gateway): an intent
    opened before is still closed at the gateway that holds its trade."""
    intent = opened("84.00")
    settings.PAYMENTS_DEFAULT_VARIANT = "alipay"
    assert services.close_intent(intent, reason="buyer left") is True
    assert trade_of(intent).status == SandboxTrade.Status.TRADE_CLOSED
    assert status_of(intent) == Status.CANCELED


def test_a_payment_found_while_withdrawing_is_recorded_in_the_callers_name_and_refunded(sandbox_server):
    donor = UserFactory()
    intent = opened("85.00")
    gateway.pay(trade_of(intent))  # paid; the notification never arrived
    assert (
        services.close_intent(intent, user=donor, reason="withdrawn", refuse="捐赠人已取消这笔捐赠") is False
    )
    [succeeded] = transitions(intent, "succeeded")
    assert succeeded.user_id == donor.pk and succeeded.data["reason"] == "query"
    assert balances(intent).amount_refunded == intent.amount


def test_a_payment_landing_while_the_trade_is_being_closed_is_recorded_in_the_callers_name_and_refunded(
    sandbox_server, gateway_fault
):
    """The buyer pays between the platform's query and its close: the gateway refuses the close
    (the trade is paid), the platform asks again, records the payment in the name of whoever
    was withdrawing, answers False, and gives the money back."""
    donor = UserFactory()
    intent = opened("88.50")
    gateway_fault["alipay.trade.close"] = lambda: gateway.pay(trade_of(intent))

    assert (
        services.close_intent(intent, user=donor, reason="withdrawn", refuse="捐赠人已取消这笔捐赠") is False
    )

    assert status_of(intent) == Status.SUCCEEDED and transitions(intent, "canceled") == []
    [succeeded] = transitions(intent, "succeeded")
    assert succeeded.user_id == donor.pk and succeeded.data["reason"] == "query"
    assert balances(intent).amount_refunded == intent.amount == trade_of(intent).refunded_total


def test_withdrawing_an_intent_whose_trade_the_gateway_already_closed_records_the_gateways_close(
    sandbox_server,
):
    """The gateway closed the trade itself (its time_expire passed): the platform asks first,
    and the audit trail says the query found it closed."""
    intent = opened("86.00")
    SandboxTrade.objects.filter(out_trade_no=intent.out_trade_no).update(
        time_expire=timezone.now() - timedelta(seconds=1)
    )
    services.close_intent(intent, reason="withdrawn", refuse="捐赠人已取消这笔捐赠")
    assert status_of(intent) == Status.CANCELED
    assert cancel_reasons(intent) == ["query"]


def test_withdrawing_an_intent_whose_trade_the_gateway_already_closed_answers_cancelled(sandbox_server):
    """Found by the mutation run: close_intent answered False for an intent its own query had
    just cancelled, and charity.cancel_gift then told the donor the gift was already paid."""
    intent = opened("87.00")
    SandboxTrade.objects.filter(out_trade_no=intent.out_trade_no).update(
        time_expire=timezone.now() - timedelta(seconds=1)
    )
    assert services.close_intent(intent, reason="withdrawn", refuse="捐赠人已取消这笔捐赠") is True


# --- refunds the platform refuses before asking the gateway (refunds.create_refund) -------------


def test_a_refund_the_rules_refuse_is_refused_with_its_own_message_before_the_gateway_is_asked(
    sandbox_server,
):
    """Zero or less, no reason, an intent not paid, more than is left: each refusal says which
    rule refused it, and nothing is recorded or sent to the gateway."""
    paid = opened("100.00")
    gateway.pay(trade_of(paid))
    assert services.sync_intent(paid) == "paid"
    unpaid = opened("50.00")

    def refusal(intent, amount, reason="家属申请退款"):
        with pytest.raises(services.PaymentError) as refused:
            services.create_refund(intent, Decimal(amount), reason)
        return str(refused.value)

    assert refusal(paid, "0.00") == refusal(paid, "-1.00") == "退款金额必须大于零。"
    assert refusal(paid, "10.00", reason="   ") == "请填写退款原因。"
    assert refusal(unpaid, "10.00") == "只有已支付的支付单可以退款。"
    assert refusal(paid, "100.01") == "退款金额 ¥100.01 超过可退金额 ¥100.00。"
    assert not Refund.objects.exists()
    assert trade_of(paid).refunded_total == Decimal("0.00")


def test_a_refund_is_audited_with_who_asked_how_much_and_why_and_a_refused_one_with_the_gateways_error(
    sandbox_server, settings, gateway_fault, caplog
):
    """The intent's history records each refund request (who, which refund, how much, why),
    sent to the gateway that took the payment even after the default provider changed. A
    refund the gateway refuses is failed in the requester's name with the gateway's error,
    cut to the columns that hold it (500 characters stored, 200 in the audit trail)."""
    officer = UserFactory()
    intent = opened("100.00")
    gateway.pay(trade_of(intent))
    assert services.sync_intent(intent) == "paid"
    settings.PAYMENTS_DEFAULT_VARIANT = "alipay"

    reason = "家属申请部分退款，" * 25  # 225 characters
    heard = []
    payments_signals.refund_succeeded.connect(
        lambda **kw: heard.append(kw["refund"].pk), sender=Refund, weak=False, dispatch_uid="c-refund"
    )
    try:
        refund = services.create_refund(intent, Decimal("30.00"), reason, user=officer)
    finally:
        payments_signals.refund_succeeded.disconnect(sender=Refund, dispatch_uid="c-refund")

    assert refund.status == Refund.Status.SUCCEEDED and trade_of(intent).refunded_total == Decimal("30.00")
    assert heard == [refund.pk]  # refund_succeeded is sent with sender=Refund, as documented
    [done] = ModelLogEntry.objects.filter(
        action=TRANSITION_ACTION,
        content_type=ContentType.objects.get_for_model(Refund),
        object_id=str(refund.pk),
        data__to="succeeded",
    )
    assert done.user_id == officer.pk and done.data["reason"] == reason[:200]
    [requested] = ModelLogEntry.objects.filter(
        action="payments.refund_requested",
        content_type=ContentType.objects.get_for_model(PaymentIntent),
        object_id=str(intent.pk),
    )
    assert requested.user_id == officer.pk
    assert requested.data == {"refund": refund.public_id, "amount": "30.00", "reason": reason}
    ledger = Transaction.objects.get(intent=intent, kind=Transaction.Kind.REFUND)
    assert ledger.refund_id == refund.pk and ledger.amount == Decimal("30.00") and ledger.source == "refund"
    assert Refund.objects.get(pk=refund.pk).provider_refund_id == ledger.provider_reference
    assert (
        ledger.provider_reference
        == refund.provider_refund_id
        == f"{trade_of(intent).trade_no}:{refund.out_request_no}"
    )

    sub_msg = "渠道维护中" * 120  # 600 characters
    gateway_fault["alipay.trade.refund"] = gateway.GatewayError(
        "20000", "Service Currently Unavailable", "ACQ.SYSTEM_ERROR", sub_msg
    )
    with caplog.at_level("WARNING", logger="payments"), pytest.raises(services.PaymentError) as refused:
        services.create_refund(intent, Decimal("20.00"), "家属再次申请退款", user=officer)
    error = f"alipay.trade.refund: 20000 Service Currently Unavailable ACQ.SYSTEM_ERROR {sub_msg}"
    assert str(refused.value) == f"退款未被支付渠道受理：{error}"
    failed = Refund.objects.get(intent=intent, status=Refund.Status.FAILED)
    assert f"refund {failed.public_id} failed: {error}" in [r.getMessage() for r in caplog.records]
    assert failed.failure_message == error[:500]
    [entry] = ModelLogEntry.objects.filter(
        action=TRANSITION_ACTION,
        content_type=ContentType.objects.get_for_model(Refund),
        object_id=str(failed.pk),
        data__to="failed",
    )
    assert entry.user_id == officer.pk and entry.data["reason"] == error[:200]
