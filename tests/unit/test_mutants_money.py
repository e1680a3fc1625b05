"""core/money.py: the cases mutation testing found no test for (docs/testing.md, "Mutation
score"). `MoneyField` builds the model fields at import time, so only a test that calls it
can see what it does with its arguments."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator

from core.money import ZERO, MoneyField


def test_money_field_keeps_its_label_and_the_options_it_is_given():
    field = MoneyField("押金", default=ZERO, blank=True, help_text="退还前冻结")
    assert field.verbose_name == "押金"
    assert (field.default, field.blank, field.help_text) == (ZERO, True, "退还前冻结")
    assert (field.max_digits, field.decimal_places) == (12, 2)


def test_money_field_keeps_the_validators_it_is_given_alongside_the_non_negative_one():
    field = MoneyField("金额", non_negative=True, validators=[MaxValueValidator(Decimal("100.00"))])
    field.run_validators(Decimal("100.00"))
    with pytest.raises(ValidationError):
        field.run_validators(Decimal("100.01"))
    with pytest.raises(ValidationError) as negative:
        field.run_validators(Decimal("-0.01"))
    assert negative.value.messages == ["金额不能为负数。"]


def test_money_refusals_say_what_was_wrong_and_quote_the_input():
    from core.money import parse_gateway_amount, round_money

    with pytest.raises(TypeError, match=r"^money is never a float; pass a Decimal, an int or a string$"):
        round_money(1.5)
    with pytest.raises(ValueError, match=r"^not an amount: 'abc'$"):
        parse_gateway_amount("abc")
    with pytest.raises(ValueError, match=r"^not an amount with two decimals: '1\.005'$"):
        parse_gateway_amount("1.005")
