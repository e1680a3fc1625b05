"""Complaints (R2): one workflow for complaints about a funeral provider and for the
platform-wide 投诉举报 channel (registry, credit, charity, the platform itself), where the
bureau is the responding party.

``Complaint.TRANSITIONS`` is the explicit table; every move goes through
``core.statemachine.transition`` (audited) from ``marketplace.feedback.services.complaints``.
The text, the evidence and the parties are never public: only the statistics
(``services/stats.py``) are.
"""

import secrets

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import uploads
from core.models import AppendOnlyModel
from core.money import MoneyField
from core.storage import private_storage
from core.stored_files import HashedFilesMixin

__all__ = [
    "Complaint",
    "ComplaintCategory",
    "ComplaintChannel",
    "ComplaintDecision",
    "ComplaintEvidence",
    "ComplaintStatus",
    "PlatformSubject",
    "ProviderCreditNote",
    "PRICE_CATEGORIES",
    "CATEGORY_RULES",
]

EVIDENCE_CONTENT = uploads.ContentValidator(uploads.DOCUMENTS, max_bytes_setting="R2_EVIDENCE_MAX_BYTES")
EVIDENCE_EXTENSIONS = FileExtensionValidator(["pdf", "jpg", "jpeg", "png"])


def new_complaint_reference():
    return "TS" + "".join(secrets.choice("0123456789") for _ in range(10))


class ComplaintChannel(models.TextChoices):
    PROVIDER = "provider", _("殡葬服务机构")
    PLATFORM = "platform", _("平台投诉举报")


class PlatformSubject(models.TextChoices):
    REGISTRY = "registry", _("社会组织登记")
    CREDIT = "credit", _("社会组织信用")
    CHARITY = "charity", _("慈善信息公开")
    PLATFORM = "platform", _("平台本身")


class ComplaintCategory(models.TextChoices):
    OVERCHARGE = "overcharge", _("超标收费")
    UNDISCLOSED = "undisclosed", _("未公示收费")
    BUNDLING = "bundling", _("捆绑/强制服务")
    OUTSIDE_CONTRACT = "outside_contract", _("合同外收费")
    QUALITY = "quality", _("服务质量")
    ATTITUDE = "attitude", _("服务态度")
    OTHER = "other", _("其他")


# Each category names the rule it invokes (RULES.md); price rules can order refunds.
CATEGORY_RULES = {
    ComplaintCategory.OVERCHARGE: "F2",
    ComplaintCategory.UNDISCLOSED: "F4",
    ComplaintCategory.BUNDLING: "F4",
    ComplaintCategory.OUTSIDE_CONTRACT: "F9",
}
PRICE_CATEGORIES = frozenset(CATEGORY_RULES)


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("已收到，待受理")
    ACCEPTED = "accepted", _("已受理，待答复")
    REJECTED = "rejected", _("不予受理")
    RESPONDED = "responded", _("被投诉方已答复，待处理决定")
    DECIDED = "decided", _("已作出处理决定")
    REEXAMINING = "reexamining", _("复核中")
    CLOSED = "closed", _("已办结")


class ComplaintDecision(models.TextChoices):
    UPHELD = "upheld", _("投诉成立")
    PARTLY_UPHELD = "partly_upheld", _("投诉部分成立")
    NOT_UPHELD = "not_upheld", _("投诉不成立")


UPHELD_DECISIONS = (ComplaintDecision.UPHELD, ComplaintDecision.PARTLY_UPHELD)
S = ComplaintStatus


class Complaint(models.Model):
    TRANSITIONS = {
        (S.RECEIVED, S.ACCEPTED): "accept",
        (S.RECEIVED, S.REJECTED): "reject",
        (S.ACCEPTED, S.RESPONDED): "respond",
        # The bureau may decide without the provider's answer once it is overdue, and
        # decides platform complaints itself (it is the responding party).
        (S.ACCEPTED, S.DECIDED): "decide",
        (S.RESPONDED, S.DECIDED): "decide",
        (S.DECIDED, S.REEXAMINING): "request_reexamination",
        (S.REEXAMINING, S.DECIDED): "reexamine",
        (S.DECIDED, S.CLOSED): "close",
    }
    OPEN_STATUSES = (S.RECEIVED, S.ACCEPTED, S.RESPONDED, S.REEXAMINING)

    reference = models.CharField(_("投诉编号"), max_length=12, unique=True, default=new_complaint_reference)
    channel = models.CharField(_("渠道"), max_length=10, choices=ComplaintChannel.choices)
    provider = models.ForeignKey(
        "catalogue.Provider",
        verbose_name=_("被投诉机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    platform_subject = models.CharField(
        _("投诉举报事项"), max_length=10, choices=PlatformSubject.choices, blank=True
    )
    subject_detail = models.CharField(
        _("涉及对象"), max_length=200, blank=True, help_text=_("例如社会组织名称、页面或业务。")
    )
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("相关订单"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    disputed_lines = models.ManyToManyField(
        "orders.OrderLine", verbose_name=_("争议项目"), blank=True, related_name="complaints"
    )
    category = models.CharField(_("投诉类别"), max_length=20, choices=ComplaintCategory.choices)
    text = models.TextField(_("投诉内容"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投诉人账户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    contact_name = models.CharField(_("投诉人姓名"), max_length=60)
    mobile = models.CharField(_("已验证手机号码"), max_length=11)
    status = models.CharField(
        _("状态"), max_length=12, choices=ComplaintStatus.choices, default=S.RECEIVED, db_index=True
    )
    received_at = models.DateTimeField(_("收到时间"))
    received_on = models.DateField(_("收到日期"), db_index=True)
    accept_due = models.DateField(_("受理期限"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    response_due = models.DateField(_("答复期限"), null=True, blank=True)
    decision_due = models.DateField(_("处理决定期限"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField(_("不予受理理由"), blank=True)
    response = models.TextField(_("被投诉方答复"), blank=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision = models.CharField(_("处理结果"), max_length=14, choices=ComplaintDecision.choices, blank=True)
    decision_text = models.TextField(_("处理决定说明"), blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    refund_ordered = MoneyField(_("责令退还金额"), non_negative=True, null=True, blank=True)
    refund_note = models.CharField(_("退款情况"), max_length=300, blank=True)
    reexamination_reason = models.TextField(_("申请复核理由"), blank=True)
    reexamination_requested_on = models.DateField(_("申请复核日期"), null=True, blank=True)
    reexamination_due = models.DateField(_("复核期限"), null=True, blank=True)
    first_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("原决定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("满意度"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(channel="provider", provider__isnull=False))
                | (models.Q(channel="platform", provider__isnull=True) & ~models.Q(platform_subject="")),
                name="feedback_complaint_has_one_subject",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.get_category_display()}"

    @property
    def rule_id(self):
        return CATEGORY_RULES.get(self.category, "")

    @property
    def is_price_complaint(self):
        return self.category in PRICE_CATEGORIES

    @property
    def is_upheld(self):
        return self.decision in UPHELD_DECISIONS

    @property
    def respondent_label(self):
        if self.provider_id:
            return self.provider.name
        return _("北京市民政局")

    @property
    def subject_label(self):
        if self.provider_id:
            return self.provider.name
        detail = f"（{self.subject_detail}）" if self.subject_detail else ""
        return f"{self.get_platform_subject_display()}{detail}"


class ComplaintEvidence(HashedFilesMixin, AppendOnlyModel):
    """A photo or PDF attached to a complaint: private, checked by content when uploaded and
    against its hash whenever it is served."""

    hashed_files = {"file": "sha256"}

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(
        _("证据"),
        upload_to="feedback/complaints/",
        storage=private_storage,
        validators=[EVIDENCE_EXTENSIONS, EVIDENCE_CONTENT],
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    name = models.CharField(_("文件名"), max_length=200)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投诉证据")
        verbose_name_plural = _("投诉证据")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class ProviderCreditNote(AppendOnlyModel):
    """A credit-relevant record against a funeral provider: written when a complaint about a
    price rule (F2, F4, F9) is upheld. Funeral providers are not registered social
    organisations, so this is the marketplace's own record, shown in the bureau admin."""

    provider = models.ForeignKey(
        "catalogue.Provider", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    complaint = models.OneToOneField(
        Complaint, verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="credit_note"
    )
    rule_id = models.CharField(_("违反规则"), max_length=4)
    decision = models.CharField(_("处理结果"), max_length=14, choices=ComplaintDecision.choices)
    summary = models.TextField(_("事实与依据"))
    refund_ordered = MoneyField(_("责令退还金额"), non_negative=True, null=True, blank=True)
    decided_on = models.DateField(_("决定日期"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revocation_reason = models.TextField(_("撤销原因"), blank=True)

    # A re-examination that finds the complaint not upheld revokes the record; nothing else changes.
    mutable_columns = frozenset({"revoked_on", "revocation_reason"})

    class Meta:
        verbose_name = _("殡葬机构信用记录")
        verbose_name_plural = _("殡葬机构信用记录")
        ordering = ["-decided_on", "-pk"]

    def __str__(self):
        return f"{self.provider} {self.rule_id} {self.decided_on}"
