"""The simulator's side of the world: trades, refunds and notification deliveries.

These tables stand for Alipay's own records. The platform never reads them; it learns
about them only through the gateway protocol.
"""

import secrets
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token():
    return secrets.token_urlsafe(24)


def new_trade_no():
    return timezone.localtime().strftime("%Y%m%d") + "".join(secrets.choice("0123456789") for _ in range(20))


class SandboxTrade(models.Model):
    class Status(models.TextChoices):
        WAIT_BUYER_PAY = "WAIT_BUYER_PAY", _("等待付款")
        TRADE_SUCCESS = "TRADE_SUCCESS", _("支付成功")
        TRADE_CLOSED = "TRADE_CLOSED", _("交易关闭")
        TRADE_FINISHED = "TRADE_FINISHED", _("交易完结")

    token = models.CharField(max_length=64, unique=True, default=new_token)
    app_id = models.CharField(max_length=32)
    out_trade_no = models.CharField(max_length=64)
    trade_no = models.CharField(max_length=64, unique=True, default=new_trade_no)
    method = models.CharField(max_length=64)
    product_code = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=256)
    total_amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAIT_BUYER_PAY)
    notify_url = models.CharField(max_length=500, blank=True)
    return_url = models.CharField(max_length=500, blank=True)
    time_expire = models.DateTimeField(null=True, blank=True)
    buyer_id = models.CharField(max_length=32, default="2088102177846880")
    buyer_logon_id = models.CharField(max_length=64, default="tes***@sandbox.example")
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("模拟网关交易")
        verbose_name_plural = _("模拟网关交易")
        constraints = [
            models.UniqueConstraint(fields=["app_id", "out_trade_no"], name="sandbox_trade_unique")
        ]

    def __str__(self):
        return f"{self.out_trade_no} {self.status}"

    @property
    def refunded_total(self):
        total = self.refunds.aggregate(total=models.Sum("refund_amount"))["total"]
        return total if total is not None else Decimal("0.00")

    def expire_if_due(self):
        """Alipay closes an unpaid trade once its time_expire passes."""
        if (
            self.status == self.Status.WAIT_BUYER_PAY
            and self.time_expire
            and timezone.now() >= self.time_expire
        ):
            self.status = self.Status.TRADE_CLOSED
            self.save(update_fields=["status"])
        return self


class SandboxRefund(models.Model):
    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="refunds")
    out_request_no = models.CharField(max_length=64)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2)
    refund_reason = models.CharField(max_length=256, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("模拟网关退款")
        verbose_name_plural = _("模拟网关退款")
        constraints = [
            models.UniqueConstraint(fields=["trade", "out_request_no"], name="sandbox_refund_unique")
        ]

    def __str__(self):
        return f"{self.out_request_no} {self.refund_amount}"


class SandboxNotification(models.Model):
    """One asynchronous notification and its delivery attempts."""

    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="notifications")
    notify_id = models.CharField(max_length=64, unique=True)
    url = models.CharField(max_length=500)
    body = models.TextField()
    attempts = models.PositiveIntegerField(default=0)
    delivered = models.BooleanField(default=False)
    last_status = models.IntegerField(null=True, blank=True)
    last_response = models.CharField(max_length=200, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("模拟网关通知")
        verbose_name_plural = _("模拟网关通知")

    def __str__(self):
        return self.notify_id
