"""Reviews of funeral providers (R1): only verified purchases, moderated, never edited.

- ``Review``: one per completed order (a unique constraint, so a retried submission can't make
  two), written by the order's family. Its words and ratings are history: the row is
  append-only and only its moderation columns move, through the transition table below.
- ``ReviewReport``: anyone's report of a published review; it sends the review back to the queue.
- ``ReviewReply`` and ``ReviewReplyVersion``: the provider's one public reply and every text it
  has had (append-only), so an edit within ``R1_REPLY_EDIT_HOURS`` never loses the original.
- ``SensitiveWord``: the bureau's word list; a review containing one is held for staff.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel, AppendOnlyQuerySet

__all__ = [
    "RATING_FIELDS",
    "Review",
    "ReviewReply",
    "ReviewReplyVersion",
    "ReviewReport",
    "ReviewStatus",
    "SensitiveWord",
]


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    HELD = "held", _("含敏感词，待人工审核")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("未通过审核")
    REPORTED = "reported", _("被举报，复核中")
    HIDDEN = "hidden", _("举报成立，已隐藏")


RS = ReviewStatus

# The scores a review carries: field name -> label. The overall score is the one averaged.
RATING_FIELDS = (
    ("overall", _("总体评价")),
    ("price_transparency", _("价格透明")),
    ("service_attitude", _("服务态度")),
    ("facilities", _("设施环境")),
)


def _score(label):
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(1), MaxValueValidator(5)])


class Review(AppendOnlyModel):
    TRANSITIONS = {
        (RS.PENDING, RS.PUBLISHED): "publish",
        (RS.PENDING, RS.HELD): "hold",
        (RS.PENDING, RS.REJECTED): "reject",
        (RS.HELD, RS.PUBLISHED): "publish",
        (RS.HELD, RS.REJECTED): "reject",
        (RS.PUBLISHED, RS.REPORTED): "report",
        (RS.REPORTED, RS.PUBLISHED): "dismiss_report",
        (RS.REPORTED, RS.HIDDEN): "hide",
    }
    # The states a bureau officer decides on (the moderation queue).
    QUEUE = (RS.PENDING, RS.HELD, RS.REPORTED)
    # Shown to the public and counted in the provider's rating. A reported review stays public
    # while staff look at it: a report is anyone's word, and hiding on report would let a
    # competitor silence every good review of a provider by reporting it.
    PUBLIC = (RS.PUBLISHED, RS.REPORTED)
    # Decisions that must carry a reason the family sees.
    NEEDS_REASON = (RS.REJECTED, RS.HIDDEN)

    mutable_columns = frozenset(
        {"status", "held_words", "decision_reason", "decided_by_id", "decided_at", "published_at"}
    )
    objects = AppendOnlyQuerySet.as_manager()

    order = models.OneToOneField(
        "orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="review"
    )
    provider = models.ForeignKey(
        "catalogue.Provider", verbose_name=_("服务机构"), on_delete=models.PROTECT, related_name="reviews"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="reviews"
    )
    overall = _score(_("总体评价"))
    price_transparency = _score(_("价格透明"))
    service_attitude = _score(_("服务态度"))
    facilities = _score(_("设施环境"))
    text = models.TextField(_("评价内容"))
    # Published facts, drawn from the account and the contract, never typed in.
    display_name = models.CharField(_("署名（脱敏）"), max_length=20)
    order_month = models.DateField(_("服务月份"), help_text=_("订单完成当月的第一天。"))
    services = models.CharField(_("所购服务"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=12, choices=ReviewStatus.choices, default=RS.PENDING, db_index=True
    )
    held_words = models.CharField(_("命中的敏感词"), max_length=300, blank=True)
    decision_reason = models.CharField(
        _("审核说明"), max_length=500, blank=True, help_text=_("不通过或隐藏时必填，评价人可见。")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    edit_message = _("评价提交后不能修改；机构和任何人都不能改动评价内容。")
    delete_message = _("评价不能删除；不宜公开的评价由民政局审核隐藏。")

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["provider", "status", "-published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(overall__gte=1, overall__lte=5)
                & models.Q(price_transparency__gte=1, price_transparency__lte=5)
                & models.Q(service_attitude__gte=1, service_attitude__lte=5)
                & models.Q(facilities__gte=1, facilities__lte=5),
                name="feedback_review_scores_1_to_5",
            )
        ]

    def __str__(self):
        return _("%(name)s 对 %(provider)s 的评价") % {
            "name": self.display_name,
            "provider": self.provider.name if self.provider_id else "",
        }

    def get_absolute_url(self):
        return reverse("catalogue:provider", kwargs={"slug": self.provider.slug}) + f"#review-{self.pk}"

    @property
    def is_public(self):
        return self.status in self.PUBLIC

    def scores(self):
        return [(label, getattr(self, name)) for name, label in RATING_FIELDS]


class ReviewReport(AppendOnlyModel):
    """A report that a published review breaks the rules. Anyone may file one, signed in or not."""

    mutable_columns = frozenset({"resolved_at"})
    objects = AppendOnlyQuerySet.as_manager()

    review = models.ForeignKey(
        Review, verbose_name=_("评价"), on_delete=models.PROTECT, related_name="reports"
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
    created_at = models.DateTimeField(_("举报时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价举报")
        verbose_name_plural = _("评价举报")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.reason


class ReviewReply(AppendOnlyModel):
    """The provider's one public reply to a review (a unique review, so never two)."""

    objects = AppendOnlyQuerySet.as_manager()

    review = models.OneToOneField(
        Review, verbose_name=_("评价"), on_delete=models.PROTECT, related_name="reply"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回复人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("回复时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("机构回复")
        verbose_name_plural = _("机构回复")

    def __str__(self):
        return _("对评价 %(pk)s 的回复") % {"pk": self.review_id}

    def history(self):
        """Every text of the reply, oldest first (uses a prefetch of ``versions`` when there is one)."""
        return sorted(self.versions.all(), key=lambda version: version.sequence)


class ReviewReplyVersion(AppendOnlyModel):
    """One text of a reply. The latest is shown; the earlier ones stay as its public history."""

    objects = AppendOnlyQuerySet.as_manager()

    reply = models.ForeignKey(
        ReviewReply, verbose_name=_("回复"), on_delete=models.PROTECT, related_name="versions"
    )
    sequence = models.PositiveSmallIntegerField(_("版本"))
    text = models.TextField(_("回复内容"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("填写时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回复版本")
        verbose_name_plural = _("回复版本")
        ordering = ["reply", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "sequence"], name="feedback_reply_version_unique")
        ]

    def __str__(self):
        return f"{self.reply_id}#{self.sequence}"


class SensitiveWord(models.Model):
    """The bureau's list of words that hold a review for a person to read (R1)."""

    word = models.CharField(_("敏感词"), max_length=40, unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评价敏感词")
        verbose_name_plural = _("评价敏感词")
        ordering = ["word"]

    def __str__(self):
        return self.word
