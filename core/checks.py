"""Checks explained to the person they concern (S9's pre-checks, B1's eligibility): each rule
as one :class:`Check` with a pass or fail and the reason in words, shown as the person types
and again when they submit."""

from dataclasses import dataclass

from django.utils.translation import pgettext


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    passed: bool
    explanation: str


def joined(items):
    """A list in running text: 、 in Chinese, a comma in English."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def failures(checks):
    return [check for check in checks if not check.passed]
