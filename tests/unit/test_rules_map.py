"""docs/rules.md stays true: every function it names imports, every test it names exists."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_rules_map.py"


@pytest.fixture(scope="module")
def checker():
    spec = importlib.util.spec_from_file_location("check_rules_map", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_rules_map_matches_the_code(checker, capsys):
    assert checker.main([]) == 0, capsys.readouterr().err


def broken_map(checker, tmp_path, replacements):
    text = checker.MAP_PATH.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "rules.md"
    path.write_text(text, encoding="utf-8")
    return checker.check(path)


def test_a_missing_function_or_test_is_reported(checker, tmp_path):
    problems = broken_map(
        checker,
        tmp_path,
        [
            (
                "`marketplace.catalogue.services.check_ceiling`",
                "`marketplace.catalogue.services.no_such_rule`",
            ),
            ("`orgs.registry.uscc.validate`", "`orgs.registry.no_such_module.validate`"),
            ("test_s8_objection_dismissed_keeps_the_record`", "test_s8_no_such_test`"),
        ],
    )
    assert any(
        "F2: function marketplace.catalogue.services.no_such_rule does not exist" in p for p in problems
    )
    assert any("S1: function orgs.registry.no_such_module.validate does not exist" in p for p in problems)
    assert any(
        "S8: test test_s8_no_such_test not found in tests/unit/test_credit_rules.py" in p for p in problems
    )


def test_a_built_rule_needs_a_test_and_a_rule_needs_a_row(checker, tmp_path):
    problems = broken_map(
        checker,
        tmp_path,
        [
            (
                "`tests/unit/test_catalogue_rules.py::test_f1_basic_services_are_seeded_and_every_price_carries_a_basis`",
                "—",
            ),
            ("| S9 |", "| X9 |"),
            ("`F5_DEFAULT_TERM_YEARS`", "—"),
            ("| `marketplace.catalogue.services.price_notice` |", "| — |"),
        ],
    )
    assert "F1: a built rule needs at least one test" in problems
    assert "S9: no row in the rules map" in problems
    assert "F5: setting F5_DEFAULT_TERM_YEARS (config/settings/rules.py) is not listed in its row" in problems
    assert "F3: a built rule needs at least one function" in problems


def test_parametrized_ids_are_stripped(checker, tmp_path):
    problems = broken_map(
        checker,
        tmp_path,
        [
            (
                "test_s1_single_character_change_fails`",
                "test_s1_single_character_change_fails[0]`",
            )
        ],
    )
    assert problems == []
