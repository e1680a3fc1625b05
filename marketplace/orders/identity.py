"""Identity numbers of the deceased: validated, then kept only masked plus a keyed digest.

The full number is never stored or shown. The HMAC-SHA256 (keyed with SECRET_KEY) lets
staff match a number typed again against an order without keeping the number itself.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def normalise(number):
    return "".join((number or "").split()).upper()


def check_character(first17):
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def validate_resident_id(number):
    """GB 11643-1999: 17 digits and a check character (0-9 or X)."""
    number = normalise(number)
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise ValidationError(_("请输入 18 位居民身份证号码。"), code="format")
    if check_character(number[:17]) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对后重新输入。"), code="checksum")
    return number


def mask(number):
    """110101199001011234 → 110***********1234."""
    number = normalise(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def digest(number):
    return hmac.new(settings.SECRET_KEY.encode(), normalise(number).encode(), hashlib.sha256).hexdigest()
