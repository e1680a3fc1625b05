"""The funeral price rules (F1, F2, F4, F5, F6, F7, F10) in the catalogue's services and models."""

import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time

from marketplace.catalogue import services
from marketplace.catalogue.models import (
    ImmutableRecordError,
    PriceBasis,
    PriceFlag,
    PriceVersion,
    Provider,
    ServiceCategory,
    ServiceItem,
)
from tests.factories.catalogue import (
    ProviderFactory,
    category,
    make_guide_price,
    make_item,
    make_priced_funeral_home,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def current_price(item):
    return services.with_current_price(ServiceItem.objects.filter(pk=item.pk)).get().current_price


# --- F1 ----------------------------------------------------------------------------------------


def test_f1_basic_services_are_seeded_and_every_price_carries_a_basis():
    basic = set(
        ServiceCategory.objects.filter(is_basic=True, parent__isnull=False).values_list("code", flat=True)
    )
    assert basic == {"collection", "storage", "cremation", "ashes-storage", "farewell"}
    assert {"embalming", "hall", "cosmetic"} <= set(
        ServiceCategory.objects.filter(kind="extended").values_list("code", flat=True)
    )
    assert {"urn", "coffin", "clothes", "wreath"} <= set(
        ServiceCategory.objects.filter(kind="goods").values_list("code", flat=True)
    )
    item = make_item(ProviderFactory(), "cremation", basis=PriceBasis.GOVERNMENT_SET, price="150")
    version = item.versions.get()
    assert version.basis == PriceBasis.GOVERNMENT_SET
    item.basis = "negotiable"
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "basis" in error.value.message_dict


# --- F2 ----------------------------------------------------------------------------------------


def test_f2_price_above_ceiling_is_refused_naming_the_ceiling_and_document():
    make_guide_price("cremation", PriceBasis.GOVERNMENT_SET, "180.00", document="京发改〔2024〕12号")
    item = make_item(ProviderFactory(), "cremation", basis=PriceBasis.GOVERNMENT_SET, price="150")
    with pytest.raises(ValidationError) as error:
        services.publish_price(item, price=Decimal("180.01"), effective_from=TODAY(), reason="调价")
    message = " ".join(error.value.message_dict["price"])
    assert "180.00" in message and "京发改〔2024〕12号" in message
    assert item.versions.count() == 1
    assert current_price(item) == Decimal("150.00")


def test_f2_price_at_the_ceiling_is_accepted():
    make_guide_price("cremation", PriceBasis.GOVERNMENT_SET, "180.00")
    item = make_item(ProviderFactory(), "cremation", basis=PriceBasis.GOVERNMENT_SET, price="150")
    services.publish_price(item, price=Decimal("180.00"), effective_from=TODAY(), reason="调价")
    assert current_price(item) == Decimal("180.00")


def test_f2_the_ceiling_in_force_on_the_effective_date_applies():
    make_guide_price(
        "farewell", PriceBasis.GOVERNMENT_GUIDE, "150.00", effective_from=datetime.date(2020, 1, 1)
    )
    make_guide_price(
        "farewell",
        PriceBasis.GOVERNMENT_GUIDE,
        "200.00",
        effective_from=TODAY() + datetime.timedelta(days=10),
    )
    item = make_item(ProviderFactory(), "farewell", basis=PriceBasis.GOVERNMENT_GUIDE, price="120")
    with pytest.raises(ValidationError):
        services.publish_price(item, price=Decimal("190"), effective_from=TODAY(), reason="调价")
    version = services.publish_price(
        item,
        price=Decimal("190"),
        effective_from=TODAY() + datetime.timedelta(days=10),
        reason="新限价后调价",
    )
    assert version.is_upcoming


def _market(n, price):
    return [make_item(ProviderFactory(), "urn", price=price) for _ in range(n)]


def test_f2_market_price_far_above_the_city_median_is_flagged_but_still_published():
    _market(3, "100.00")
    item = make_item(ProviderFactory(), "urn", price="100.00")
    version = services.publish_price(item, price=Decimal("250.00"), effective_from=TODAY(), reason="精品")
    flag = PriceFlag.objects.get(version=version)
    assert flag.direction == "high" and flag.median == Decimal("100.00") and flag.ratio == Decimal("2.50")
    assert flag.status == PriceFlag.Status.OPEN
    assert current_price(item) == Decimal("250.00")


def test_f2_market_price_far_below_the_city_median_is_flagged():
    _market(3, "100.00")
    item = make_item(ProviderFactory(), "urn", price="100.00")
    version = services.publish_price(item, price=Decimal("49.00"), effective_from=TODAY(), reason="促销")
    assert version.flag.direction == "low"


def test_f2_prices_within_the_thresholds_are_not_flagged():
    _market(3, "100.00")
    item = make_item(ProviderFactory(), "urn", price="100.00")
    for price in ("200.00", "50.00"):
        version = services.publish_price(item, price=Decimal(price), effective_from=TODAY(), reason="调价")
        assert not PriceFlag.objects.filter(version=version).exists()


@override_settings(F2_ANOMALY_HIGH_RATIO=Decimal("3"), F2_ANOMALY_LOW_RATIO=Decimal("0.2"))
def test_f2_anomaly_thresholds_are_settings():
    _market(3, "100.00")
    item = make_item(ProviderFactory(), "urn", price="100.00")
    assert not hasattr(
        services.publish_price(item, price=Decimal("290"), effective_from=TODAY(), reason="x"), "flag"
    )
    assert services.publish_price(item, price=Decimal("310"), effective_from=TODAY(), reason="x").flag
    assert services.publish_price(item, price=Decimal("19"), effective_from=TODAY(), reason="x").flag


def test_f2_government_prices_are_never_flagged_against_the_market_median():
    _market(3, "100.00")
    item = make_item(ProviderFactory(), "urn", price="900.00", basis=PriceBasis.GOVERNMENT_GUIDE)
    assert not PriceFlag.objects.filter(version__item=item).exists()


# --- F4 ----------------------------------------------------------------------------------------


def test_f4_no_item_can_be_marked_compulsory():
    field_names = {field.name for field in ServiceItem._meta.get_fields()}
    assert not field_names & {"compulsory", "is_compulsory", "required", "mandatory", "is_required"}
    provider = ProviderFactory()
    for name in ("必选告别仪式", "强制整容服务", "捆绑套餐"):
        item = ServiceItem(
            provider=provider, category=category("ceremony"), name=name, unit="次", basis="market"
        )
        with pytest.raises(ValidationError) as error:
            item.full_clean()
        assert "F4" in " ".join(error.value.message_dict["name"])


def test_f4_a_package_can_always_be_bought_item_by_item():
    provider = make_priced_funeral_home()
    package = services.standard_package()
    breakdown = services.package_breakdowns(package, [provider])[provider.pk]
    singles = Decimal("0")
    for line in breakdown.lines:
        statement = services.compute_statement(provider, {line.item.pk: line.component.quantity})
        assert [item_line.item for item_line in statement.lines] == [line.item]
        singles += statement.total
    assert singles == breakdown.total


def test_f4_a_statement_only_holds_this_providers_posted_items_at_posted_prices():
    provider = make_priced_funeral_home()
    other = make_item(ProviderFactory(), "urn", price="10.00")
    with pytest.raises(ValidationError):
        services.compute_statement(provider, {other.pk: 1})
    unpriced = make_item(provider, "wreath", price=None)
    with pytest.raises(ValidationError):
        services.compute_statement(provider, {unpriced.pk: 1})


# --- F5 ----------------------------------------------------------------------------------------


def test_f5_cemetery_plot_total_is_plot_use_plus_maintenance_times_years():
    assert services.plot_total(Decimal("38000"), Decimal("120"), 20) == Decimal("40400.00")
    cemetery = ProviderFactory(type="cemetery")
    maintenance = make_item(cemetery, "maintenance", name="维护费", price="120.00", unit="年")
    plot = make_item(
        cemetery, "plot-use", name="立式墓位", price="38000.00", unit="座", maintenance_item=maintenance
    )
    plot.full_clean()
    totals = services.price_notice(cemetery)["plot_totals"]
    assert [(row["item"].pk, row["years"], row["total"]) for row in totals] == [
        (
            plot.pk,
            settings.F5_DEFAULT_TERM_YEARS,
            Decimal("38000") + Decimal("120") * settings.F5_DEFAULT_TERM_YEARS,
        )
    ]
    Provider.objects.filter(pk=cemetery.pk).update(plot_term_years=50)
    cemetery.refresh_from_db()
    assert services.price_notice(cemetery)["plot_totals"][0]["total"] == Decimal("44000.00")


@override_settings(F5_DEFAULT_TERM_YEARS=30)
def test_f5_default_term_is_a_setting():
    assert ProviderFactory(type="cemetery").term_years == 30


def test_f5_maintenance_item_must_be_this_cemeterys_maintenance_fee():
    cemetery = ProviderFactory(type="cemetery")
    wrong = make_item(cemetery, "engraving", name="刻字", price="600")
    plot = ServiceItem(
        provider=cemetery,
        category=category("plot-use"),
        name="墓位",
        unit="座",
        basis="market",
        maintenance_item=wrong,
    )
    with pytest.raises(ValidationError) as error:
        plot.full_clean()
    assert "maintenance_item" in error.value.message_dict


# --- F6 ----------------------------------------------------------------------------------------


def test_f6_package_price_is_computed_from_the_mapped_items():
    package = services.standard_package()
    cheap = make_priced_funeral_home(Decimal("1"))
    dear = make_priced_funeral_home(Decimal("1.5"))
    expected = (
        Decimal("200") + 3 * Decimal("60") + Decimal("100") + Decimal("150") + Decimal("150") + Decimal("60")
    )
    prices = dict(
        services.with_package_price(Provider.objects.filter(pk__in=[cheap.pk, dear.pk]), package).values_list(
            "pk", "package_price"
        )
    )
    assert prices[cheap.pk] == expected
    assert prices[dear.pk] == expected * Decimal("1.5")
    # The cached map that the listing pages sort by agrees with the SQL annotation.
    assert services.package_prices(package) == {cheap.pk: expected, dear.pk: expected * Decimal("1.5")}
    storage = cheap.package_mappings.get(component__category__code="storage").item
    services.publish_price(storage, price=Decimal("70"), effective_from=TODAY(), reason="调价")
    updated = services.with_package_price(Provider.objects.filter(pk=cheap.pk), package).get().package_price
    assert updated == expected + 3 * Decimal("10")
    assert services.package_prices(package)[cheap.pk] == expected + 3 * Decimal(
        "10"
    )  # the price change invalidates


def test_f6_package_is_unpriced_until_every_component_is_mapped():
    provider = make_priced_funeral_home()
    provider.package_mappings.filter(component__category__code="cremation").delete()
    package = services.standard_package()
    assert (
        services.with_package_price(Provider.objects.filter(pk=provider.pk), package).get().package_price
        is None
    )
    assert services.package_breakdowns(package, [provider])[provider.pk].total is None
    assert provider.pk not in services.package_prices(package)


def test_f6_basic_package_matches_beijing_2011():
    package = services.standard_package()
    quantities = {c.category.code: c.quantity for c in package.components.all()}
    assert quantities == {
        "collection": 1,
        "storage": 3,
        "cosmetic": 1,
        "farewell": 1,
        "cremation": 1,
        "ashes-storage": 1,
    }
    assert Decimal("1000.00") == settings.F6_BASIC_PACKAGE_CEILING


# --- F7 ----------------------------------------------------------------------------------------


def _selection(provider):
    items = {item.category.code: item for item in provider.items.select_related("category")}
    return items, {item.pk: 1 for item in items.values()}


@pytest.mark.parametrize("choice", ["sea", "natural"])
def test_f7_sea_or_natural_burial_makes_the_six_basic_services_free(choice):
    provider = make_priced_funeral_home()
    items, selection = _selection(provider)
    statement = services.compute_statement(provider, selection, burial_choice=choice, beijing_resident=True)
    free = {line.item.category.code for line in statement.lines if line.f7_free}
    assert free == {"collection", "storage", "cosmetic", "farewell", "cremation", "ashes-storage"}
    assert statement.total == Decimal("600.00")  # only the urn is paid
    assert statement.f7_applies and statement.policy_reference == settings.F7_POLICY_REFERENCE
    assert {c.code for c in statement.f7_categories} == free


def test_f7_does_not_apply_to_ordinary_burial_or_non_residents():
    provider = make_priced_funeral_home()
    _items, selection = _selection(provider)
    for choice, resident in (("ordinary", True), ("", True), ("sea", False)):
        statement = services.compute_statement(
            provider, selection, burial_choice=choice, beijing_resident=resident
        )
        assert statement.exempted == Decimal("0.00")
        assert statement.total == statement.subtotal


# --- F9 ----------------------------------------------------------------------------------------


def test_f9_saved_quote_keeps_each_line_with_the_price_version_in_effect():
    provider = make_priced_funeral_home()
    items, _unused = _selection(provider)
    urn = items["urn"]
    statement = services.compute_statement(provider, {urn.pk: 2})
    from tests.factories.accounts import UserFactory

    quote = services.save_quote(UserFactory(), statement)
    line = quote.lines.get()
    assert line.price_version == urn.versions.get() and line.quantity == 2
    assert line.amount == Decimal("1200.00") and quote.total == Decimal("1200.00")
    services.publish_price(urn, price=Decimal("700"), effective_from=TODAY(), reason="调价")
    assert services.statement_from_quote(quote).total == Decimal("1200.00")


def test_f9_quantities_are_validated():
    provider = make_priced_funeral_home()
    urn = provider.items.get(category__code="urn")
    for bad in ("abc", 1000):
        with pytest.raises(ValidationError):
            services.compute_statement(provider, {urn.pk: bad})


# --- F10 ---------------------------------------------------------------------------------------


def test_f10_a_saved_version_is_never_updated_or_deleted():
    item = make_item(ProviderFactory(), "urn", price="100")
    version = item.versions.get()
    version.price = Decimal("1")
    with pytest.raises(ImmutableRecordError):
        version.save()
    with pytest.raises(ImmutableRecordError):
        version.delete()
    with pytest.raises(ImmutableRecordError):
        PriceVersion.objects.filter(pk=version.pk).update(price=Decimal("1"))
    with pytest.raises(ImmutableRecordError):
        PriceVersion.objects.filter(pk=version.pk).delete()
    assert PriceVersion.objects.get(pk=version.pk).price == Decimal("100.00")


def test_f10_future_change_is_upcoming_and_the_current_price_stays():
    item = make_item(ProviderFactory(), "urn", price="100")
    future = services.publish_price(
        item, price=Decimal("120"), effective_from=TODAY() + datetime.timedelta(days=7), reason="成本上涨"
    )
    assert future.is_upcoming and current_price(item) == Decimal("100.00")
    assert list(services.upcoming_versions({"item": item})) == [future]
    with freeze_time(timezone.now() + datetime.timedelta(days=8)):
        assert current_price(item) == Decimal("120.00")


def test_f10_a_change_records_date_reason_and_who_made_it_and_cannot_be_backdated():
    from tests.factories.accounts import UserFactory

    user = UserFactory(display_name="价格编辑甲")
    item = make_item(ProviderFactory(), "urn", price="100")
    version = services.publish_price(
        item, price=Decimal("110"), effective_from=TODAY(), reason="成本", user=user
    )
    assert (version.created_by, version.created_by_name, version.reason) == (user, "价格编辑甲", "成本")
    assert version.previous == item.versions.order_by("id").first()
    with pytest.raises(ValidationError) as error:
        services.publish_price(
            item, price=Decimal("90"), effective_from=TODAY() - datetime.timedelta(days=1), reason="x"
        )
    assert "effective_from" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.publish_price(item, price=Decimal("90"), effective_from=TODAY(), reason="  ")
    assert "reason" in error.value.message_dict


def test_f10_versions_are_chained_per_provider():
    provider = ProviderFactory()
    first = make_item(provider, "urn", price="100").versions.get()
    second = make_item(provider, "wreath", price="50").versions.get()
    other = make_item(ProviderFactory(), "urn", price="100").versions.get()
    assert (first.sequence, second.sequence, other.sequence) == (1, 2, 1)
    assert second.previous_hash == first.chain_hash and other.previous_hash == ""
    assert len(second.chain_hash) == 64 and second.chain_hash == second.compute_hash()
    assert services.verify_chain() == []


def test_verify_price_chain_names_a_version_changed_with_raw_sql():
    provider = ProviderFactory()
    item = make_item(provider, "urn", price="100")
    tampered = services.publish_price(item, price=Decimal("120"), effective_from=TODAY(), reason="调价")
    make_item(provider, "wreath", price="50")
    out = io.StringIO()
    call_command("verify_price_chain", stdout=out)
    assert "校验通过" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalogue_priceversion SET price = %s WHERE id = %s", ["99.00", tampered.pk])
    out = io.StringIO()
    with pytest.raises(CommandError, match="1"):
        call_command("verify_price_chain", stdout=out)
    assert f"#{tampered.pk}" in out.getvalue()
    assert [p.version_id for p in services.verify_chain()] == [tampered.pk]


def test_verify_price_chain_detects_a_deleted_link():
    provider = ProviderFactory()
    item = make_item(provider, "urn", price="100")
    middle = services.publish_price(item, price=Decimal("120"), effective_from=TODAY(), reason="调价")
    last = services.publish_price(item, price=Decimal("130"), effective_from=TODAY(), reason="调价")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalogue_priceversion SET previous_id = NULL WHERE id = %s", [last.pk])
        cursor.execute("DELETE FROM catalogue_priceversion WHERE id = %s", [middle.pk])
    problems = services.verify_chain()
    assert last.pk in [p.version_id for p in problems]


def test_f10_minimum_notice_is_a_setting(settings):
    from marketplace.catalogue.forms import PriceForm

    settings.F10_MIN_NOTICE_DAYS = 3
    soon = PriceForm(
        {"price": "10", "effective_from": TODAY().isoformat(), "reason_code": "other", "reason": "x"}
    )
    assert not soon.is_valid() and "effective_from" in soon.errors
    later = (TODAY() + datetime.timedelta(days=3)).isoformat()
    assert PriceForm(
        {"price": "10", "effective_from": later, "reason_code": "other", "reason": "x"}
    ).is_valid()
