"""Credit information on social organisations (S4–S8): credit records, the
abnormal-activity and serious-violation lists, the proposals the daily rules make for
them, ratings, objections and issued credit reports.

Kept as one module, slightly over 500 lines, on purpose: the models share the S5/S6 choice
enums, the ``AppendOnly`` base and the setting names their labels quote, and splitting them
would scatter one aggregate (an organisation's credit file) across files."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core import uploads
from core.models import AppendOnlyModel
from core.storage import private_storage
from core.stored_files import HashedFilesMixin
from orgs.registry.models import Organization

from .texts import setting_text

# The settings the S5/S6 labels quote (filled in when a label is shown; see ``texts``).
FINE = "S5_SMALL_FINE_LIMIT"
AUTO_REMOVAL_MONTHS = "S5_AUTO_REMOVAL_MONTHS"
YEARS_TO_SERIOUS = "S6_ABNORMAL_YEARS_TO_SERIOUS"
SERIOUS_REMOVAL_YEARS = "S6_REMOVAL_YEARS"
REPEAT_COUNT = "S6_REPEAT_PENALTY_COUNT"
REPEAT_YEARS = "S6_REPEAT_PENALTY_YEARS"


class AppendOnly(AppendOnlyModel):
    edit_message = _("该记录一经保存不可修改；如需更正，请新增一条更正记录。")
    delete_message = _("该记录不可删除。")

    class Meta:
        abstract = True


# --- S4: credit records ---------------------------------------------------------------


class Category(models.TextChoices):
    BASIC = "basic", _("基础信息")
    ANNUAL_REPORT = "annual_report", _("年度报告信息")
    INSPECTION = "inspection", _("行政检查信息")
    PENALTY = "penalty", _("行政处罚信息")
    OTHER = "other", _("其他信息（评估等级、表彰奖励、政府购买服务等）")


# Recorded when the file is saved; the serving views re-hash the stored bytes against it.
SHA256_HELP = _("上传时记录；下载时据此核对文件是否被改动。")
# A record's attachment (the decision document) is checked by content like report attachments.
ATTACHMENT_CONTENT = uploads.ContentValidator(uploads.DOCUMENTS, "REPORT_ATTACHMENT_MAX_BYTES")


def record_attachment_path(instance, filename):
    return f"credit/records/{instance.organization.uscc}/{filename}"


class CreditRecordQuerySet(models.QuerySet):
    def effective(self):
        """Records that no later record corrects (the current version of each fact)."""
        return self.filter(corrections__isnull=True)


class CreditRecord(HashedFilesMixin, AppendOnly):
    """One piece of credit information (S4). Append-only: a correction is a new record
    whose ``corrects`` points at the record it corrects; both stay on record (S8)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="credit_records"
    )
    category = models.CharField(_("信息类别"), max_length=20, choices=Category.choices)
    decided_on = models.DateField(_("决定日期"))
    summary = models.TextField(_("内容摘要"))
    authority = models.CharField(_("决定机关"), max_length=120)
    document_number = models.CharField(_("决定文书号"), max_length=80)
    fine_amount = models.DecimalField(
        _("罚款金额（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("仅行政处罚信息填写；无罚款的处罚（如警告）留空。"),
    )
    hashed_files = {"attachment": "attachment_sha256"}

    attachment = models.FileField(
        _("附件"),
        storage=private_storage,
        upload_to=record_attachment_path,
        blank=True,
        max_length=200,
        validators=[ATTACHMENT_CONTENT],
    )
    attachment_sha256 = models.CharField(
        _("附件 SHA-256"), max_length=64, blank=True, editable=False, help_text=SHA256_HELP
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    correction_reason = models.TextField(_("更正理由"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    recorded_on = models.DateField(_("记录日期"))
    is_late = models.BooleanField(
        _("逾期记录"), default=False, help_text=_("决定日期后超过规定工作日才记录（S4）。")
    )
    late_working_days = models.PositiveIntegerField(_("决定后工作日数"), default=0)

    objects = CreditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-decided_on", "-pk"]
        indexes = [models.Index(fields=["organization", "category", "decided_on"])]

    def __str__(self):
        return f"{self.organization} · {self.get_category_display()} · {self.decided_on}"

    @property
    def is_correction(self):
        return self.corrects_id is not None

    @property
    def lateness_text(self):
        """S4 lateness in words (a tick would read as "fine" for a record recorded late)."""
        return _("逾期记录") if self.is_late else _("按时")


# --- S5, S6: lists ----------------------------------------------------------------------


class ListType(models.TextChoices):
    ABNORMAL = "abnormal", _("活动异常名录")
    SERIOUS = "serious", _("严重违法失信名单")


class ListReason(models.TextChoices):
    # S5
    REPORT_NOT_FILED = "report_not_filed", _("未按规定时限报送年度报告")
    REPORT_NONCOMPLIANT = "report_noncompliant", _("年度报告不符合规定")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("未按期完成整改")
    FUNDRAISING_REVOKED = "fundraising_revoked", _("慈善组织被取消公开募捐资格")
    WARNING_OR_SMALL_FINE = (
        "warning_or_small_fine",
        setting_text(gettext_noop("受到警告或不满%(fine)s罚款的行政处罚"), fine=FINE),
    )
    UNREACHABLE = "unreachable", _("通过登记的住所无法与其取得联系")
    # S6
    ABNORMAL_TWO_YEARS = (
        "abnormal_two_years",
        setting_text(gettext_noop("被列入活动异常名录满%(years)s年"), years=YEARS_TO_SERIOUS),
    )
    FRAUDULENT_CHANGE = "fraudulent_change", _("弄虚作假办理变更登记")
    SUSPENSION_ORDERED = "suspension_ordered", _("被责令停止活动")
    LARGE_FINE_OR_REPEAT = (
        "large_fine_or_repeat",
        setting_text(
            gettext_noop("受到%(fine)s以上罚款或%(years)s年内%(count)s次以上行政处罚"),
            fine=FINE,
            years=REPEAT_YEARS,
            count=REPEAT_COUNT,
        ),
    )
    JUDGMENT_DEFAULTER = "judgment_defaulter", _("被人民法院列为失信被执行人")
    CERTIFICATE_REVOKED = "certificate_revoked", _("被撤销登记证书")


REASONS_BY_LIST = {
    ListType.ABNORMAL: (
        ListReason.REPORT_NOT_FILED,
        ListReason.REPORT_NONCOMPLIANT,
        ListReason.RECTIFICATION_OVERDUE,
        ListReason.FUNDRAISING_REVOKED,
        ListReason.WARNING_OR_SMALL_FINE,
        ListReason.UNREACHABLE,
    ),
    ListType.SERIOUS: (
        ListReason.ABNORMAL_TWO_YEARS,
        ListReason.FRAUDULENT_CHANGE,
        ListReason.SUSPENSION_ORDERED,
        ListReason.LARGE_FINE_OR_REPEAT,
        ListReason.JUDGMENT_DEFAULTER,
        ListReason.CERTIFICATE_REVOKED,
    ),
}


class RemovalReason(models.TextChoices):
    FIXED = "fixed", _("已完成整改（S5）")
    SIX_MONTHS = (
        "six_months",
        setting_text(gettext_noop("列入满%(months)s个月且无需整改（S5）"), months=AUTO_REMOVAL_MONTHS),
    )
    TWO_YEARS = (
        "two_years",
        setting_text(
            gettext_noop("列入满%(years)s年且未再被列入、整改完毕（S6）"), years=SERIOUS_REMOVAL_YEARS
        ),
    )
    MOVED_TO_SERIOUS = "moved_to_serious", _("转入严重违法失信名单（S6）")
    OBJECTION = "objection", _("异议成立")
    OTHER = "other", _("其他")


class EntryStatus(models.TextChoices):
    LISTED = "listed", _("在列")
    REMOVED = "removed", _("已移出")


class ListEntry(AppendOnlyModel):
    """One listing on the abnormal or the serious list, and its removal. Only the
    removal columns ever change, through ``core.statemachine.transition``."""

    TRANSITIONS = {(EntryStatus.LISTED, EntryStatus.REMOVED): "remove"}
    mutable_columns = frozenset(
        {
            "status",
            "removed_on",
            "removal_reason",
            "removal_document_number",
            "removal_note",
            "removed_by_id",
        }
    )
    edit_message = _("名录记录的列入信息不可修改。")
    delete_message = _("名录记录不可删除。")

    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="list_entries"
    )
    list_type = models.CharField(_("名录"), max_length=10, choices=ListType.choices)
    reason = models.CharField(_("列入事由"), max_length=30, choices=ListReason.choices)
    report_year = models.PositiveIntegerField(_("所涉报告年度"), null=True, blank=True)
    listed_on = models.DateField(_("列入日期"))
    authority = models.CharField(_("作出决定机关"), max_length=120)
    document_number = models.CharField(_("列入决定书文号"), max_length=80)
    note = models.TextField(_("说明"), blank=True)
    from_entry = models.ForeignKey(
        "self",
        verbose_name=_("由该异常名录记录转入"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.LISTED
    )
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    removal_reason = models.CharField(_("移出事由"), max_length=20, choices=RemovalReason.choices, blank=True)
    removal_document_number = models.CharField(_("移出决定书文号"), max_length=80, blank=True)
    removal_note = models.TextField(_("移出说明"), blank=True)
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("列入操作人"), on_delete=models.PROTECT, related_name="+"
    )
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移出操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("名录记录")
        verbose_name_plural = _("名录记录")
        ordering = ["-listed_on", "-pk"]
        indexes = [models.Index(fields=["organization", "list_type", "status"])]

    def __str__(self):
        return f"{self.organization} · {self.get_list_type_display()} · {self.listed_on}"

    def update_refusal(self, stored, changed):
        if stored.status == EntryStatus.REMOVED and changed:
            return _("已移出的名录记录不可修改。")
        return super().update_refusal(stored, changed)

    def clean(self):
        super().clean()
        if self.list_type and self.reason and self.reason not in REASONS_BY_LIST[self.list_type]:
            raise ValidationError(
                {
                    "reason": _("“%(reason)s”不是%(list)s的列入事由。")
                    % {"reason": ListReason(self.reason).label, "list": ListType(self.list_type).label}
                }
            )

    @property
    def is_current(self):
        return self.status == EntryStatus.LISTED


# --- Proposals: rules propose, the bureau decides -----------------------------------------


class Rule(models.TextChoices):
    S5_LIST_OVERDUE_REPORT = "s5_list_overdue_report", _("S5 年度报告逾期未报送：列入活动异常名录")
    S5_LIST_PENALTY = (
        "s5_list_penalty",
        setting_text(gettext_noop("S5 受到警告或不满%(fine)s罚款：列入活动异常名录"), fine=FINE),
    )
    S5_REMOVE_FIXED = "s5_remove_fixed", _("S5 已补报年度报告：移出活动异常名录")
    S5_REMOVE_SIX_MONTHS = (
        "s5_remove_six_months",
        setting_text(
            gettext_noop("S5 列入满%(months)s个月且无需整改：移出活动异常名录"), months=AUTO_REMOVAL_MONTHS
        ),
    )
    S6_LIST_TWO_YEARS = (
        "s6_list_two_years",
        setting_text(
            gettext_noop("S6 列入活动异常名录满%(years)s年：列入严重违法失信名单"), years=YEARS_TO_SERIOUS
        ),
    )
    S6_LIST_PENALTY = (
        "s6_list_penalty",
        setting_text(
            gettext_noop(
                "S6 受到%(fine)s以上罚款或%(years)s年内%(count)s次以上行政处罚：列入严重违法失信名单"
            ),
            fine=FINE,
            years=REPEAT_YEARS,
            count=REPEAT_COUNT,
        ),
    )
    S6_REMOVE_TWO_YEARS = (
        "s6_remove_two_years",
        setting_text(
            gettext_noop("S6 列入满%(years)s年且未再被列入：移出严重违法失信名单"),
            years=SERIOUS_REMOVAL_YEARS,
        ),
    )


class ProposalAction(models.TextChoices):
    LIST = "list", _("列入")
    REMOVE = "remove", _("移出")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("待决定")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("条件已消失，自动撤回")


class Proposal(models.Model):
    """A listing or removal the daily rules propose. The bureau confirms or rejects it
    with a reason. ``fingerprint`` is the SHA-256 of the triggering facts: the same facts
    never make a second proposal, so a rejected one stays rejected until they change."""

    TRANSITIONS = {
        (ProposalStatus.PENDING, ProposalStatus.CONFIRMED): "confirm",
        (ProposalStatus.PENDING, ProposalStatus.REJECTED): "reject",
        (ProposalStatus.PENDING, ProposalStatus.WITHDRAWN): "withdraw",
    }

    rule = models.CharField(_("规则"), max_length=40, choices=Rule.choices)
    action = models.CharField(_("建议操作"), max_length=10, choices=ProposalAction.choices)
    list_type = models.CharField(_("名录"), max_length=10, choices=ListType.choices)
    reason = models.CharField(_("列入事由"), max_length=30, choices=ListReason.choices, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="credit_proposals"
    )
    entry = models.ForeignKey(
        ListEntry,
        verbose_name=_("所涉名录记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    report_year = models.PositiveIntegerField(_("所涉报告年度"), null=True, blank=True)
    facts = models.JSONField(_("触发数据"))
    fingerprint = models.CharField(_("触发数据指纹"), max_length=64)
    proposed_on = models.DateField(_("提出日期"))
    # Set when the proposal is made (``services.rules.proposal_due_on``): removals by their
    # rule's date, listings S5_LISTING_DECISION_WORKING_DAYS working days after the proposal.
    due_on = models.DateField(_("建议决定期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    result_entry = models.ForeignKey(
        ListEntry,
        verbose_name=_("确认后形成的名录记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("名录建议")
        verbose_name_plural = _("名录建议")
        ordering = ["status", "proposed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "organization", "fingerprint"], name="credit_one_proposal_per_facts"
            )
        ]

    def __str__(self):
        return f"{self.get_rule_display()} · {self.organization}"


# --- S7: ratings ------------------------------------------------------------------------


class Grade(models.IntegerChoices):
    A5 = 5, "5A"
    A4 = 4, "4A"
    A3 = 3, "3A"
    A2 = 2, "2A"
    A1 = 1, "1A"


class Rating(AppendOnly):
    """A rating (等级评估, S7): a grade from the score, valid for S7_VALIDITY_YEARS years."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="ratings"
    )
    score = models.DecimalField(
        _("评估得分"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    grade = models.PositiveSmallIntegerField(_("评估等级"), choices=Grade.choices)
    evaluating_body = models.CharField(_("评估机构"), max_length=120)
    rated_on = models.DateField(_("评估日期"))
    expires_on = models.DateField(_("有效期至"))
    document_number = models.CharField(_("评估结论文号"), max_length=80, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("等级评估")
        verbose_name_plural = _("等级评估")
        ordering = ["-rated_on", "-pk"]

    def __str__(self):
        return f"{self.organization} · {self.get_grade_display()} · {self.rated_on}"

    def is_expired(self, today=None):
        return (today or timezone.localdate()) > self.expires_on


# --- S8: objections -----------------------------------------------------------------------


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("异议成立，已更正")
    DISMISSED = "dismissed", _("异议不成立")


def evidence_path(instance, filename):
    return f"credit/objections/{instance.organization.uscc}/{filename}"


class Objection(HashedFilesMixin, models.Model):
    """An objection (异议, S8) an organisation member files against a credit record."""

    hashed_files = {"evidence": "evidence_sha256"}

    TRANSITIONS = {
        (ObjectionStatus.PENDING, ObjectionStatus.UPHELD): "uphold",
        (ObjectionStatus.PENDING, ObjectionStatus.DISMISSED): "dismiss",
    }

    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="credit_objections"
    )
    record = models.ForeignKey(
        CreditRecord, verbose_name=_("异议的信用记录"), on_delete=models.PROTECT, related_name="objections"
    )
    grounds = models.TextField(_("异议理由"))
    evidence = models.FileField(
        _("证明材料"), storage=private_storage, upload_to=evidence_path, max_length=200
    )
    evidence_sha256 = models.CharField(
        _("证明材料 SHA-256"), max_length=64, blank=True, editable=False, help_text=SHA256_HELP
    )
    evidence_name = models.CharField(_("证明材料文件名"), max_length=200)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    due_on = models.DateField(
        _("处理期限"),
        null=True,
        blank=True,
        help_text=_("提出之日起 S8_OBJECTION_DECISION_WORKING_DAYS 个工作日内处理（S8）。"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    decision_reason = models.TextField(_("处理理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    correction = models.ForeignKey(
        CreditRecord,
        verbose_name=_("更正记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("信用异议")
        verbose_name_plural = _("信用异议")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=models.Q(status="pending"),
                name="credit_one_pending_objection_per_record",
            )
        ]

    def __str__(self):
        return _("对“%(record)s”的异议") % {"record": self.record}


# --- Issued credit reports --------------------------------------------------------------------


class CreditReport(models.Model):
    """A sealed credit report issued for an organisation (registered as a VerifiableDocument).
    One per organisation, day and set of facts: the same facts on the same day reuse it."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="credit_reports"
    )
    as_of = models.DateField(_("信息截止日期"))
    facts_sha256 = models.CharField(_("内容摘要"), max_length=64)
    document = models.OneToOneField(
        "core.VerifiableDocument",
        verbose_name=_("可核验文书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("出具时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信用报告")
        verbose_name_plural = _("信用报告")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "as_of", "facts_sha256"])]

    def __str__(self):
        return f"{self.organization} · {self.as_of}"
