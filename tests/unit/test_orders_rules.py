"""The rules orders carry: F4 posted prices only, F7 discount lines, F8 terms in the contract,
F9 quote → contract → final bill, masked identity numbers, payments and M2 certificates."""

import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from accounts import sms
from core.models import VerifiableDocument
from marketplace.catalogue import services as catalogue
from marketplace.catalogue.models import ServiceItem
from marketplace.orders import identity, services
from marketplace.orders.defaults import DEFAULT_TEMPLATE_BODY
from marketplace.orders.models import ContractTemplate, OrderLine, Signature
from marketplace.orders.pdfs import amount_in_words
from marketplace.orders.placeholders import validate_body
from tests.factories.catalogue import make_item
from tests.factories.orders import (
    Scenario,
    cemetery,
    family_user,
    funeral_home,
    items,
    make_quote,
    order_details,
    sign_as,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


# --- Identity numbers ---------------------------------------------------------------------------


def test_identity_numbers_are_validated_masked_and_digested():
    number = "11010519491231002X"
    assert identity.validate_resident_id(number.lower()) == number
    assert identity.mask(number) == "110***********002X"
    assert identity.digest(number) == identity.digest(number.lower()) and len(identity.digest(number)) == 64
    with pytest.raises(ValidationError):
        identity.validate_resident_id("110105194912310021")  # wrong check character
    with pytest.raises(ValidationError):
        identity.validate_resident_id("1101051949")


def test_the_full_identity_number_is_never_stored():
    scenario = Scenario()
    number = order_details()["deceased_id"]
    order = scenario.order
    assert order.deceased_id_masked == identity.mask(number)
    stored = " ".join(str(getattr(order, f.attname)) for f in order._meta.concrete_fields)
    assert number not in stored
    assert order.deceased_id_hmac == identity.digest(number)


# --- F4 ------------------------------------------------------------------------------------------


def test_f4_an_order_contains_only_posted_items_at_the_price_in_effect():
    scenario = Scenario()
    lines = list(scenario.order.lines.filter(kind="item"))
    current = {
        i.pk: i for i in catalogue.with_current_price(ServiceItem.objects.filter(provider=scenario.provider))
    }
    for line in lines:
        assert line.price_version_id == current[line.item_id].current_version_id
        assert line.unit_price == current[line.item_id].current_price
        assert line.amount == line.unit_price * line.quantity


def test_f4_an_unposted_fee_is_refused_in_a_change_order():
    scenario = Scenario()
    scenario.advance("paid")
    unpriced = make_item(scenario.provider, "wreath", name="加急费", price=None)
    with pytest.raises(ValidationError):
        services.propose_change(
            scenario.order, scenario.staff, additions={unpriced.pk: 1}, removals={}, reason="加急"
        )
    future = make_item(
        scenario.provider,
        "wreath",
        name="花圈",
        price="100.00",
        effective_from=timezone.localdate() + datetime.timedelta(days=5),
    )
    with pytest.raises(ValidationError):
        services.propose_change(
            scenario.order, scenario.staff, additions={future.pk: 1}, removals={}, reason="加花圈"
        )
    other = funeral_home()
    with pytest.raises(ValidationError):
        services.propose_change(
            scenario.order,
            scenario.staff,
            additions={items(other)["骨灰盒"].pk: 1},
            removals={},
            reason="别家的骨灰盒",
        )
    urn = items(scenario.provider)["骨灰盒"]
    ServiceItem.objects.filter(pk=urn.pk).update(is_active=False)
    with pytest.raises(ValidationError):
        services.propose_change(
            scenario.order, scenario.staff, additions={urn.pk: 1}, removals={}, reason="停售的骨灰盒"
        )
    assert not scenario.order.change_orders.exists()


def test_f4_a_price_other_than_the_posted_one_is_refused():
    scenario = Scenario()
    scenario.advance("paid")
    urn = items(scenario.provider)["骨灰盒"]
    with pytest.raises(ValidationError) as error:
        services.propose_change(
            scenario.order,
            scenario.staff,
            additions={urn.pk: 1},
            removals={},
            reason="加骨灰盒",
            expected_prices={urn.pk: Decimal("900.00")},
        )
    assert "F4" in str(error.value)
    change = services.propose_change(
        scenario.order,
        scenario.staff,
        additions={urn.pk: 1},
        removals={},
        reason="加骨灰盒",
        expected_prices={urn.pk: Decimal("600.00")},
    )
    assert change.lines.get(kind="item").unit_price == Decimal("600.00")


def test_f4_the_contract_is_priced_on_the_day_it_is_issued():
    scenario = Scenario()
    urn = items(scenario.provider)["骨灰盒"]
    catalogue.publish_price(
        urn, price=Decimal("650.00"), effective_from=timezone.localdate(), reason="成本上涨"
    )
    scenario.advance("contract_issued")
    contract_line = scenario.order.lines.get(stage="contract", item=urn)
    assert contract_line.unit_price == Decimal("650.00")
    assert scenario.order.lines.get(stage="order", item=urn).unit_price == Decimal("600.00")


def test_a_quote_whose_prices_changed_needs_the_family_to_accept_them():
    provider = funeral_home()
    family = family_user()
    quote = make_quote(family, provider)
    urn = items(provider)["骨灰盒"]
    catalogue.publish_price(urn, price=Decimal("580.00"), effective_from=timezone.localdate(), reason="降价")
    with pytest.raises(services.PricesChanged) as error:
        services.submit_order(family, quote, details=order_details())
    assert [(c.name, c.quoted, c.now) for c in error.value.changes] == [
        ("骨灰盒", Decimal("600.00"), Decimal("580.00"))
    ]
    order = services.submit_order(family, quote, details=order_details(), accept_price_changes=True)
    assert order.lines.get(item=urn).unit_price == Decimal("580.00")


def test_a_quote_with_a_withdrawn_item_cannot_become_an_order():
    provider = funeral_home()
    family = family_user()
    quote = make_quote(family, provider)
    ServiceItem.objects.filter(pk=items(provider)["骨灰盒"].pk).update(is_active=False)
    with pytest.raises(ValidationError):
        services.submit_order(family, quote, details=order_details())


def test_only_the_quotes_owner_can_order_it():
    provider = funeral_home()
    quote = make_quote(family_user(), provider)
    with pytest.raises(ValidationError):
        services.submit_order(family_user(), quote, details=order_details())


# --- F7 -----------------------------------------------------------------------------------------------


def test_f7_exemptions_are_discount_lines_citing_the_policy():
    scenario = Scenario(burial_choice="sea", resident=True)
    order = scenario.order
    discounts = list(order.lines.filter(kind="discount"))
    assert len(discounts) == 6  # collection, storage, cosmetic, farewell, cremation, ashes storage
    for line in discounts:
        item_line = order.lines.get(kind="item", item=line.item_id)
        assert line.amount == -item_line.amount
        assert line.policy_reference == "京民殡发〔2017〕103号"
        assert line.item.category.f7_free
    urn_line = order.lines.get(kind="item", item=items(scenario.provider)["骨灰盒"])
    assert order.total == urn_line.amount
    assert order.exempted == sum(-line.amount for line in discounts)


def test_f7_does_not_apply_to_non_residents():
    scenario = Scenario(burial_choice="sea", resident=False)
    assert not scenario.order.lines.filter(kind="discount").exists()
    assert scenario.order.exempted == 0


def test_a_contract_with_nothing_to_pay_is_paid_on_countersigning():
    provider = funeral_home()
    basic = {i.pk: 1 for i in ServiceItem.objects.filter(provider=provider, category__f7_free=True)}
    scenario = Scenario(provider=provider, selections=basic, burial_choice="natural", resident=True)
    assert scenario.order.total == 0
    assert scenario.advance("countersigned").status == "paid"


# --- F8 / templates ------------------------------------------------------------------------------------


def test_template_placeholders_unknown_and_missing_are_refused():
    assert validate_body(DEFAULT_TEMPLATE_BODY) == []
    errors = validate_body(DEFAULT_TEMPLATE_BODY + "\n\n{{ secret_fee }}")
    assert any("secret_fee" in e and "未知" in e for e in errors)
    errors = validate_body(DEFAULT_TEMPLATE_BODY.replace("{{ cancellation_terms }}", ""))
    assert any("cancellation_terms" in e and "缺少" in e for e in errors)
    errors = validate_body(DEFAULT_TEMPLATE_BODY.replace("{{ items_table }}", "明细：{{ items_table }}"))
    assert any("单独成段" in e for e in errors)
    template = ContractTemplate(title="x", body="{{ nonsense }}", dispute_resolution="y")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "nonsense" in str(error.value)


def test_the_default_template_is_published_by_migration_with_a_revision():
    template = ContractTemplate.objects.get(title__startswith="北京市殡葬服务合同")
    assert template.live and template.live_revision is not None
    revised = template.live_revision.as_object()
    assert revised.body == template.body and revised.dispute_resolution == template.dispute_resolution


def test_contracts_use_only_published_templates_and_record_the_revision():
    scenario = Scenario()
    scenario.advance("confirmed")
    draft = ContractTemplate(
        title="未发布模板", body=DEFAULT_TEMPLATE_BODY, dispute_resolution="协商", live=False
    )
    draft.save()
    draft.save_revision()
    with pytest.raises(ValidationError):
        services.issue_contract(scenario.order, scenario.staff, draft)
    template = scenario.template
    published_revision = template.live_revision
    # A later draft edit does not change what contracts are made from.
    template.body = DEFAULT_TEMPLATE_BODY.replace("第七条", "第七条（草稿修改）")
    template.save_revision()
    services.issue_contract(scenario.order, scenario.staff, template)
    contract = scenario.refresh().contract
    assert contract.template_revision_id == published_revision.pk


# --- F9 --------------------------------------------------------------------------------------------------


def test_f9_quote_contract_and_final_bill_line_by_line():
    provider = funeral_home()
    urn = items(provider)["骨灰盒"]
    storage = next(i for i in ServiceItem.objects.filter(provider=provider) if i.category.code == "storage")
    wreath = make_item(provider, "wreath", name="花圈", price="100.00")
    scenario = Scenario(provider=provider, selections={urn.pk: 1, storage.pk: 3})
    # The posted price of the urn changes between the quote and the contract.
    catalogue.publish_price(
        urn, price=Decimal("620.00"), effective_from=timezone.localdate(), reason="成本上涨"
    )
    scenario.advance("paid")
    change = services.propose_change(
        scenario.order, scenario.staff, additions={wreath.pk: 2}, removals={storage.pk: 1}, reason="家属要求"
    )
    sign_as(change, scenario.family, Signature.Role.FAMILY)
    sign_as(change, scenario.staff, Signature.Role.PROVIDER)
    order = scenario.refresh()
    result = services.comparison(order)
    rows = {row.name: row for row in result.rows}
    assert (rows["骨灰盒"].quote.amount, rows["骨灰盒"].contract.amount, rows["骨灰盒"].final.amount) == (
        Decimal("600.00"),
        Decimal("620.00"),
        Decimal("620.00"),
    )
    assert rows["骨灰盒"].contract_differs and not rows["骨灰盒"].final_differs
    storage_row = rows[storage.name]
    assert (storage_row.quote.quantity, storage_row.contract.quantity, storage_row.final.quantity) == (
        3,
        3,
        2,
    )
    assert storage_row.final_differs
    assert (rows["花圈"].quote.present, rows["花圈"].final.quantity, rows["花圈"].final.amount) == (
        False,
        2,
        Decimal("200.00"),
    )
    storage_price = storage_row.contract.unit_prices[0]
    assert result.final.total == result.contract.total - storage_price + Decimal("200.00")
    assert order.total == result.final.total
    assert change.delta == Decimal("200.00") - storage_price


def test_f9_unsigned_or_declined_changes_do_not_touch_the_bill():
    scenario = Scenario()
    scenario.advance("paid")
    before = scenario.order.total
    urn = items(scenario.provider)["骨灰盒"]
    change = services.propose_change(
        scenario.order, scenario.staff, additions={urn.pk: 1}, removals={}, reason="加一个"
    )
    sign_as(change, scenario.family, Signature.Role.FAMILY)
    assert scenario.refresh().total == before
    assert services.comparison(scenario.order).final.total == before
    services.withdraw_change(change, scenario.staff)
    second = services.propose_change(
        scenario.order, scenario.staff, additions={urn.pk: 1}, removals={}, reason="再加一个"
    )
    services.decline_change(second, scenario.family, reason="不需要")
    assert services.comparison(scenario.refresh()).final.total == before


def test_f9_only_one_open_change_and_only_after_signing():
    scenario = Scenario()
    urn = items(scenario.provider)["骨灰盒"]
    with pytest.raises(ValidationError):
        services.propose_change(
            scenario.order, scenario.staff, additions={urn.pk: 1}, removals={}, reason="签约前"
        )
    scenario.advance("countersigned")
    services.propose_change(scenario.order, scenario.staff, additions={urn.pk: 1}, removals={}, reason="第一")
    with pytest.raises(ValidationError):
        services.propose_change(
            scenario.order, scenario.staff, additions={urn.pk: 1}, removals={}, reason="第二"
        )


def test_f9_removing_more_than_billed_is_refused_and_removal_reverses_the_f7_discount():
    scenario = Scenario(burial_choice="sea", resident=True)
    scenario.advance("paid")
    storage = next(
        i for i in ServiceItem.objects.filter(provider=scenario.provider) if i.category.code == "storage"
    )
    with pytest.raises(ValidationError):
        services.propose_change(
            scenario.order, scenario.staff, additions={}, removals={storage.pk: 2}, reason="多减"
        )
    change = services.propose_change(
        scenario.order, scenario.staff, additions={}, removals={storage.pk: 1}, reason="少冷藏一天"
    )
    assert change.delta == 0  # the removed day was free under F7, so the bill does not change
    assert sorted(line.amount for line in change.lines.all()) == sorted(
        [-line.amount for line in scenario.order.lines.filter(stage="contract", item=storage)]
    )


# --- Payments ---------------------------------------------------------------------------------------------


def test_mark_paid_moves_a_countersigned_order_once_the_bill_is_covered_and_is_idempotent():
    scenario = Scenario()
    order = scenario.advance("countersigned")
    total = order.total
    services.mark_paid(order, amount=total - Decimal("100.00"), reference="PAY-1")
    assert scenario.refresh().status == "countersigned"
    assert services.balance_due(order) == Decimal("100.00")
    services.mark_paid(order, amount=Decimal("100.00"), reference="PAY-2")
    services.mark_paid(order, amount=Decimal("100.00"), reference="PAY-2")  # the gateway retried
    assert scenario.refresh().status == "paid"
    assert services.paid_total(order) == total
    with pytest.raises(ValidationError):
        services.mark_paid(order, amount=Decimal("5.00"), reference="PAY-2")


def test_a_paid_order_cancelled_and_refunded():
    scenario = Scenario()
    order = scenario.advance("paid")
    services.cancel_order(order, scenario.family, reason="改期")
    services.mark_refunded(order, amount=order.total, reference="REF-1")
    order = scenario.refresh()
    assert order.status == "refunded" and services.paid_total(order) == 0


# --- M2 ---------------------------------------------------------------------------------------------------


def test_m2_a_funeral_home_issues_a_cremation_certificate_at_completion():
    scenario = Scenario()
    order = scenario.advance("completed")
    certificate = order.certificates.get()
    assert certificate.kind == VerifiableDocument.Kind.CREMATION_CERTIFICATE
    assert certificate.document.holder_name_masked == "王*国"
    assert certificate.document.issuer_name == scenario.provider.name
    # Without a request (demo data, commands) the QR code still carries an absolute URL.
    text = "".join(PdfReader(io.BytesIO(certificate.document.file.read())).pages[0].extract_text().split())
    assert f"{settings.WAGTAILADMIN_BASE_URL}/verify/{certificate.document.code}/" in text


def test_m2_a_cemetery_issues_a_burial_certificate():
    provider = cemetery()
    scenario = Scenario(provider=provider)
    order = scenario.advance("in_service")
    with pytest.raises(ValidationError):
        services.complete_order(order, scenario.staff, event_date=timezone.localdate(), place=" ")
    services.complete_order(order, scenario.staff, event_date=timezone.localdate(), place="西区 3 排 12 号")
    assert scenario.refresh().certificates.get().kind == VerifiableDocument.Kind.BURIAL_CERTIFICATE


@override_settings(M2_CERTIFICATE_KINDS={})
def test_a_provider_without_certificates_completes_without_one():
    scenario = Scenario()
    scenario.advance("completed")
    assert not scenario.order.certificates.exists()


# --- Money in words -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("0", "零元整"),
        ("852.50", "捌佰伍拾贰元伍角整"),
        ("1001.05", "壹仟零壹元零伍分"),
        ("27072.00", "贰万柒仟零柒拾贰元整"),
        ("100000.00", "壹拾万元整"),
    ],
)
def test_amount_in_words(value, words):
    assert amount_in_words(Decimal(value)) == words


def test_order_lines_snapshot_names_and_units():
    """A line keeps the name, unit and price the family ordered, whatever the provider
    later does to the item (F9: the statement doesn't change under the family)."""
    scenario = Scenario()
    urn = items(scenario.provider)["骨灰盒"]
    line = scenario.order.lines.get(kind="item", item=urn)
    ordered = (line.name, line.unit, line.unit_price, line.amount, line.price_version_id)
    assert ordered[:3] == ("骨灰盒", urn.unit, Decimal("600.00")) and line.stage == OrderLine.Stage.ORDER
    total = scenario.order.total

    urn.name, urn.unit = "檀木骨灰盒（新款）", "套"
    urn.save()
    catalogue.publish_price(
        urn,
        price=Decimal("880.00"),
        effective_from=timezone.localdate(),
        reason="原材料涨价",
        announced_at=timezone.now(),
    )
    assert ServiceItem.objects.get(pk=urn.pk).name == "檀木骨灰盒（新款）"
    assert catalogue.with_current_price(ServiceItem.objects.filter(pk=urn.pk)).get().current_price == Decimal(
        "880.00"
    )

    line = OrderLine.objects.get(pk=line.pk)
    assert (line.name, line.unit, line.unit_price, line.amount, line.price_version_id) == ordered
    assert scenario.refresh().total == total


def test_a_quote_already_ordered_from_is_not_reused_by_the_same_statement():
    """Saving is idempotent only for quotes not yet ordered: after ordering, a new quote is new."""
    provider = funeral_home()
    family = family_user()
    quote = make_quote(family, provider)
    assert make_quote(family, provider) == quote
    services.submit_order(family, quote, details=order_details())
    again = make_quote(family, provider)
    assert again != quote and not again.orders.exists()
