"""Issue 23, points 3, 4 and 7: one admin page per order and per payment, search by the keys an
officer types, "查询渠道" and the bureau's reconciliation against the gateway simulator (real
RSA2 signatures over HTTP), exports with Chinese headings, and the confirmation before the only
live contract template is unpublished."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts.groups import FUNERAL_SECTION, SOCIAL_ORG_SECTION
from marketplace.catalogue.models import ServiceItem
from marketplace.orders import services as order_services
from marketplace.orders.models import ContractTemplate, Order, OrderPayment, OrderStatus
from payments import services as payment_services
from payments.models import PaymentIntent, ReconciliationItem, ReconciliationRun, Transaction
from payments.sandbox import gateway
from payments.sandbox.models import SandboxTrade
from tests.factories import payments as payment_fixtures
from tests.factories.accounts import UserFactory
from tests.factories.orders import Scenario
from tests.factories.payments import Buyer, make_intent

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server


def officer(group_name):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def staff(*perms):
    """An admin user with exactly these ``app_label.codename`` permissions (no group)."""
    user = UserFactory()
    for perm in ("wagtailadmin.access_admin", *perms):
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def main_content(response):
    """The page's own sections (the admin's chrome around them is Wagtail's)."""
    html = response.content.decode()
    return html[html.index("<section") : html.rindex("</section>")]


def csv_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def full_order(payments_setup):
    """An order with a sealed contract, a withdrawn change order, a payment intent, a paid
    ledger row and a certificate."""
    scenario = Scenario()
    scenario.advance("paid")
    order = scenario.refresh()
    extra = ServiceItem.objects.filter(provider=scenario.provider, is_active=True).first()
    change = order_services.propose_change(
        order, scenario.staff, additions={extra.pk: 1}, removals={}, reason="家属要求加一项"
    )
    order_services.withdraw_change(change, scenario.staff, reason="家属改主意")
    intent = make_intent("10.00", payable=order, description="殡葬服务合同 付款")
    scenario.advance("completed")
    return scenario, scenario.refresh(), intent


# --- One page per order ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_order_page_shows_every_part_in_beijing_time_and_never_none(client, payments_setup):
    scenario, order, intent = full_order(payments_setup)
    client.force_login(officer(FUNERAL_SECTION))
    response = client.get(reverse("orders_admin:inspect", args=[order.pk]))
    assert response.status_code == 200
    html = main_content(response)
    contract = order.contract
    certificate = order.certificates.get()
    # The parties and the deceased, the ID only masked.
    assert order.deceased_name in html and order.deceased_id_masked in html
    assert order.deceased_id_hmac not in html
    assert order.contact_name in html and scenario.provider.name in html
    # The contract with its checked download, the lines, the change order and the certificate.
    download = reverse("orders_admin_sealed_contract", args=[order.pk])
    assert contract.number in html and download in html
    assert order.lines.first().name in html
    assert f"{order.reference}-B1" in html and "家属要求加一项" in html and "机构已撤回" in html
    assert certificate.number in html and certificate.document.code in html
    # Payments link to their payment pages.
    assert reverse("payment_intents:inspect", args=[intent.pk]) in html
    assert OrderPayment.objects.filter(order=order).get().reference in html
    # The audit timeline: the order's and its contract's and change order's entries, in words.
    timeline = html[html.index('id="timeline"') :]
    assert "提交订单" in timeline and "加盖电子印章" in timeline and "出具电子证明" in timeline
    assert "合同 " + contract.number in timeline and "机构已撤回" in timeline
    # In Beijing time: the submission time as the wall clock in Shanghai.
    assert timezone.localtime(order.submitted_at).strftime("%Y-%m-%d %H:%M") in html
    assert "None" not in html and "Content type" not in html


@pytest.mark.django_db
def test_the_order_page_is_the_first_page_a_fresh_process_serves(client, payments_setup, monkeypatch):
    """The timeline's action labels don't depend on another page having read the registered
    log actions first (a fresh process answered 500 on its first order page)."""
    from wagtail.log_actions import LogActionRegistry

    _scenario, order, _intent = full_order(payments_setup)
    monkeypatch.setattr("marketplace.orders.admin_views.log_action_registry", LogActionRegistry())
    client.force_login(officer(FUNERAL_SECTION))
    response = client.get(reverse("orders_admin:inspect", args=[order.pk]))
    assert response.status_code == 200
    assert "提交订单" in main_content(response)


@pytest.mark.django_db
def test_the_sealed_contract_downloads_only_after_its_hash_is_checked(client, payments_setup):
    from core.models import VerifiableDocument

    scenario, order, _intent = full_order(payments_setup)
    url = reverse("orders_admin_sealed_contract", args=[order.pk])
    client.force_login(officer(SOCIAL_ORG_SECTION))
    assert client.get(url).status_code in (302, 403)
    client.force_login(officer(FUNERAL_SECTION))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # Bytes that no longer match the recorded hash are not served.
    VerifiableDocument.objects.filter(pk=order.contract.sealed_document_id).update(sha256="0" * 64)
    assert client.get(url).status_code == 409


@pytest.mark.django_db
def test_the_order_page_costs_the_same_queries_however_much_the_order_holds(client, payments_setup):
    client.force_login(officer(FUNERAL_SECTION))
    small = Scenario().order
    _scenario, big, _intent = full_order(payments_setup)
    for _n in range(3):
        make_intent("1.00", payable=big)
    client.get(reverse("orders_admin:inspect", args=[small.pk]))  # warm the caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("orders_admin:inspect", args=[small.pk])).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("orders_admin:inspect", args=[big.pk])).status_code == 200
    assert len(many) <= len(few) + 2, [q["sql"] for q in many.captured_queries]


@pytest.mark.django_db
def test_order_page_query_ceiling(client, payments_setup, django_assert_max_num_queries):
    _scenario, order, _intent = full_order(payments_setup)
    client.force_login(officer(FUNERAL_SECTION))
    client.get(reverse("orders_admin:inspect", args=[order.pk]))
    with django_assert_max_num_queries(40):
        client.get(reverse("orders_admin:inspect", args=[order.pk]))


# --- Order search ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_orders_are_found_by_each_key_an_officer_types_and_a_strangers_key_finds_nothing(client):
    wanted = Scenario()
    wanted.advance("contract_issued")
    order = wanted.refresh()
    Order.objects.filter(pk=order.pk).update(deceased_name="欧阳秀英")
    other = Scenario(
        family=UserFactory(mobile="13911112222", real_name="李雷", real_name_verified_at=timezone.now())
    )
    other.advance("contract_issued")
    other_order = other.refresh()
    client.force_login(officer(FUNERAL_SECTION))
    index = reverse("orders_admin:index")
    mobile = order.user.mobile
    spaced = f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    for key in (order.reference, order.contract.number, "欧阳秀英", mobile, spaced, f"+86 {mobile}"):
        html = client.get(index, {"q": key}).content.decode()
        assert order.reference in html, key
        assert other_order.reference not in html, key
    stranger = client.get(index, {"q": "13800009999"}).content.decode()
    assert order.reference not in stranger and other_order.reference not in stranger
    # The contact's mobile on the order, when it differs from the account's, is found too.
    Order.objects.filter(pk=other_order.pk).update(contact_mobile="13566667777")
    html = client.get(index, {"q": "13566667777"}).content.decode()
    assert other_order.reference in html and order.reference not in html


@pytest.mark.django_db
def test_the_order_register_exports_with_chinese_headings(client):
    scenario = Scenario()
    scenario.advance("contract_issued")
    order = scenario.refresh()
    client.force_login(officer(FUNERAL_SECTION))
    response = client.get(reverse("orders_admin:index"), {"export": "csv"})
    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0][:3] == ["订单号", "合同编号", "服务机构"]
    row = next(r for r in rows if r[0] == order.reference)
    assert row[1] == order.contract.number and order.deceased_name in row
    assert row[3] == "合同待家属签署"  # the state in words, not its code
    xlsx = client.get(reverse("orders_admin:index"), {"export": "xlsx"})
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]


# --- One page per payment ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_payment_page_links_to_what_was_paid_for_and_is_found_by_its_ids(client, payments_setup):
    scenario = Scenario()
    scenario.advance("countersigned")
    order = scenario.refresh()
    intent = make_intent("66.00", payable=order)
    other = make_intent("77.00")
    PaymentIntent.objects.filter(pk=intent.pk).update(provider_trade_no="2026120522001400001234")
    PaymentIntent.objects.filter(pk=other.pk).update(provider_trade_no="2026120522001400009999")
    user = staff("payments.view_paymentintent", "orders.view_order")
    client.force_login(user)
    html = main_content(client.get(reverse("payment_intents:inspect", args=[intent.pk])))
    payable = html[html.index('id="payable"') :][:400]
    assert reverse("orders_admin:inspect", args=[order.pk]) in payable and order.reference in payable
    assert "Content type" not in html and "Object id" not in html and "None" not in html
    assert timezone.localtime(intent.created_at).strftime("%Y-%m-%d %H:%M") in html
    index = reverse("payment_intents:index")
    for key in (intent.public_id, "2026120522001400001234"):
        found = client.get(index, {"q": key}).content.decode()
        assert intent.public_id in found and other.public_id not in found
    # An officer who may not see orders gets the order's name without the link.
    client.force_login(staff("payments.view_paymentintent"))
    html = main_content(client.get(reverse("payment_intents:inspect", args=[intent.pk])))
    assert order.reference in html and reverse("orders_admin:inspect", args=[order.pk]) not in html


@pytest.mark.django_db
def test_payment_listings_export_with_chinese_headings(client, payments_setup):
    intent = make_intent("12.00", description='=HYPERLINK("http://evil")')
    client.force_login(
        staff("payments.view_paymentintent", "payments.view_refund", "payments.view_notificationevent")
    )
    rows = csv_rows(client.get(reverse("payment_intents:index"), {"export": "csv"}))
    assert rows[0][:4] == ["支付编号", "说明", "金额", "状态"]
    row = next(r for r in rows if r[0] == intent.public_id)
    assert not row[1].startswith("=")  # CSV injection guard
    assert csv_rows(client.get(reverse("payment_refunds:index"), {"export": "csv"}))[0][:2] == [
        "退款编号",
        "支付编号",
    ]
    assert csv_rows(client.get(reverse("payment_notifications:index"), {"export": "csv"}))[0][:2] == [
        "通知编号",
        "支付渠道配置",
    ]


# --- 查询渠道 and reconciliation against the simulator -----------------------------------------


def lost_notification_payment(payable=None, amount="88.00"):
    """Paid at the gateway, but the notification never arrived."""
    intent = make_intent(amount, payable=payable)
    Buyer().open(payment_services.start_checkout(intent, "pc").redirect_url)
    gateway.pay(SandboxTrade.objects.get(out_trade_no=intent.public_id))  # no delivery attempted
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.PROCESSING
    return intent


@pytest.mark.django_db(transaction=True)
def test_query_the_channel_settles_a_lost_notification_exactly_once(sandbox_server):
    scenario = Scenario()
    scenario.advance("countersigned")
    order = scenario.refresh()
    intent = lost_notification_payment(order, amount=str(order_services.balance_due(order)))
    user = staff("payments.view_paymentintent", "payments.query_paymentintent")
    client = Client()
    client.force_login(user)
    page = client.get(reverse("payment_intents:inspect", args=[intent.pk])).content.decode()
    url = reverse("payments_admin_query", args=[intent.pk])
    assert url in page
    assert "csrfmiddlewaretoken" in client.get(url).content.decode()  # GET only asks to confirm
    assert PaymentIntent.objects.get(pk=intent.pk).status == PaymentIntent.Status.PROCESSING

    done = client.post(url, follow=True)
    assert "渠道显示已支付，已入账" in done.content.decode()
    intent.refresh_from_db()
    assert intent.status == PaymentIntent.Status.SUCCEEDED
    assert Transaction.objects.filter(intent=intent, kind="charge").get().source == "query"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert OrderPayment.objects.filter(order=order, kind="charge").count() == 1
    entry = ModelLogEntry.objects.get(action="payments.channel_queried", object_id=str(intent.pk))
    assert entry.user_id == user.pk and entry.data["gateway_status"] == "paid" and entry.data["settled"]
    assert entry.data["from"] == "processing" and entry.data["to"] == "succeeded"

    again = client.post(url, follow=True).content.decode()
    assert "平台此前已入账" in again
    assert Transaction.objects.filter(intent=intent, kind="charge").count() == 1
    assert OrderPayment.objects.filter(order=order, kind="charge").count() == 1
    assert (
        ModelLogEntry.objects.filter(action="payments.channel_queried", object_id=str(intent.pk)).count() == 2
    )


@pytest.mark.django_db(transaction=True)
def test_query_the_channel_says_so_when_the_buyer_has_not_paid(sandbox_server):
    intent = make_intent("20.00")
    Buyer().open(payment_services.start_checkout(intent, "pc").redirect_url)
    client = Client()
    client.force_login(staff("payments.view_paymentintent", "payments.query_paymentintent"))
    done = client.post(reverse("payments_admin_query", args=[intent.pk]), follow=True).content.decode()
    assert "渠道显示未支付" in done
    assert PaymentIntent.objects.get(pk=intent.pk).status == PaymentIntent.Status.PROCESSING


@pytest.mark.django_db
def test_query_and_reconcile_are_refused_on_the_server_without_the_permission(client, payments_setup):
    intent = make_intent("30.00")
    client.force_login(staff("payments.view_paymentintent", "payments.view_reconciliationrun"))
    page = client.get(reverse("payment_intents:inspect", args=[intent.pk])).content.decode()
    query_url = reverse("payments_admin_query", args=[intent.pk])
    assert query_url not in page
    assert client.get(query_url).status_code in (302, 403)
    assert client.post(query_url).status_code in (302, 403)
    assert not ModelLogEntry.objects.filter(action="payments.channel_queried").exists()
    reconcile_url = reverse("payments_admin_reconcile")
    assert reconcile_url not in client.get(reverse("payment_reconciliation:index")).content.decode()
    assert client.post(reconcile_url, {"minutes": "0"}).status_code in (302, 403)
    assert not ReconciliationRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_bureau_reconciliation_reports_matched_fixed_and_needing_a_person(sandbox_server):
    paid = lost_notification_payment()
    # Opened at the gateway, not paid, still within its time: consistent.
    waiting = make_intent("10.00")
    Buyer().open(payment_services.start_checkout(waiting, "pc").redirect_url)
    # Paid at the gateway with a different amount: a person must look.
    odd = make_intent("50.00")
    Buyer().open(payment_services.start_checkout(odd, "pc").redirect_url)
    SandboxTrade.objects.filter(out_trade_no=odd.public_id).update(total_amount=Decimal("5.00"))
    gateway.pay(SandboxTrade.objects.get(out_trade_no=odd.public_id))
    # Too fresh to be looked at.
    fresh = make_intent("9.00")
    Buyer().open(payment_services.start_checkout(fresh, "pc").redirect_url)
    PaymentIntent.objects.filter(pk__in=[paid.pk, waiting.pk, odd.pk]).update(
        updated_at=timezone.now() - timedelta(minutes=20)
    )
    user = staff(
        "payments.view_paymentintent",
        "payments.view_reconciliationrun",
        "payments.add_reconciliationrun",
        "payments.view_reconciliationitem",
    )
    client = Client()
    client.force_login(user)
    index = client.get(reverse("payment_reconciliation:index")).content.decode()
    assert reverse("payments_admin_reconcile") in index
    response = client.post(reverse("payments_admin_reconcile"), {"minutes": "10"})
    run = ReconciliationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "payment_reconciliation:inspect", args=[run.pk]
    )
    assert (run.trigger, run.started_by_id, run.older_than_minutes) == ("admin", user.pk, 10)
    outcomes = dict(run.items.values_list("intent__public_id", "outcome"))
    assert outcomes == {paid.public_id: "fixed", waiting.public_id: "matched", odd.public_id: "attention"}
    assert (run.matched, run.fixed, run.attention) == (1, 1, 1)
    assert PaymentIntent.objects.get(pk=paid.pk).status == PaymentIntent.Status.SUCCEEDED
    assert PaymentIntent.objects.get(pk=odd.pk).status == PaymentIntent.Status.PROCESSING

    # The stored report reopens, each row in its group and linking to its payment.
    html = client.get(response["Location"]).content.decode()
    for outcome, intent in (("matched", waiting), ("fixed", paid), ("attention", odd)):
        group = html[html.index(f'id="group-{outcome}"') :]
        group = group[: group.index("</section>")]
        assert reverse("payment_intents:inspect", args=[intent.pk]) in group
        assert intent.public_id in group
    assert "渠道显示已支付，已入账" in html
    assert fresh.public_id not in html
    # Its rows export, with Chinese headings.
    rows = csv_rows(
        client.get(reverse("payment_reconciliation_items:index"), {"run": run.pk, "export": "csv"})
    )
    assert rows[0][:3] == ["对账时间", "支付编号", "金额"]
    assert {row[1] for row in rows[1:]} == {paid.public_id, waiting.public_id, odd.public_id}
    assert {row[3] for row in rows[1:]} == {"一致", "已自动处理", "需人工处理"}
    assert ModelLogEntry.objects.filter(action="payments.reconciliation_run", user=user).exists()


@pytest.mark.django_db(transaction=True)
def test_the_periodic_job_stores_its_report_too(sandbox_server):
    from django.core.management import call_command

    paid = lost_notification_payment()
    PaymentIntent.objects.filter(pk=paid.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    call_command("reconcile_payments", "--minutes", "30", stdout=out)
    assert "checked=1 succeeded=1" in out.getvalue()
    run = ReconciliationRun.objects.get()
    assert run.trigger == "task" and run.started_by is None and run.fixed == 1
    assert ReconciliationItem.objects.get(run=run).intent_id == paid.pk


# --- Contract templates (point 7) ---------------------------------------------------------------


@pytest.mark.django_db
def test_unpublishing_the_only_live_contract_template_is_confirmed_first(client):
    template = order_services.ensure_default_template()
    ContractTemplate.objects.exclude(pk=template.pk).update(live=False)
    client.force_login(officer(FUNERAL_SECTION))
    listing = client.get(reverse("wagtailsnippets_orders_contracttemplate:list"))
    assert listing.status_code == 200
    url = reverse("wagtailsnippets_orders_contracttemplate:unpublish", args=[template.pk])
    confirm = client.get(url)
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "唯一已发布的合同模板" in text and "无法为新订单出具合同" in text
    template.refresh_from_db()
    assert template.live  # asking is not unpublishing
    assert client.post(url).status_code == 302
    template.refresh_from_db()
    assert not template.live


@pytest.mark.django_db
def test_unpublishing_one_of_two_live_templates_needs_no_warning(client):
    template = order_services.ensure_default_template()
    second = ContractTemplate.objects.create(
        title="第二份示范文本", body=template.body, dispute_resolution=template.dispute_resolution
    )
    second.save_revision().publish()
    client.force_login(officer(FUNERAL_SECTION))
    url = reverse("wagtailsnippets_orders_contracttemplate:unpublish", args=[second.pk])
    text = client.get(url).content.decode()
    assert "唯一已发布的合同模板" not in text and re.search("确定取消发布", text)
