import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts.validators import normalize_mobile, validate_mobile


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-138-1234-5678", "13812345678"),
        ("８６１３８１２３４５６７８", "13812345678"),
        (" (138) 1234-5678 ", "13812345678"),
    ],
)
def test_normalize_mobile(raw, expected):
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize(
    "bad", ["", "1381234567", "138123456789", "12812345678", "23812345678", "1381234567a"]
)
def test_invalid_mobiles_are_refused(bad):
    with pytest.raises(ValidationError):
        validate_mobile(bad)


@given(second=st.sampled_from("3456789"), rest=st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_mainland_number_is_valid_and_stable(second, rest):
    number = f"1{second}{rest}"
    validate_mobile(number)
    assert normalize_mobile(f"+86 {number}") == number
    assert normalize_mobile(normalize_mobile(number)) == number
