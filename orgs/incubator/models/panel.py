"""Panel scoring (评审打分): a programme's rubric and each reviewer's review."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .programmes import Application, Programme


class RubricItem(models.Model):
    """One line of a programme's scoring rubric (评分细则): what the panel scores, its weight,
    and the top score. Published on the programme's page, so applicants know how they are
    scored; frozen once the first review is in (services.panel)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("孵化项目"), on_delete=models.CASCADE, related_name="rubric"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("评分项"), max_length=120)
    guidance = models.TextField(_("评分要点"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("权重"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_score = models.PositiveSmallIntegerField(
        _("满分"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("评分细则")
        verbose_name_plural = _("评分细则")
        ordering = ["programme", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["programme", "order"], name="incubator_rubric_order")]

    def __str__(self):
        return f"{self.programme} · {self.title}"

    def clean(self):
        super().clean()
        if (
            self.programme_id
            and PanelReview.objects.filter(application__programme_id=self.programme_id).exists()
        ):
            raise ValidationError(_("该项目已有评审专家打分，评分细则不能再修改。"))


class PanelReview(models.Model):
    """One reviewer's scores for one application, or their declared conflict of interest
    (回避). Each line keeps the rubric item as it was scored (title, weight, top score), so a
    review reads the same for ever; a review is never edited."""

    application = models.ForeignKey(
        Application, verbose_name=_("孵化申请"), on_delete=models.PROTECT, related_name="panel_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评审专家"), on_delete=models.PROTECT, related_name="+"
    )
    conflict = models.BooleanField(_("声明利益冲突（回避）"), default=False)
    conflict_note = models.TextField(_("利益冲突说明"), blank=True)
    lines = models.JSONField(_("各项得分"), default=list, blank=True)
    weighted_score = models.DecimalField(
        _("加权得分（百分制）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    comment = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("评审打分")
        verbose_name_plural = _("评审打分")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="incubator_one_review_each"),
            models.CheckConstraint(
                condition=Q(conflict=True, weighted_score__isnull=True)
                | Q(conflict=False, weighted_score__isnull=False),
                name="incubator_review_scored_unless_recused",
            ),
        ]

    def __str__(self):
        return f"{self.application} · {self.reviewer}"
