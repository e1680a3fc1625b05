"""F2 anomaly flags: a market price far from the city median is flagged (and still published),
and the bureau accepts or queries the flag."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone

from core.statemachine import transition

from ..models import CENT, PriceFlag


def anomaly(price, median):
    """F2: 'high', 'low' or None for a market price against the city median."""
    if median is None or median <= 0:
        return None, None
    ratio = (Decimal(price) / median).quantize(CENT, rounding=ROUND_HALF_UP)
    if Decimal(price) > median * settings.F2_ANOMALY_HIGH_RATIO:
        return "high", ratio
    if Decimal(price) < median * settings.F2_ANOMALY_LOW_RATIO:
        return "low", ratio
    return None, ratio


def review_flag(flag, *, status, note, user):
    """The bureau accepts or queries a flagged price (F2)."""
    flag.bureau_note = note
    flag.reviewed_by = user
    flag.reviewed_at = timezone.now()
    transition(
        flag,
        status,
        user=user,
        reason=note,
        table=PriceFlag.TRANSITIONS,
        save_fields=("bureau_note", "reviewed_by", "reviewed_at"),
    )
    return flag
