"""The public, tamper-evident price history (F10): append-only price versions chained per
provider by SHA-256, the signed daily heads records and re-hash notes that anchor the chains,
and the F2 flag on a market price far from the city median."""

import datetime
import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.dates import add_working_days
from core.models import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet

from .choices import CENT, MONEY, PriceBasis
from .items import ServiceItem
from .providers import Provider


class ImmutableRecordError(AppendOnlyError):
    """Raised when code tries to change or delete a row of append-only history (F10)."""


class PriceVersionQuerySet(AppendOnlyQuerySet):
    def in_effect_on(self, day):
        return self.filter(effective_from__lte=day)


def _canonical_decimal(value):
    return str(Decimal(value).quantize(CENT))


# The hash scheme of the price chains. v1 covered ``announced_at`` in microseconds, which a
# dumpdata/loaddata round trip truncates to milliseconds; v2 hashes a form that survives
# serialisation (see ``ChainRehash`` for the migration that re-hashed v1 chains).
CHAIN_SCHEME = "v2"


def canonical_instant(value):
    """An aware datetime as UTC ISO 8601 in whole milliseconds (truncated, as Django's JSON
    serialiser does), e.g. ``2026-03-01T08:15:30.123Z``."""
    value = value.astimezone(datetime.UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


class PriceChangeReason(models.TextChoices):
    """Why a price was posted or changed: a chosen list, so the public pages can show it in
    the reader's language; ``PriceVersion.reason`` keeps the provider's own words."""

    INITIAL = "initial", _("首次公示价格")
    COSTS = "costs", _("人工与材料成本上涨")
    PRICE_INDEX = "price_index", _("物价指数调整")
    SERVICE_CONTENT = "service_content", _("服务内容调整")
    POLICY = "policy", _("政策调整/限价调整")
    CORRECTION = "correction", _("纠正错误")
    OTHER = "other", _("其他")


# The Chinese source labels of the reasons, frozen: they are part of the hash rule of
# ``PriceVersion.canonical`` (repeated by the offline verification script in docs/api.md) and of
# the mapping of old free-text reasons (migration 0008), so they never change with a translation.
REASON_SOURCE_LABELS = {
    "initial": "首次公示价格",
    "costs": "人工与材料成本上涨",
    "price_index": "物价指数调整",
    "service_content": "服务内容调整",
    "policy": "政策调整/限价调整",
    "correction": "纠正错误",
    "other": "其他",
}


def reason_source_label(code):
    """The Chinese source label of a reason code, or None for an unknown code."""
    return REASON_SOURCE_LABELS.get(code)


def reason_code_for_text(text):
    """The code whose Chinese label is exactly ``text``, or "" (old free-text reasons)."""
    text = (text or "").strip()
    return next((code for code, label in REASON_SOURCE_LABELS.items() if label == text), "")


class PriceVersion(AppendOnlyModel):
    """An append-only price of one item (F10), chained per provider by SHA-256."""

    append_only_error = ImmutableRecordError
    edit_message = _("价格版本一经保存不能修改；请发布新的价格版本。")
    delete_message = _("价格版本不能删除。")

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="price_versions"
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="versions"
    )
    sequence = models.PositiveIntegerField(_("机构内序号"))
    price = models.DecimalField(_("价格（元）"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    basis = models.CharField(_("价格性质"), max_length=10, choices=PriceBasis.choices)
    effective_from = models.DateField(_("生效日期"))
    announced_at = models.DateTimeField(_("公布时间"), default=timezone.now)
    reason_code = models.CharField(
        _("调价原因类别"), max_length=20, choices=PriceChangeReason.choices, blank=True
    )
    reason = models.CharField(_("调价原因说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by_name = models.CharField(_("操作人名称"), max_length=80, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上一价格版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_hash = models.CharField(_("链上一条哈希"), max_length=64, blank=True)
    chain_hash = models.CharField(_("链哈希"), max_length=64, unique=True, editable=False)

    objects = PriceVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("价格版本")
        verbose_name_plural = _("价格版本")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "sequence"], name="catalogue_price_chain_sequence"),
        ]
        indexes = [
            models.Index(fields=["item", "-effective_from", "-id"], name="catalogue_pv_item_eff"),
            models.Index(fields=["effective_from"], name="catalogue_pv_effective"),
        ]

    def __str__(self):
        return f"{self.item_id} ¥{self.price} {self.effective_from}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.chain_hash = self.compute_hash()
        super().save(*args, **kwargs)

    def canonical(self):
        """The fields the hash covers, in a fixed form.

        ``reason_code`` (added after the chains were first written) is covered whenever it
        says something ``reason`` does not: a version whose code is empty, or whose ``reason``
        is exactly the Chinese label of its code (the old free-text versions that migration
        0008 mapped to a code), hashes as before, so existing chains still verify; any other
        version hashes its code too, so changing the code of any version breaks its chain."""
        data = {
            "provider": self.provider_id,
            "sequence": self.sequence,
            "item": self.item_id,
            "price": _canonical_decimal(self.price),
            "basis": self.basis,
            "effective_from": self.effective_from.isoformat(),
            "announced_at": canonical_instant(self.announced_at),
            "reason": self.reason,
            "created_by": self.created_by_id,
            "previous": self.previous_id,
            "previous_hash": self.previous_hash,
        }
        if self.reason_code and self.reason != reason_source_label(self.reason_code):
            data["reason_code"] = self.reason_code
        return data

    def compute_hash(self):
        payload = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def reason_label(self):
        """The chosen reason in the reader's language ("" for an old version without one)."""
        return self.get_reason_code_display() if self.reason_code else ""

    @property
    def reason_detail(self):
        """The provider's own words, unless they only repeat the chosen reason's label."""
        if self.reason_code and self.reason == reason_source_label(self.reason_code):
            return ""
        return self.reason

    @property
    def reason_text(self):
        """The reason in one line: the chosen label, then the provider's words."""
        label, detail = self.reason_label, self.reason_detail
        if label and detail:
            return translation.gettext("%(label)s：%(detail)s") % {"label": label, "detail": detail}
        return str(label or detail)

    @property
    def is_upcoming(self):
        return self.effective_from > timezone.localdate()


class AppendOnlyRecord(AppendOnlyModel):
    """The catalogue's history records (F10 anchoring): never changed, never deleted, not even
    through a queryset."""

    append_only_error = ImmutableRecordError
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True


class ChainHeads(AppendOnlyRecord):
    """F10 anchoring: the signed daily record of every provider's price-chain head.

    ``payload`` is the exact JSON the seal key signed (``signature``, base64, RSA PKCS#1 v1.5
    with SHA-256, made with the seal certificate kept in ``certificate``). It lists, per
    provider, the count of versions and the hash of the last one, and the SHA-256 of the
    previous day's payload, so the records form their own chain. Published at
    ``/funeral/chain-heads/`` and in the open data: once a copy is outside the platform, a
    rewritten history (even re-hashed consistently in the database) contradicts it."""

    day = models.DateField(_("公示日期"), unique=True)
    published_at = models.DateTimeField(_("公示时间"))
    payload = models.TextField(_("签名内容（JSON）"))
    payload_sha256 = models.CharField(_("内容 SHA-256"), max_length=64)
    signature = models.TextField(_("签名（Base64）"))
    certificate = models.TextField(_("签名证书（PEM）"))
    previous_sha256 = models.CharField(_("上一份记录的 SHA-256"), max_length=64, blank=True)
    chain_count = models.PositiveIntegerField(_("哈希链数"))

    class Meta:
        verbose_name = _("价格链头公示")
        verbose_name_plural = _("价格链头公示")
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day.isoformat()} · {self.chain_count}"

    def payload_bytes(self):
        return self.payload.encode("utf-8")

    def signature_bytes(self):
        import base64

        return base64.b64decode(self.signature)

    def heads(self):
        return json.loads(self.payload)["heads"]


class ChainRehash(AppendOnlyRecord):
    """A note that the price chains were re-hashed under a new scheme, and why, so that a
    reader comparing old exports knows why the hashes changed. ``heads`` maps each provider
    to its count and its last hash before and after; ``skipped`` lists the chains that did
    not verify under the old scheme and were left as they were (re-hashing them would have
    laundered a change)."""

    performed_at = models.DateTimeField(_("执行时间"))
    scheme_from = models.CharField(_("原哈希方案"), max_length=20)
    scheme_to = models.CharField(_("新哈希方案"), max_length=20)
    reason = models.TextField(_("原因"))
    chains = models.PositiveIntegerField(_("重算的哈希链数"))
    versions = models.PositiveIntegerField(_("重算的价格版本数"))
    heads = models.JSONField(_("各链前后链头"), default=dict)
    skipped = models.JSONField(_("未重算的哈希链"), default=list, blank=True)

    class Meta:
        verbose_name = _("哈希链重算记录")
        verbose_name_plural = _("哈希链重算记录")
        ordering = ["-performed_at"]

    def __str__(self):
        return f"{self.scheme_from} → {self.scheme_to} · {self.performed_at:%Y-%m-%d}"


def flag_review_due(flagged_on=None):
    """F2: the day a flag raised on ``flagged_on`` (today by default) is due for review."""
    return add_working_days(flagged_on or timezone.localdate(), settings.F2_FLAG_REVIEW_WORKING_DAYS)


class PriceFlag(models.Model):
    """F2: a published market price far from the city median, waiting for bureau review."""

    class Status(models.TextChoices):
        OPEN = "open", _("待复核")
        ACCEPTED = "accepted", _("已认可")
        QUERIED = "queried", _("已质询")

    TRANSITIONS = {
        ("open", "accepted"): "accept",
        ("open", "queried"): "query",
        ("queried", "accepted"): "accept",
    }

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="flags"
    )
    version = models.OneToOneField(
        PriceVersion, verbose_name=_("价格版本"), on_delete=models.PROTECT, related_name="flag"
    )
    median = models.DecimalField(_("全市中位数"), **MONEY)
    ratio = models.DecimalField(_("与中位数之比"), max_digits=8, decimal_places=2)
    direction = models.CharField(
        _("偏离方向"), max_length=5, choices=[("high", _("偏高")), ("low", _("偏低"))], default="high"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    bureau_note = models.TextField(_("民政局意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("标记时间"), auto_now_add=True)
    review_due = models.DateField(
        _("复核期限"),
        null=True,
        blank=True,
        help_text=_("标记后 F2_FLAG_REVIEW_WORKING_DAYS 个工作日内复核（F2）。"),
    )

    class Meta:
        verbose_name = _("异常价格标记")
        verbose_name_plural = _("异常价格标记")
        ordering = ["status", "-created_at"]

    def __str__(self):
        return _("%(item)s：¥%(price)s 为中位数的 %(ratio)s 倍") % {
            "item": self.version.item.name,
            "price": self.version.price,
            "ratio": self.ratio,
        }

    def save(self, *args, **kwargs):
        if self.review_due is None:
            self.review_due = flag_review_due(
                timezone.localdate(self.created_at) if self.created_at else None
            )
        super().save(*args, **kwargs)
