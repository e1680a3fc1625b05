"""One money module (core.money): rounding, formatting, gateway text and the model field."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from core.money import (
    CENT,
    ZERO,
    MoneyField,
    format_money,
    gateway_amount,
    parse_gateway_amount,
    round_money,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("2.675", "2.68"),
        ("-0.005", "-0.01"),
        ("1.004", "1.00"),
        (7, "7.00"),
        (Decimal("19.999"), "20.00"),
    ],
)
def test_round_money_rounds_half_up_to_the_fen(value, expected):
    rounded = round_money(value)
    assert rounded == Decimal(expected)
    assert rounded.as_tuple().exponent == -2


def test_round_money_refuses_a_float():
    with pytest.raises(TypeError):
        round_money(0.1)


def test_zero_and_cent_have_two_places():
    assert str(ZERO) == "0.00"
    assert str(CENT) == "0.01"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12345.6"), "12,345.60"),
        (Decimal("1234567.891"), "1,234,567.89"),
        (Decimal("999.99"), "999.99"),
        ("100000", "100,000.00"),
        (None, ""),
        ("", ""),
        ("不是金额", "不是金额"),
    ],
)
def test_format_money_uses_separators_and_two_places(value, expected):
    assert format_money(value) == expected


def test_money_filter_formats_with_separators_in_every_template():
    rendered = Template("{% load money %}{{ amount|money }}").render(Context({"amount": Decimal("2500000")}))
    assert rendered == "2,500,000.00"


def test_gateway_amount_is_plain_text_with_two_places():
    assert gateway_amount(Decimal("1E+3")) == "1000.00"
    assert gateway_amount(Decimal("0.1")) == "0.10"


@pytest.mark.parametrize("text", ["1.005", "10.001", "inf", "-Infinity", "NaN", "sNaN", "", "12,00", "abc"])
def test_parse_gateway_amount_refuses_three_places_infinity_nan_and_junk(text):
    with pytest.raises(ValueError):
        parse_gateway_amount(text)


def test_parse_gateway_amount_reads_two_places():
    assert parse_gateway_amount("88.5") == Decimal("88.50")
    assert parse_gateway_amount("100.00") == Decimal("100.00")


def test_money_field_refuses_a_negative_amount_when_asked():
    field = MoneyField("金额", non_negative=True)
    assert (field.max_digits, field.decimal_places) == (12, 2)
    field.run_validators(Decimal("0.00"))
    with pytest.raises(ValidationError) as excinfo:
        field.run_validators(Decimal("-0.01"))
    assert "金额不能为负数" in str(excinfo.value)


def test_money_field_allows_a_negative_amount_unless_asked():
    MoneyField("金额").run_validators(Decimal("-10.00"))


def test_annual_report_figures_print_amounts_with_separators():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    figures = {
        name: Decimal("0.00")
        for name in (
            "total_liabilities",
            "net_assets_unrestricted",
            "net_assets_restricted",
            "income_total",
            "expense_total",
            "income_donations",
            "income_government_grants",
            "expense_business",
            "expense_administration",
        )
    }
    report = SimpleNamespace(total_assets=Decimal("1234567.8"), **figures)
    html = render_to_string("reports/_report_figures.html", {"report": report})
    assert '<td class="num">1,234,567.80</td>' in html
    assert '<td class="num">0.00</td>' in html
