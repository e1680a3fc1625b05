"""S1 (orgs/registry/uscc.py): the cases mutation testing found no test for.

Each test here kills mutants that survived `make mutation` (docs/testing.md, "Mutation
score"): the exact wording of the refusals a person reads, `check_char`'s own refusals,
and `is_valid` honouring the organisation type."""

import pytest
from django.core.exceptions import ValidationError

from orgs.registry import uscc

# The hand-checked code of tests/unit/test_registry_uscc.py (type 3, 基金会).
HAND_CHECKED = "53110000MJ00000013"


def _refusal(code, type_code=None):
    with pytest.raises(ValidationError) as info:
        uscc.validate(code, type_code)
    return info.value.messages[0], info.value.code


def test_s1_an_empty_code_is_refused_with_a_sentence_asking_for_it():
    for empty in ("", "   ", None):
        assert _refusal(empty) == ("请填写统一社会信用代码。", "uscc_empty")


def test_s1_a_forbidden_character_message_lists_the_five_excluded_capitals():
    message, code = _refusal("53110000MJ00I00013")
    assert message == "第13位字符“I”不是统一社会信用代码允许的字符（不使用 I、O、Z、S、V）。"
    assert code == "uscc_charset"


def test_s1_an_unknown_type_message_lists_the_civil_affairs_types(settings):
    first17 = "54" + HAND_CHECKED[2:17]
    message, code = _refusal(first17 + uscc.check_char(first17))
    allowed = "、".join(settings.S1_CIVIL_AFFAIRS_TYPE_CODES)
    assert message == f"第2位机构类别代码“4”无效，民政部门登记的机构应为 {allowed} 之一。"
    assert "1、2、3、9" in message and code == "uscc_type"


def test_s1_check_char_refuses_anything_but_seventeen_characters():
    for wrong_length in (HAND_CHECKED[:16], HAND_CHECKED):
        with pytest.raises(ValueError, match=r"^check_char\(\) needs exactly 17 characters$"):
            uscc.check_char(wrong_length)


def test_s1_is_valid_honours_the_organisation_type():
    assert uscc.is_valid(HAND_CHECKED, "3")
    assert not uscc.is_valid(HAND_CHECKED, "1")
    assert not uscc.is_valid(HAND_CHECKED[:17] + "A")


def test_s1_check_char_names_a_character_outside_the_alphabet():
    with pytest.raises(ValueError, match=r"^character 'I' is not allowed in a USCC$"):
        uscc.check_char("53110000MJ00I0001")


def test_s1_check_char_fails_loudly_when_the_weights_do_not_cover_every_position(settings):
    # The start-up check refuses a malformed S1_USCC_WEIGHTS; should one slip through with
    # a position missing, the check character must not be computed from the rest.
    settings.S1_USCC_WEIGHTS = settings.S1_USCC_WEIGHTS[:16]
    with pytest.raises(ValueError):
        uscc.check_char(HAND_CHECKED[:17])
