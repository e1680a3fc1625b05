"""A family's saved itemised statement (F9) with its F7 exemptions: the quote and its lines,
each pinned to the price version it was quoted at."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import MONEY
from .items import ServiceItem
from .prices import PriceVersion
from .providers import Provider


class BurialChoice(models.TextChoices):
    UNDECIDED = "", _("未选择")
    ORDINARY = "ordinary", _("墓地安葬或骨灰寄存")
    SEA = "sea", _("海葬")
    NATURAL = "natural", _("自然葬（树葬、花坛葬等）")


def _quote_reference():
    return secrets.token_hex(6).upper()


class Quote(models.Model):
    """A family's itemised statement (F9); the orders app turns a saved quote into an order."""

    reference = models.CharField(_("报价单号"), max_length=12, unique=True, default=_quote_reference)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="quotes"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="quotes"
    )
    burial_choice = models.CharField(
        _("安葬方式"), max_length=10, choices=BurialChoice.choices, blank=True, default=""
    )
    beijing_resident = models.BooleanField(_("逝者为本市居民"), default=False)
    subtotal = models.DecimalField(_("项目合计"), **MONEY)
    exempted = models.DecimalField(_("减免金额"), default=Decimal("0"), **MONEY)
    total = models.DecimalField(_("应付合计"), **MONEY)
    policy_reference = models.CharField(_("减免政策依据"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报价单")
        verbose_name_plural = _("报价单")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.reference} · {self.provider}"

    def get_absolute_url(self):
        return reverse("catalogue:quote_detail", kwargs={"reference": self.reference})


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, verbose_name=_("报价单"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(ServiceItem, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    price_version = models.ForeignKey(
        PriceVersion, verbose_name=_("价格版本"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("单价"), **MONEY)
    amount = models.DecimalField(_("金额"), **MONEY)
    f7_free = models.BooleanField(_("政策免费"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("报价明细")
        verbose_name_plural = _("报价明细")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return f"{self.item.name} × {self.quantity}"
