"""The rule settings (config/settings/rules.py): defaults as RULES.md, each one from the environment."""

import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import environment

RULES_PATH = Path(environment.__file__).with_name("rules.py")


def load_rules():
    """A fresh copy of the rules module, read under the current environment."""
    spec = importlib.util.spec_from_file_location("config.settings.rules_probe", RULES_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_defaults_are_the_figures_of_the_rules():
    rules = load_rules()
    assert rules.S2_FOUNDATION_DEADLINE == (3, 31) and rules.S2_REGISTRATION_DEADLINE == (5, 31)
    assert rules.C1_CHARITY_REPORT_DEADLINE == (5, 31)
    assert rules.S7_GRADE_THRESHOLDS[0] == (5, Decimal("950")) and rules.S7_MAX_SCORE == 1000
    assert rules.C3_TIERS_FOUNDATION[0] == (Decimal("60000000"), Decimal("0.06"), Decimal("0.12"))
    assert rules.F8_CANCELLATION_REFUND_SCHEDULE[0] == (3, "1.00")
    assert rules.M2_CERTIFICATE_KINDS == {
        "funeral_home": "cremation_certificate",
        "cemetery": "burial_certificate",
    }
    # The settings Django runs with are these rules.
    assert settings.S7_GRADE_THRESHOLDS == rules.S7_GRADE_THRESHOLDS
    assert settings.C3_TIERS_OTHER == rules.C3_TIERS_OTHER


def test_a_rule_figure_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("S2_FOUNDATION_DEADLINE", "04-30")
    monkeypatch.setenv("S7_GRADE_THRESHOLDS", "5:900,4:800")
    monkeypatch.setenv("C3_TIERS_OTHER", "0:0.05:0.25")
    monkeypatch.setenv("F7_FREE_BURIAL_CHOICES", "sea, natural, tree")
    monkeypatch.setenv("M2_CERTIFICATE_KINDS", "funeral_home:cremation_certificate")
    rules = load_rules()
    assert rules.S2_FOUNDATION_DEADLINE == (4, 30)
    assert ((5, Decimal("900")), (4, Decimal("800"))) == rules.S7_GRADE_THRESHOLDS
    assert ((Decimal("0"), Decimal("0.05"), Decimal("0.25")),) == rules.C3_TIERS_OTHER
    assert rules.F7_FREE_BURIAL_CHOICES == ("sea", "natural", "tree")
    assert rules.M2_CERTIFICATE_KINDS == {"funeral_home": "cremation_certificate"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("S2_FOUNDATION_DEADLINE", "13-01"),
        ("S2_FOUNDATION_DEADLINE", "March 31"),
        ("S7_GRADE_THRESHOLDS", "5:950:1"),
        ("C3_TIERS_OTHER", "0:zero:0.2"),
        ("S1_USCC_WEIGHTS", "1,3,x"),
    ],
)
def test_a_malformed_rule_figure_stops_start_up_naming_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        load_rules()
