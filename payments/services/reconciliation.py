"""The reconciliation: query processing intents older than ``PAYMENTS_RECONCILE_AFTER_MINUTES``,
close expired or withdrawn unpaid ones, and retry refunds the gateway could not take at the time.

:func:`reconcile` returns a :class:`ReconcileSummary`: the counters the periodic command prints,
and (since issue 23) one :class:`ReconcileLine` per intent it looked at, each in one of three
groups: **matched** (platform and gateway agree, nothing to do), **fixed** (settled, closed or
refunded now) and **attention** (a person must look: the gateway answered with an error, the
amounts differ, or money arrived for something that no longer takes it and could not be
refunded). :func:`run_reconciliation` runs it and stores the report
(``payments.ReconciliationRun``), for the bureau's admin and for the periodic job alike.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import PaymentIntent
from ..providers import NotificationRejected, ProviderError, TradeStatus
from ._common import Status
from .refunds import refund_refused
from .settlement import settle_closed
from .syncing import close_intent, sync_intent

MATCHED, FIXED, ATTENTION = "matched", "fixed", "attention"


@dataclass
class ReconcileLine:
    """What reconciliation found for one intent (``note`` in the platform language)."""

    intent_id: int
    public_id: str
    outcome: str  # MATCHED, FIXED or ATTENTION
    gateway_status: str = ""
    note: str = ""


@dataclass
class ReconcileSummary:
    checked: int = 0
    succeeded: int = 0
    closed: int = 0
    still_processing: int = 0
    expired: int = 0
    withdrawn: int = 0
    refunded: int = 0
    errors: list = field(default_factory=list)
    # The report's rows; left out of ``==`` so a summary compares by its counters, as before.
    lines: list = field(default_factory=list, compare=False, repr=False)

    def add(self, intent, outcome, note, gateway_status=""):
        self.lines.append(
            ReconcileLine(intent.pk, intent.public_id, outcome, str(gateway_status or ""), note)
        )

    def count(self, outcome):
        return sum(1 for line in self.lines if line.outcome == outcome)


# The gateway holds no payment for the trade yet: it may still be paid, or closed.
UNSETTLED = (TradeStatus.PENDING, TradeStatus.NOT_FOUND)


def _stale_processing(summary, intent, now):
    summary.checked += 1
    try:
        status = sync_intent(intent)
    except (ProviderError, NotificationRejected) as exc:
        summary.errors.append(f"{intent.public_id}: {exc}")
        summary.add(intent, ATTENTION, _("查询渠道失败：%(error)s") % {"error": exc})
        return
    intent = PaymentIntent.objects.with_balances().get(pk=intent.pk)
    if intent.status == Status.SUCCEEDED:
        summary.succeeded += 1
        if intent.refused_reason and intent.amount_captured > intent.amount_refunded:
            summary.add(
                intent,
                ATTENTION,
                _("渠道显示已支付，已入账；所付对象不再收款（%(reason)s），自动退款未成功，请人工处理")
                % {"reason": intent.refused_reason},
                status,
            )
        elif intent.refused_reason:
            summary.add(
                intent,
                FIXED,
                _("渠道显示已支付，已入账并全额退回：%(reason)s") % {"reason": intent.refused_reason},
                status,
            )
        else:
            summary.add(intent, FIXED, _("渠道显示已支付，已入账"), status)
    elif intent.status == Status.CANCELED:
        summary.closed += 1
        summary.add(intent, FIXED, _("渠道显示交易已关闭，支付单已取消"), status)
    elif status in UNSETTLED and (intent.refused_reason or intent.expires_at <= now):
        withdrawn = bool(intent.refused_reason)
        try:
            closed = close_intent(intent, reason="withdrawn" if withdrawn else "expired")
        except ProviderError as exc:
            summary.errors.append(f"{intent.public_id}: {exc}")
            summary.add(intent, ATTENTION, _("关闭渠道交易失败：%(error)s") % {"error": exc}, status)
            return
        if closed:
            if withdrawn:
                summary.withdrawn += 1
                summary.add(intent, FIXED, _("付款已撤回，渠道交易已关闭"), status)
            else:
                summary.expired += 1
                summary.add(intent, FIXED, _("已过期未支付，渠道交易已关闭"), status)
        elif PaymentIntent.objects.filter(pk=intent.pk, status=Status.SUCCEEDED).exists():
            summary.add(intent, FIXED, _("关闭时买家已付款，已入账"), TradeStatus.PAID)
        else:
            summary.add(intent, MATCHED, _("支付单已不在支付中，未作改动"), status)
    else:
        summary.still_processing += 1
        summary.add(intent, MATCHED, _("渠道显示尚未支付，支付单仍在有效期内"), status)


def reconcile(*, older_than=None, now=None):
    """Query processing intents older than ``older_than``; close expired unpaid ones."""
    now = now or timezone.now()
    older_than = (
        older_than if older_than is not None else timedelta(minutes=settings.PAYMENTS_RECONCILE_AFTER_MINUTES)
    )
    summary = ReconcileSummary()
    with translation.override(settings.LANGUAGE_CODE):
        stale = PaymentIntent.objects.filter(status=Status.PROCESSING, updated_at__lte=now - older_than)
        for intent in stale.order_by("pk"):
            _stale_processing(summary, intent, now)
        unopened = PaymentIntent.objects.filter(status=Status.REQUIRES_PAYMENT, expires_at__lte=now)
        for intent in unopened.order_by("pk"):
            with transaction.atomic():
                locked = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
                if settle_closed(locked, source="expired"):
                    summary.expired += 1
                    summary.add(locked, FIXED, _("未发起支付且已过期，支付单已取消"))
        # Money that arrived for something no longer paid for, whose refund the gateway
        # could not take at the time.
        refused = (
            PaymentIntent.objects.with_balances().filter(status=Status.SUCCEEDED).exclude(refused_reason="")
        )
        seen = {line.intent_id for line in summary.lines}
        for intent in refused.filter(captured__gt=F("refunded")).order_by("pk"):
            if refund_refused(intent) is not None:
                summary.refunded += 1
                note = _("所付对象不再收款，已全额退回：%(reason)s") % {"reason": intent.refused_reason}
                _replace_or_add(summary, intent, FIXED, note)
            elif intent.pk not in seen:
                note = _("所付对象不再收款（%(reason)s），退款未成功，请人工处理") % {
                    "reason": intent.refused_reason
                }
                summary.add(intent, ATTENTION, note)
    return summary


def _replace_or_add(summary, intent, outcome, note):
    for line in summary.lines:
        if line.intent_id == intent.pk:
            line.outcome, line.note = outcome, f"{line.note}；{note}"
            return
    summary.add(intent, outcome, note)


def run_reconciliation(*, older_than=None, user=None, trigger="task"):
    """Reconcile and store the report (a ``ReconciliationRun`` with one row per intent)."""
    from ..models import ReconciliationItem, ReconciliationRun

    older_than = (
        older_than if older_than is not None else timedelta(minutes=settings.PAYMENTS_RECONCILE_AFTER_MINUTES)
    )
    run = ReconciliationRun.objects.create(
        trigger=trigger,
        started_by=user if user is not None and user.is_authenticated else None,
        older_than_minutes=int(older_than.total_seconds() // 60),
    )
    summary = reconcile(older_than=older_than)
    statuses = dict(
        PaymentIntent.objects.filter(pk__in=[line.intent_id for line in summary.lines]).values_list(
            "pk", "status"
        )
    )
    ReconciliationItem.objects.bulk_create(
        ReconciliationItem(
            run=run,
            intent_id=line.intent_id,
            outcome=line.outcome,
            gateway_status=line.gateway_status,
            status_after=statuses.get(line.intent_id, ""),
            note=line.note[:500],
        )
        for line in summary.lines
    )
    run.finished_at = timezone.now()
    run.checked = len(summary.lines)
    run.matched = summary.count(MATCHED)
    run.fixed = summary.count(FIXED)
    run.attention = summary.count(ATTENTION)
    run.save(update_fields=["finished_at", "checked", "matched", "fixed", "attention"])
    return run, summary


@dataclass
class ChannelAnswer:
    """What asking the gateway about one intent did (``payments_admin_query``)."""

    gateway_status: str
    status_before: str
    status_after: str
    settled: bool
    error: str = ""

    @property
    def message(self):
        if self.error:
            return _("查询渠道失败：%(error)s") % {"error": self.error}
        if self.gateway_status == TradeStatus.PAID:
            if self.settled:
                return _("渠道显示已支付，已入账")
            return _("渠道显示已支付，平台此前已入账，未作改动")
        if self.gateway_status == TradeStatus.CLOSED:
            if self.status_before != self.status_after:
                return _("渠道显示交易已关闭，支付单已取消")
            return _("渠道显示交易已关闭")
        if self.gateway_status == TradeStatus.NOT_FOUND:
            return _("渠道显示未支付（渠道尚无此交易：付款人未打开收银台）")
        return _("渠道显示未支付")


def query_channel(intent, *, user):
    """Ask the gateway how ``intent``'s trade stands and settle it (``sync_intent``), for an
    officer in the admin; audited with who asked and what the gateway said."""
    from wagtail.log_actions import log

    before = intent.status
    charged = intent.transactions.filter(kind="charge").exists()
    try:
        status = sync_intent(intent, user=user)
        error = ""
    except (ProviderError, NotificationRejected) as exc:
        status, error = "", str(exc)
    intent = PaymentIntent.objects.get(pk=intent.pk)
    settled = not charged and intent.transactions.filter(kind="charge").exists()
    answer = ChannelAnswer(str(status), before, intent.status, settled, error)
    log(
        intent,
        "payments.channel_queried",
        user=user,
        data={
            "gateway_status": answer.gateway_status,
            "from": before,
            "to": intent.status,
            "settled": settled,
            "error": error[:300],
        },
    )
    return answer
