"""Mainland China mobile numbers: the login of every account."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 11 digits, starting with 1 and a second digit 3–9 (all current mainland ranges).
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_STRIP_RE = re.compile(r"[\s\-()]")


def normalize_mobile(value):
    """Return the 11-digit form: drop spaces, dashes, brackets and a +86/0086/86 prefix."""
    if value is None:
        return ""
    number = _STRIP_RE.sub("", str(value).strip())
    # Full-width digits typed on a Chinese keyboard.
    number = number.translate(str.maketrans("０１２３４５６７８９＋", "0123456789+"))
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
    if len(number) == 13 and number.startswith("86"):
        number = number[2:]
    return number


def validate_mobile(value):
    if not MOBILE_RE.match(normalize_mobile(value)):
        raise ValidationError(
            _("请输入有效的中国大陆手机号码（11 位数字，以 1 开头）。"),
            code="invalid_mobile",
        )
