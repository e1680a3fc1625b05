"""S1: the unified social credit code (GB 32100-2015)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from orgs.registry import uscc

ALPHABET = uscc.ALPHABET

# Checked by hand: 5·1 + 3·3 + 1·9 + 1·27 + M(21)·20 + J(18)·29 + 1·28 = 1020;
# 1020 mod 31 = 28; check = (31 − 28) mod 31 = 3.
HAND_CHECKED = "53110000MJ00000013"


def valid_codes():
    department = st.just("5")
    kind = st.sampled_from("1239")
    division = st.text(alphabet="0123456789", min_size=6, max_size=6)
    organisation = st.text(alphabet=ALPHABET, min_size=9, max_size=9)
    return st.tuples(department, kind, division, organisation).map(
        lambda parts: "".join(parts) + uscc.check_char("".join(parts))
    )


def test_s1_check_character_matches_a_hand_computed_example():
    assert uscc.check_char(HAND_CHECKED[:17]) == "3"
    assert uscc.validate(HAND_CHECKED) == HAND_CHECKED


def test_s1_weights_and_alphabet_are_the_standard_ones(settings):
    assert settings.S1_USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31 and not set("IOZSV") & set(ALPHABET)


@given(valid_codes())
def test_s1_every_generated_valid_code_passes(code):
    assert uscc.validate(code) == code
    assert uscc.is_valid(code)


@given(valid_codes(), st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_s1_single_character_change_fails(code, position, replacement):
    if code[position] == replacement:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % len(ALPHABET)]
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        uscc.validate(changed)


@given(valid_codes())
def test_s1_lower_case_and_spaces_are_normalised(code):
    assert uscc.validate(" " + code.lower()[:9] + " " + code.lower()[9:]) == code


def _message(code, type_code=None):
    with pytest.raises(ValidationError) as info:
        uscc.validate(code, type_code)
    return info.value.messages[0], info.value.code


def test_s1_wrong_check_character_names_the_expected_one():
    message, code = _message(HAND_CHECKED[:17] + "A")
    assert message == "第18位校验码应为 3，当前为 A。"
    assert code == "uscc_check"


def test_s1_length_error_states_the_length():
    message, code = _message(HAND_CHECKED[:16])
    assert message == "统一社会信用代码应为18位，当前为16位。" and code == "uscc_length"


def test_s1_forbidden_character_is_named_with_its_position():
    message, code = _message("53110000MJ00I00013")
    assert message.startswith("第13位字符“I”不是统一社会信用代码允许的字符") and code == "uscc_charset"


def test_s1_department_must_be_civil_affairs():
    first17 = "9" + HAND_CHECKED[1:17]
    message, code = _message(first17 + uscc.check_char(first17))
    assert message == "第1位登记管理部门代码应为 5（民政部门），当前为 9。" and code == "uscc_department"


def test_s1_unknown_type_code_is_refused():
    first17 = "54" + HAND_CHECKED[2:17]
    message, code = _message(first17 + uscc.check_char(first17))
    assert "第2位机构类别代码“4”无效" in message and code == "uscc_type"


def test_s1_type_code_must_agree_with_the_organisation_type():
    message, code = _message(HAND_CHECKED, "1")
    assert message == "第2位机构类别代码应为 1（与组织类型一致），当前为 3。" and code == "uscc_type_mismatch"


def test_s1_empty_code():
    assert _message("")[1] == "uscc_empty"


def test_s1_build_produces_valid_codes_for_every_type():
    for type_code in "123":
        assert uscc.is_valid(uscc.build(type_code, "110105", "MJ1234567"), type_code)
