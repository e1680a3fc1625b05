"""S1: the unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (valued 0–30):

* position 1: the registering department (``5`` = civil affairs);
* position 2: the organisation type (under civil affairs ``1`` 社会团体,
  ``2`` 民办非企业单位/社会服务机构, ``3`` 基金会, ``9`` other);
* positions 3–8: the administrative division code;
* positions 9–17: the organisation code;
* position 18: the check character.

``validate()`` and ``check_char()`` are usable on their own; the model and the
forms call ``validate()`` with the organisation type.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: index for index, char in enumerate(ALPHABET)}
LENGTH = 18


def _weights():
    return settings.S1_USCC_WEIGHTS


def normalize(code):
    """Upper-case and strip spaces (people type codes in lower case or with spaces)."""
    return "".join(str(code or "").split()).upper()


def check_char(first17):
    """The check character for the first 17 characters of a code."""
    first17 = normalize(first17)
    if len(first17) != LENGTH - 1:
        raise ValueError("check_char() needs exactly 17 characters")
    total = 0
    for char, weight in zip(first17, _weights(), strict=True):
        if char not in VALUES:
            raise ValueError(f"character {char!r} is not allowed in a USCC")
        total += VALUES[char] * weight
    modulus = len(ALPHABET)
    return ALPHABET[(modulus - total % modulus) % modulus]


def validate(code, org_type_code=None):
    """Raise ``ValidationError`` with a precise Chinese message if ``code`` is not a valid
    civil-affairs USCC (and, when ``org_type_code`` is given, not of that type).
    Returns the normalised code."""
    code = normalize(code)
    if not code:
        raise ValidationError(_("请填写统一社会信用代码。"), code="uscc_empty")
    for position, char in enumerate(code, start=1):
        if char not in VALUES:
            raise ValidationError(
                _("第%(position)s位字符“%(char)s”不是统一社会信用代码允许的字符（不使用 I、O、Z、S、V）。")
                % {"position": position, "char": char},
                code="uscc_charset",
            )
    if len(code) != LENGTH:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(length)s位。") % {"length": len(code)},
            code="uscc_length",
        )
    department = settings.S1_CIVIL_AFFAIRS_DEPARTMENT_CODE
    if code[0] != department:
        raise ValidationError(
            _("第1位登记管理部门代码应为 %(expected)s（民政部门），当前为 %(actual)s。")
            % {"expected": department, "actual": code[0]},
            code="uscc_department",
        )
    known_types = settings.S1_CIVIL_AFFAIRS_TYPE_CODES
    if code[1] not in known_types:
        raise ValidationError(
            _("第2位机构类别代码“%(actual)s”无效，民政部门登记的机构应为 %(allowed)s 之一。")
            % {"actual": code[1], "allowed": "、".join(known_types)},
            code="uscc_type",
        )
    if org_type_code is not None and code[1] != org_type_code:
        raise ValidationError(
            _("第2位机构类别代码应为 %(expected)s（与组织类型一致），当前为 %(actual)s。")
            % {"expected": org_type_code, "actual": code[1]},
            code="uscc_type_mismatch",
        )
    expected = check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("第18位校验码应为 %(expected)s，当前为 %(actual)s。")
            % {"expected": expected, "actual": code[17]},
            code="uscc_check",
        )
    return code


def is_valid(code, org_type_code=None):
    try:
        validate(code, org_type_code)
    except ValidationError:
        return False
    return True


def build(type_code, division, organisation_code):
    """A valid code from its parts (used by demo data and tests)."""
    first17 = f"{settings.S1_CIVIL_AFFAIRS_DEPARTMENT_CODE}{type_code}{division}{organisation_code}"
    return first17 + check_char(first17)


# --- GB 11714: the organisation code (positions 9–17) ------------------------------------------

ORGANISATION_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code_check_char(first8):
    """GB 11714-1997's check character for the first eight characters of an organisation code:
    11 minus the weighted sum modulo 11, where 10 is written ``X`` and 11 is ``0``."""
    total = 0
    for char, weight in zip(first8, ORGANISATION_CODE_WEIGHTS, strict=True):
        value = ORGANISATION_CODE_ALPHABET.find(char)
        if value < 0:
            raise ValueError(f"character {char!r} is not allowed in an organisation code")
        total += value * weight
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def is_valid_organisation_code(code):
    """Whether ``code`` (9 characters) carries its GB 11714 check character."""
    if len(code) != 9:
        return False
    try:
        return organisation_code_check_char(code[:8]) == code[8]
    except ValueError:
        return False
