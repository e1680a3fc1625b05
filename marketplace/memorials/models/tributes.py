"""Tributes and reports (M1).

A ``Tribute`` is free: it has no price, amount or rank field, and nothing orders memorials or
tributes by how many there are. A message is published at once, or held: by a word of the
bureau's sensitive-word list (for the keeper or the bureau), or for the keeper's approval when
the keeper chose it. ``MemorialReport`` is anyone's report of a message or a memorial; the
bureau decides it (dismiss or hide) with a reason, through the transition tables (audited).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .memorials import Memorial


class TributeKind(models.TextChoices):
    FLOWER = "flower", _("献花")
    CANDLE = "candle", _("点烛")
    MESSAGE = "message", _("留言")


class TributeStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    PENDING = "pending", _("待馆主审核")
    HELD = "held", _("含敏感词，待审核")
    REJECTED = "rejected", _("未发布")
    HIDDEN = "hidden", _("已被民政局隐藏")


TS = TributeStatus


class Tribute(models.Model):
    TRANSITIONS = {
        (TS.PENDING, TS.PUBLISHED): "approve",
        (TS.PENDING, TS.REJECTED): "reject",
        (TS.HELD, TS.PUBLISHED): "approve",
        (TS.HELD, TS.REJECTED): "reject",
        (TS.PUBLISHED, TS.HIDDEN): "hide",
        (TS.HIDDEN, TS.PUBLISHED): "restore",
    }
    # Decisions of the bureau that must carry a reason.
    NEEDS_REASON = frozenset({TS.HIDDEN})

    memorial = models.ForeignKey(Memorial, on_delete=models.CASCADE, related_name="tributes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("祭奠人账户"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("祭奠方式"), max_length=10, choices=TributeKind.choices)
    signed_as = models.CharField(_("署名"), max_length=30)
    message = models.TextField(_("留言"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=TributeStatus.choices)
    held_words = models.CharField(_("命中的敏感词"), max_length=200, blank=True)
    decision_reason = models.CharField(_("处理理由"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("祭奠")
        verbose_name_plural = _("祭奠")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["memorial", "status", "-created_at"]),
            models.Index(fields=["author", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=TributeKind.MESSAGE) | Q(message=""),
                name="memorials_only_messages_have_text",
            ),
            models.CheckConstraint(
                condition=~Q(kind=TributeKind.MESSAGE) | ~Q(message=""), name="memorials_message_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TributeStatus.values), name="memorials_tribute_status"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.signed_as}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    DISMISSED = "dismissed", _("举报不成立")
    UPHELD = "upheld", _("举报成立，已隐藏")


class MemorialReport(models.Model):
    TRANSITIONS = {
        (ReportStatus.OPEN, ReportStatus.DISMISSED): "dismiss",
        (ReportStatus.OPEN, ReportStatus.UPHELD): "uphold",
    }

    memorial = models.ForeignKey(
        Memorial, verbose_name=_("纪念馆"), on_delete=models.CASCADE, related_name="reports"
    )
    tribute = models.ForeignKey(
        Tribute,
        verbose_name=_("被举报的留言"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reason = models.CharField(_("举报理由"), max_length=500)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("举报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_hash = models.CharField(max_length=64, db_index=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    decision_reason = models.CharField(_("处理理由"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("举报时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("纪念馆举报")
        verbose_name_plural = _("纪念馆举报")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ReportStatus.OPEN) | ~Q(decision_reason=""),
                name="memorials_report_decision_has_reason",
            ),
        ]

    def __str__(self):
        target = _("留言") if self.tribute_id else _("纪念馆")
        return f"{target} #{self.pk}: {self.reason[:30]}"

    @property
    def target_label(self):
        return _("留言") if self.tribute_id else _("纪念馆")
