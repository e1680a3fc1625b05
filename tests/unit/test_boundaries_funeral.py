"""Funeral rules tested exactly at their limits (issue 24, point 3): the value or day at the
limit and the one just past it, so that moving a comparison by one unit fails a test.

F2: a price exactly at the ceiling is published, a cent above is refused; a ceiling applies
from its own effective day, not the day before; a market price exactly at HIGH or LOW times
the city median is not flagged, a cent past it is; the median needs MIN_SAMPLE other prices.
F5: the total uses exactly the cemetery's term (the default when it sets none).
F9: a change order is possible from the countersigned contract until the service is complete:
not in the state just before (family signed) nor just after (completed).
F10: a change effective today is current at once, one effective tomorrow stays upcoming until
midnight (Asia/Shanghai) and is current from 00:00:00; the minimum notice accepts exactly N
days and refuses N - 1.

Dates are relative to the real "today" (or frozen around it), never a literal year.
"""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from freezegun import freeze_time

from core.money import round_money
from marketplace.catalogue import services
from marketplace.catalogue.models import PriceBasis, PriceFlag, Provider, ServiceItem
from tests.factories.catalogue import ProviderFactory, make_guide_price, make_item

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def current_price(item, day=None):
    return services.with_current_price(ServiceItem.objects.filter(pk=item.pk), day).get().current_price


def at(day, hour=0, minute=0, second=0):
    """An aware instant on ``day`` in Asia/Shanghai."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


# --- F2: the ceiling -------------------------------------------------------------------------------


@pytest.mark.parametrize(("over", "published"), [(Decimal("0.00"), True), (CENT, False)])
def test_f2_price_exactly_at_the_ceiling_is_published_and_a_cent_above_refused(over, published):
    ceiling = Decimal("180.00")
    make_guide_price("cremation", PriceBasis.GOVERNMENT_SET, str(ceiling), document="京发改〔测试〕1号")
    item = make_item(ProviderFactory(), "cremation", basis=PriceBasis.GOVERNMENT_SET, price="150.00")
    price = ceiling + over
    if published:
        services.publish_price(item, price=price, effective_from=today(), reason="调价")
        assert current_price(item) == ceiling
    else:
        with pytest.raises(ValidationError) as error:
            services.publish_price(item, price=price, effective_from=today(), reason="调价")
        assert "180.00" in " ".join(error.value.message_dict["price"])
        assert current_price(item) == Decimal("150.00")


def test_f2_a_new_ceiling_applies_from_its_effective_day_not_the_day_before():
    """Old ceiling ¥150, a raised ceiling ¥200 from day 10: a ¥190 price may take effect on day
    10, not on day 9."""
    make_guide_price("farewell", PriceBasis.GOVERNMENT_GUIDE, "150.00", effective_from=today() - days(400))
    make_guide_price("farewell", PriceBasis.GOVERNMENT_GUIDE, "200.00", effective_from=today() + days(10))
    item = make_item(ProviderFactory(), "farewell", basis=PriceBasis.GOVERNMENT_GUIDE, price="120.00")
    with pytest.raises(ValidationError):
        services.publish_price(item, price=Decimal("190.00"), effective_from=today() + days(9), reason="调价")
    version = services.publish_price(
        item, price=Decimal("190.00"), effective_from=today() + days(10), reason="新限价后调价"
    )
    assert version.effective_from == today() + days(10)
    assert current_price(item, today() + days(9)) == Decimal("120.00")
    assert current_price(item, today() + days(10)) == Decimal("190.00")


# --- F2: the anomaly flag --------------------------------------------------------------------------


MEDIAN = Decimal("100.00")


def _market_at_median(n=None):
    """``n`` other market prices of ¥100 in the category (default: exactly the minimum sample)."""
    for _ in range(settings.F2_ANOMALY_MIN_SAMPLE if n is None else n):
        make_item(ProviderFactory(), "urn", price=str(MEDIAN))


def _flag(price):
    item = make_item(ProviderFactory(), "urn", price=str(MEDIAN))
    version = services.publish_price(item, price=price, effective_from=today(), reason="调价")
    return PriceFlag.objects.filter(version=version).first()


@pytest.mark.parametrize(("past", "direction"), [(Decimal("0.00"), None), (CENT, "high")])
def test_f2_price_exactly_at_the_high_ratio_is_not_flagged_and_a_cent_above_is(past, direction):
    _market_at_median()
    limit = round_money(MEDIAN * settings.F2_ANOMALY_HIGH_RATIO)  # ¥200.00 by default
    flag = _flag(limit + past)
    assert (flag.direction if flag else None) == direction
    if flag:
        assert flag.median == MEDIAN and flag.ratio == ((limit + past) / MEDIAN).quantize(CENT)


@pytest.mark.parametrize(("past", "direction"), [(Decimal("0.00"), None), (CENT, "low")])
def test_f2_price_exactly_at_the_low_ratio_is_not_flagged_and_a_cent_below_is(past, direction):
    _market_at_median()
    limit = round_money(MEDIAN * settings.F2_ANOMALY_LOW_RATIO)  # ¥50.00 by default
    flag = _flag(limit - past)
    assert (flag.direction if flag else None) == direction


@pytest.mark.parametrize(("others", "flagged"), [(0, True), (-1, False)])
def test_f2_anomaly_needs_exactly_the_minimum_sample_of_other_prices(others, flagged):
    """With exactly F2_ANOMALY_MIN_SAMPLE other current prices there is a median (a price ten
    times it is flagged); with one fewer there is none, and nothing is flagged."""
    _market_at_median(settings.F2_ANOMALY_MIN_SAMPLE + others)
    assert (_flag(MEDIAN * 10) is not None) is flagged


def test_f2_ratios_are_the_settings_at_their_limits(settings):
    settings.F2_ANOMALY_HIGH_RATIO = Decimal("3")
    settings.F2_ANOMALY_LOW_RATIO = Decimal("0.2")
    _market_at_median()
    assert _flag(Decimal("300.00")) is None
    assert _flag(Decimal("300.01")).direction == "high"
    assert _flag(Decimal("20.00")) is None
    assert _flag(Decimal("19.99")).direction == "low"


# --- F5: the cemetery plot term -------------------------------------------------------------------


def _cemetery_total(term_years):
    cemetery = ProviderFactory(type="cemetery", plot_term_years=term_years)
    maintenance = make_item(cemetery, "maintenance", name="维护费", price="120.00", unit="年")
    make_item(
        cemetery, "plot-use", name="立式墓位", price="38000.00", unit="座", maintenance_item=maintenance
    )
    (row,) = services.price_notice(Provider.objects.get(pk=cemetery.pk))["plot_totals"]
    return row["years"], row["total"]


@pytest.mark.parametrize(
    "years", [None, settings.F5_DEFAULT_TERM_YEARS, settings.F5_DEFAULT_TERM_YEARS + 1, 1]
)
def test_f5_total_uses_exactly_the_cemeterys_term_or_the_default(years):
    """Unset: the default term; set: exactly that many years of maintenance, down to one."""
    expected_years = years or settings.F5_DEFAULT_TERM_YEARS
    assert _cemetery_total(years) == (
        expected_years,
        Decimal("38000.00") + Decimal("120.00") * expected_years,
    )


def test_f5_default_term_setting_is_honoured_exactly(settings):
    settings.F5_DEFAULT_TERM_YEARS = 30
    assert _cemetery_total(None) == (30, Decimal("41600.00"))


# --- F9: the states a change order is possible in ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "possible"),
    [("family_signed", False), ("countersigned", True), ("in_service", True), ("completed", False)],
)
def test_f9_a_change_order_is_possible_from_countersigning_until_completion(status, possible):
    """The first state where a change is possible (countersigned) and the last (in service),
    against the state just before (family signed) and just after (completed)."""
    from marketplace.orders import services as orders
    from tests.factories.orders import Scenario, items

    scenario = Scenario()
    scenario.advance(status)
    urn = next(item for item in items(scenario.provider).values() if item.category.code == "urn")

    def propose():
        return orders.propose_change(
            scenario.order, scenario.staff, additions={urn.pk: 1}, removals={}, reason="加一个骨灰盒"
        )

    if possible:
        assert propose().order_id == scenario.order.pk
    else:
        with pytest.raises(ValidationError):
            propose()


# --- F10: upcoming and current ---------------------------------------------------------------------


def test_f10_a_change_effective_today_is_current_at_once_and_yesterday_is_refused():
    item = make_item(ProviderFactory(), "urn", price="100.00")
    version = services.publish_price(item, price=Decimal("110.00"), effective_from=today(), reason="成本")
    assert not version.is_upcoming and current_price(item) == Decimal("110.00")
    with pytest.raises(ValidationError) as error:
        services.publish_price(item, price=Decimal("90.00"), effective_from=today() - days(1), reason="补录")
    assert "effective_from" in error.value.message_dict


def test_f10_a_change_effective_tomorrow_is_upcoming_until_midnight_and_current_from_0000():
    day = today() + days(30)
    with freeze_time(at(day, 9)):
        item = make_item(ProviderFactory(), "urn", price="100.00")
        change = services.publish_price(
            item, price=Decimal("120.00"), effective_from=day + days(1), reason="成本上涨"
        )
    with freeze_time(at(day, 23, 59, 59)):
        change.refresh_from_db()
        assert change.is_upcoming
        assert list(services.upcoming_versions({"item": item})) == [change]
        assert current_price(item) == Decimal("100.00")
    with freeze_time(at(day + days(1))):
        change.refresh_from_db()
        assert not change.is_upcoming
        assert list(services.upcoming_versions({"item": item})) == []
        assert current_price(item) == Decimal("120.00")


def test_f10_announced_a_second_before_midnight_the_same_day_is_not_backdated():
    """The back-dating check compares with the announcement's own (Shanghai) day: announced at
    23:59:59 a change effective that day is accepted; at 00:00:00 the next day it is refused."""
    day = today() + days(30)
    item = make_item(ProviderFactory(), "urn", price="100.00")
    services.publish_price(
        item, price=Decimal("101.00"), effective_from=day, reason="当日", announced_at=at(day, 23, 59, 59)
    )
    with pytest.raises(ValidationError) as error:
        services.publish_price(
            item, price=Decimal("102.00"), effective_from=day, reason="次日", announced_at=at(day + days(1))
        )
    assert "effective_from" in error.value.message_dict


@pytest.mark.parametrize(("notice", "valid"), [(0, True), (-1, False)])
def test_f10_minimum_notice_accepts_exactly_n_days_and_refuses_n_minus_1(settings, notice, valid):
    from marketplace.catalogue.forms import PriceForm

    settings.F10_MIN_NOTICE_DAYS = 3
    effective = today() + days(settings.F10_MIN_NOTICE_DAYS + notice)
    form = PriceForm(
        {"price": "10", "effective_from": effective.isoformat(), "reason_code": "costs", "reason": "调价"}
    )
    assert form.is_valid() is valid
    if not valid:
        assert (today() + days(3)).isoformat() in " ".join(form.errors["effective_from"])


def test_f10_the_service_itself_refuses_less_than_the_minimum_notice(settings):
    item = make_item(ProviderFactory(), "urn", price="100.00")  # its first price: no change
    settings.F10_MIN_NOTICE_DAYS = 3
    with pytest.raises(ValidationError) as error:
        services.publish_price(item, price=Decimal("110.00"), effective_from=today() + days(2), reason="调价")
    assert (today() + days(3)).isoformat() in " ".join(error.value.message_dict["effective_from"])
    version = services.publish_price(
        item, price=Decimal("110.00"), effective_from=today() + days(3), reason="调价"
    )
    assert version.effective_from == today() + days(3) and version.is_upcoming
