"""Milestones during incubation and the evidence an organisation uploads for each."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import uploads
from core.storage import private_storage
from core.stored_files import HashedFilesMixin

from .programmes import Application, Programme


class Milestone(models.Model):
    """A step an admitted organisation completes during incubation, due a number of months
    after it starts; graduation (出壳) needs every milestone's evidence accepted."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("孵化项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("里程碑"), max_length=120)
    description = models.TextField(_("要求与证明材料"), blank=True)
    due_months = models.PositiveSmallIntegerField(_("入孵后几个月内完成"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("孵化里程碑")
        verbose_name_plural = _("孵化里程碑")
        ordering = ["programme", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "order"], name="incubator_milestone_order")
        ]

    def __str__(self):
        return f"{self.programme} · {self.title}"


class EvidenceState(models.TextChoices):
    SUBMITTED = "submitted", _("待确认")
    ACCEPTED = "accepted", _("已确认")
    RETURNED = "returned", _("已退回")


EVIDENCE_CONTENT = uploads.ContentValidator(uploads.DOCUMENTS, "INCUBATOR_EVIDENCE_MAX_BYTES")


def evidence_path(instance, filename):
    return f"incubator/evidence/{instance.application.organization.uscc}/{filename}"


class MilestoneEvidence(HashedFilesMixin, models.Model):
    """The organisation's evidence that a milestone is done, checked by content when uploaded
    and by its hash whenever it is served; the bureau accepts or returns it."""

    TRANSITIONS = {
        (EvidenceState.SUBMITTED, EvidenceState.ACCEPTED): "accept",
        (EvidenceState.SUBMITTED, EvidenceState.RETURNED): "return",
    }
    hashed_files = {"file": "file_sha256"}

    application = models.ForeignKey(
        Application, verbose_name=_("孵化申请"), on_delete=models.PROTECT, related_name="evidence"
    )
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("里程碑"), on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("完成情况"))
    file = models.FileField(
        _("证明材料"),
        storage=private_storage,
        upload_to=evidence_path,
        max_length=200,
        validators=[EVIDENCE_CONTENT],
    )
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=EvidenceState.choices, default=EvidenceState.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    review_note = models.TextField(_("确认意见"), blank=True)

    class Meta:
        verbose_name = _("里程碑证明")
        verbose_name_plural = _("里程碑证明")
        ordering = ["milestone__order", "-submitted_at", "-pk"]

    def __str__(self):
        return f"{self.application.organization} · {self.milestone.title}"


# --- Panel scoring -------------------------------------------------------------------------------
