"""What a family is told about cancelling (F8), in one place.

The cancellation clause is the refund schedule the platform applies, and nothing else: the
schedule written into a contract when it is issued (``Contract.refund_schedule``), or the
bureau's current ``F8_CANCELLATION_REFUND_SCHEDULE`` before there is a contract. A provider's
own wording used to be printed beside it, so one contract said both "free to cancel before the
service" and "80% back the day before"; the refund that is actually paid follows the schedule
(``paying.refund_ratio``), so the schedule alone is the clause the family reads and signs.
"""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _


def refund_schedule_text(schedule):
    """``[[days before the service day, share], …]`` in words, longest notice first."""
    parts = []
    for days, ratio in schedule:
        share = f"{Decimal(ratio) * 100:.0f}%"
        if days > 0:
            parts.append(
                _("服务日前 %(days)s 日及以上取消，退还已付款项的 %(share)s") % {"days": days, "share": share}
            )
        elif days == 0:
            parts.append(_("服务日当天取消，退还 %(share)s") % {"share": share})
        else:
            parts.append(_("服务日之后取消，退还 %(share)s") % {"share": share})
    return _("；").join(parts)


def schedule_in_force(contract=None):
    """The refund schedule that applies: the contract's own, else the bureau's current one."""
    if contract is not None and contract.refund_schedule:
        return contract.refund_schedule
    return [[days, str(ratio)] for days, ratio in settings.F8_CANCELLATION_REFUND_SCHEDULE]


def cancellation_clause(schedule):
    """The clause as the family reads it before ordering, in the contract and when cancelling."""
    return _("%(schedule)s。退款由平台按此比例计算，不另收取取消费用。") % {
        "schedule": refund_schedule_text(schedule)
    }
