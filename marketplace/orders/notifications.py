"""What happens next, told to the family (issue 18, point 6).

After ordering, the family sees when the provider usually confirms (the provider's
``confirmation_hours``, else ``ORDERS_DEFAULT_CONFIRMATION_HOURS``), and receives an SMS at
each status change of the order and each step of its contract and change orders, so nobody
has to keep reloading the page at the worst time of their life.

The SMS goes to the ordering account's own number, which was proven by SMS at sign-up, never
to the contact number typed into the order form (that would let anyone text a stranger through
the platform). It is sent after the transaction commits: a move that is rolled back tells no
one. A gateway error is logged and never undoes the move it reports.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.sms import send_sms_on_commit
from core import demo

from .models import ChangeOrder, ChangeStatus, Order, OrderStatus


def confirmation_hours(provider):
    return provider.confirmation_hours or settings.ORDERS_DEFAULT_CONFIRMATION_HOURS


def expected_confirmation(order):
    """When the provider is expected to confirm a submitted order (aware, Asia/Shanghai)."""
    return timezone.localtime(order.submitted_at + timedelta(hours=confirmation_hours(order.provider)))


def _order_text(order, target):
    S = OrderStatus
    if target == S.SUBMITTED:
        return _(
            "订单已提交。%(provider)s 通常在 %(hours)s 小时内确认服务时间（预计 %(when)s 前），确认后会再发短信通知您。"
        ) % {
            "provider": order.provider.name,
            "hours": confirmation_hours(order.provider),
            "when": expected_confirmation(order).strftime("%Y-%m-%d %H:%M"),
        }
    texts = {
        S.CONFIRMED: lambda: (
            _("机构已确认服务时间：%(date)s %(time)s，礼厅：%(hall)s。合同出具后会再通知您签署。")
            % {
                "date": order.service_date.isoformat() if order.service_date else "—",
                "time": order.service_time.strftime("%H:%M") if order.service_time else "—",
                "hall": order.hall or "—",
            }
        ),
        S.CONTRACT_ISSUED: lambda: _("合同已出具，请登录平台阅读全文并签署。"),
        S.FAMILY_SIGNED: lambda: _("您已签署合同，正在等待机构会签。"),
        S.COUNTERSIGNED: lambda: _("合同已生效（双方已签署并盖章），请登录平台按合同支付。"),
        S.PAID: lambda: _("已收到付款，服务将按约定时间进行。"),
        S.IN_SERVICE: lambda: _("服务已开始。"),
        S.COMPLETED: lambda: _("服务已完成，电子证明已签发，可登录平台查看和核验；欢迎评价本次服务。"),
        S.CANCELLED: lambda: _("订单已取消。如有已付款项，将按合同取消条款退款。"),
        S.REFUNDED: lambda: _("退款已办理，款项将原路退回。"),
    }
    text = texts.get(target)
    return text() if text else None


def _change_text(change, target):
    texts = {
        ChangeStatus.FAMILY_SIGNED: _("您已签署合同变更 %(number)s，正在等待机构会签。"),
        ChangeStatus.SIGNED: _("合同变更 %(number)s 已生效，最终账单已按变更调整。"),
        ChangeStatus.DECLINED: _("您已拒绝合同变更 %(number)s，原合同继续有效。"),
        ChangeStatus.WITHDRAWN: _("机构已撤回合同变更 %(number)s，原合同继续有效。"),
    }
    text = texts.get(target)
    return text % {"number": change.display_number} if text else None


def change_proposed(change):
    """A new change order waits for the family's signature (it is created, not moved)."""
    _tell(
        change.order,
        _("机构提出了合同变更 %(number)s，请登录平台查看明细，签署或拒绝。")
        % {"number": change.display_number},
    )


def slot_move_proposed(booking):
    """F11: the family must agree to a move, so it is told at once."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "机构提议将您预约的%(resource)s从 %(old)s 改约至 %(new)s，请登录平台查看原因，同意或保留原档期。"
        ) % {
            "resource": booking.resource.name,
            "old": timezone.localtime(booking.starts_at).strftime("%m-%d %H:%M"),
            "new": timezone.localtime(booking.proposed_slot.starts_at).strftime("%m-%d %H:%M"),
        }
    _tell(booking.order, text)


def order_submitted(order):
    _tell(order, None, target=OrderStatus.SUBMITTED)


def _tell(order, text, *, target=None):
    if not settings.ORDERS_STATUS_SMS or demo.is_loading():
        return
    user = order.user
    if not user.mobile or not user.is_mobile_verified:
        return
    with translation.override(settings.LANGUAGE_CODE):  # texts go out in the platform's language
        if target is not None:
            text = _order_text(order, target)
        if not text:
            return
        body = _("【北京市民政公共服务平台】您的订单 %(ref)s：%(text)s") % {
            "ref": order.reference,
            "text": text,
        }
    send_sms_on_commit(user.mobile, body, what="order status")


def on_transition(sender, instance, target, **kwargs):
    """``core.statemachine.transitioned`` receiver: an order's or a change order's move."""
    if sender is Order:
        _tell(instance, None, target=target)
    elif sender is ChangeOrder:
        text = _change_text(instance, target)
        if text:
            _tell(instance.order, text)
