"""Stripe-shaped payment records: intents, refunds, a ledger and provider notifications.

Balances are never stored: what was captured and refunded is always the sum of the
ledger's :class:`Transaction` rows. Ledger rows and the raw part of a notification are
append-only. The app knows nothing about what is paid for; it links to it through a
generic foreign key and announces changes through ``payments.signals``.
"""

import secrets
import string
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.money import ZERO

_ALPHABET = string.ascii_letters + string.digits


def _public_id(prefix):
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(24))


def new_intent_id():
    return _public_id("pi_")


def new_refund_id():
    return _public_id("re_")


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")


class Channel(models.TextChoices):
    PC = "pc", _("电脑网站支付")
    MOBILE = "mobile", _("手机网站支付")
    QR = "qr", _("扫码支付")


class PaymentIntentQuerySet(models.QuerySet):
    def with_balances(self):
        """Annotate ``captured`` and ``refunded`` from the ledger (one query)."""
        return self.annotate(
            captured=Coalesce(
                Sum("transactions__amount", filter=Q(transactions__kind=Transaction.Kind.CHARGE)),
                ZERO,
                output_field=models.DecimalField(max_digits=12, decimal_places=2),
            ),
            refunded=Coalesce(
                Sum("transactions__amount", filter=Q(transactions__kind=Transaction.Kind.REFUND)),
                ZERO,
                output_field=models.DecimalField(max_digits=12, decimal_places=2),
            ),
        )


class PaymentIntent(models.Model):
    class Status(models.TextChoices):
        REQUIRES_PAYMENT = "requires_payment", _("待支付")
        PROCESSING = "processing", _("支付中")
        SUCCEEDED = "succeeded", _("已支付")
        FAILED = "failed", _("支付失败")
        CANCELED = "canceled", _("已取消")

    TRANSITIONS = {
        (Status.REQUIRES_PAYMENT, Status.PROCESSING): "start_checkout",
        (Status.REQUIRES_PAYMENT, Status.CANCELED): "cancel",
        (Status.PROCESSING, Status.SUCCEEDED): "succeed",
        (Status.PROCESSING, Status.FAILED): "fail",
        (Status.PROCESSING, Status.CANCELED): "cancel",
        # Money the gateway says it took is always recorded, even after the platform
        # gave up on the intent (the buyer paid while it was being closed).
        (Status.CANCELED, Status.SUCCEEDED): "late_payment",
        (Status.FAILED, Status.SUCCEEDED): "late_payment",
    }

    public_id = models.CharField(
        _("支付编号"), max_length=32, unique=True, default=new_intent_id, editable=False
    )
    amount = models.DecimalField(
        _("金额"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.REQUIRES_PAYMENT, db_index=True
    )
    provider = models.CharField(_("支付渠道配置"), max_length=40)
    channel = models.CharField(_("支付方式"), max_length=10, choices=Channel.choices, blank=True)
    provider_trade_no = models.CharField(_("渠道交易号"), max_length=64, blank=True, db_index=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=128, unique=True)
    description = models.CharField(_("说明"), max_length=256)
    metadata = models.JSONField(_("附加信息"), default=dict, blank=True)
    return_url = models.CharField(_("支付后返回地址"), max_length=500, blank=True)
    expires_at = models.DateTimeField(_("过期时间"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("付款人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_intents",
    )
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True)
    payable = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    succeeded_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    refused_reason = models.CharField(
        _("不予收款原因"),
        max_length=300,
        blank=True,
        help_text=_("付款人撤销了这笔支付，或所付对象已不再收款（如订单已取消）：到账的款项自动全额退回。"),
    )

    objects = PaymentIntentQuerySet.as_manager()

    class Meta:
        verbose_name = _("支付单")
        verbose_name_plural = _("支付单")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        permissions = [
            ("refund_paymentintent", _("可以发起人工退款")),
            ("query_paymentintent", _("可以向支付渠道查询支付单并据此入账")),
        ]

    def __str__(self):
        return f"{self.public_id} ¥{self.amount}"

    @property
    def out_trade_no(self):
        """The merchant order number sent to the gateway."""
        return self.public_id

    def _ledger_sum(self, kind):
        if self.pk is None:
            return ZERO
        total = self.transactions.filter(kind=kind).aggregate(total=Sum("amount"))["total"]
        return total if total is not None else ZERO

    @property
    def amount_captured(self):
        if hasattr(self, "captured"):
            return self.captured
        return self._ledger_sum(Transaction.Kind.CHARGE)

    @property
    def amount_refunded(self):
        if hasattr(self, "refunded"):
            return self.refunded
        return self._ledger_sum(Transaction.Kind.REFUND)

    @property
    def is_expired(self):
        return timezone.now() >= self.expires_at

    @property
    def is_payable(self):
        return self.status in (self.Status.REQUIRES_PAYMENT, self.Status.PROCESSING) and not self.is_expired

    def refund_state(self):
        """What the bureau's list shows: 已退款 ¥x and why, or —."""
        refunded = self.amount_refunded
        if not refunded:
            return (
                _("待退款：%(reason)s") % {"reason": self.refused_reason}
                if (self.refused_reason and self.status == self.Status.SUCCEEDED)
                else "—"
            )
        text = _("已退款 ¥%(amount)s") % {"amount": Decimal(refunded).quantize(Decimal("0.01"))}
        return f"{text}（{self.refused_reason}）" if self.refused_reason else text

    refund_state.short_description = _("退款")

    @property
    def is_open(self):
        return self.status in (self.Status.REQUIRES_PAYMENT, self.Status.PROCESSING)


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("处理中")
        SUCCEEDED = "succeeded", _("已退款")
        FAILED = "failed", _("退款失败")

    TRANSITIONS = {
        (Status.PENDING, Status.SUCCEEDED): "succeed",
        (Status.PENDING, Status.FAILED): "fail",
    }

    public_id = models.CharField(
        _("退款编号"), max_length=32, unique=True, default=new_refund_id, editable=False
    )
    intent = models.ForeignKey(
        PaymentIntent, verbose_name=_("支付单"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(
        _("退款金额"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    reason = models.CharField(_("退款原因"), max_length=256)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    provider_refund_id = models.CharField(_("渠道退款标识"), max_length=128, blank=True)
    failure_message = models.CharField(_("失败原因"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.public_id} ¥{self.amount}"

    @property
    def out_request_no(self):
        return self.public_id


class Transaction(AppendOnlyModel):
    """One movement of money. Amounts are positive; ``kind`` gives the direction."""

    edit_message = "Transaction rows are append-only"
    delete_message = "Transaction rows are append-only"

    class Kind(models.TextChoices):
        CHARGE = "charge", _("收款")
        REFUND = "refund", _("退款")

    intent = models.ForeignKey(
        PaymentIntent, verbose_name=_("支付单"), on_delete=models.PROTECT, related_name="transactions"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(
        _("金额"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    refund = models.OneToOneField(
        Refund,
        verbose_name=_("退款"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transaction",
    )
    provider_reference = models.CharField(_("渠道流水号"), max_length=128, blank=True)
    source = models.CharField(_("依据"), max_length=40, help_text=_("notification、query 或 refund"))
    notification = models.ForeignKey(
        "NotificationEvent", verbose_name=_("通知"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("记账时间"), default=timezone.now)

    class Meta:
        verbose_name = _("流水")
        verbose_name_plural = _("流水")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["intent"], condition=Q(kind="charge"), name="payments_one_charge_per_intent"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_transaction_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ¥{self.amount}"


class NotificationEvent(AppendOnlyModel):
    """An asynchronous notification exactly as it arrived, and what became of it.

    The raw request (provider, id, body, headers, address, time) is written before any
    check, in its own transaction, and never changes afterwards; only the outcome fields
    (verified, processed, error, traceback, intent, replays) are filled in later.
    """

    RAW_FIELDS = ("provider", "notification_id", "raw_body", "headers", "remote_ip", "received_at")
    mutable_columns = frozenset(
        {"verified", "processed", "error", "traceback", "intent_id", "replay_count", "last_received_at"}
    )
    edit_message = "a notification's raw request is never rewritten"
    delete_message = "notifications are kept"

    provider = models.CharField(_("支付渠道配置"), max_length=40)
    notification_id = models.CharField(_("通知编号"), max_length=128)
    raw_body = models.TextField(_("原始报文"))
    headers = models.JSONField(_("请求头"), default=dict)
    remote_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now, db_index=True)
    verified = models.BooleanField(_("签名有效"), default=False)
    processed = models.BooleanField(_("已处理"), default=False)
    error = models.TextField(_("错误"), blank=True)
    traceback = models.TextField(_("错误堆栈"), blank=True)
    intent = models.ForeignKey(
        PaymentIntent,
        verbose_name=_("支付单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    replay_count = models.PositiveIntegerField(_("重复送达次数"), default=0)
    last_received_at = models.DateTimeField(_("最近送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("渠道通知")
        verbose_name_plural = _("渠道通知")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "notification_id"], name="payments_notification_unique"
            )
        ]

    def __str__(self):
        return f"{self.provider} {self.notification_id}"


class ReconciliationRun(models.Model):
    """One reconciliation (``services.reconciliation.run_reconciliation``): who or what started
    it, over which intents, and its counts; its rows are :class:`ReconciliationItem`."""

    class Trigger(models.TextChoices):
        ADMIN = "admin", _("局端人工发起")
        TASK = "task", _("定时任务")

    started_at = models.DateTimeField(_("开始时间"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    trigger = models.CharField(_("发起方式"), max_length=10, choices=Trigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    older_than_minutes = models.PositiveIntegerField(_("查询支付中超过（分钟）"))
    checked = models.PositiveIntegerField(_("核对笔数"), default=0)
    matched = models.PositiveIntegerField(_("一致"), default=0)
    fixed = models.PositiveIntegerField(_("已自动处理"), default=0)
    attention = models.PositiveIntegerField(_("需人工处理"), default=0)

    class Meta:
        verbose_name = _("对账记录")
        verbose_name_plural = _("对账记录")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return _("对账 %(time)s") % {"time": timezone.localtime(self.started_at).strftime("%Y-%m-%d %H:%M")}


class ReconciliationItem(models.Model):
    """One intent in a reconciliation: already consistent, fixed now, or needing a person."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("一致")
        FIXED = "fixed", _("已自动处理")
        ATTENTION = "attention", _("需人工处理")

    run = models.ForeignKey(
        ReconciliationRun, verbose_name=_("对账记录"), on_delete=models.CASCADE, related_name="items"
    )
    intent = models.ForeignKey(
        PaymentIntent, verbose_name=_("支付单"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, db_index=True)
    gateway_status = models.CharField(_("渠道状态"), max_length=20, blank=True)
    status_after = models.CharField(
        _("对账后状态"), max_length=20, choices=PaymentIntent.Status.choices, blank=True
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("对账明细")
        verbose_name_plural = _("对账明细")
        ordering = ["run", "outcome", "pk"]

    GATEWAY_LABELS = {
        "paid": _("已支付"),
        "pending": _("未支付"),
        "closed": _("已关闭"),
        "not_found": _("渠道无此交易"),
    }

    def __str__(self):
        return f"{self.intent_id} {self.get_outcome_display()}"

    def get_gateway_status_display(self):
        return self.GATEWAY_LABELS.get(self.gateway_status, self.gateway_status)


# The simulator's own records live in payments.sandbox; importing them here gives them
# this app's label and migrations.
from .sandbox.models import SandboxNotification, SandboxRefund, SandboxTrade  # noqa: E402,F401
