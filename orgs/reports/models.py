"""Annual reports (年度报告), their submissions, attachments and review, and the
working-day calendar (public holidays and make-up working days)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.money import ZERO, MoneyField
from core.storage import PRIVATE, AliasStorage
from orgs.registry.models import Organization


def count(label, **kwargs):
    return models.PositiveIntegerField(label, default=0, **kwargs)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已审核")


class Conclusion(models.TextChoices):
    QUALIFIED = "qualified", _("合格")
    BASICALLY_QUALIFIED = "basically_qualified", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class ImmutableRecord(Exception):
    """Raised when code tries to change a locked report or an append-only row."""


class AnnualReport(models.Model):
    """One report per organisation per year. Editable while a draft or returned; a
    submission freezes its content in a ``ReportSubmission``."""

    TRANSITIONS = {
        (ReportStatus.DRAFT, ReportStatus.SUBMITTED): "submit",
        (ReportStatus.SUBMITTED, ReportStatus.RETURNED): "return",
        (ReportStatus.RETURNED, ReportStatus.SUBMITTED): "resubmit",
        (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED): "accept",
    }
    EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)

    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveIntegerField(_("报告年度"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    deadline = models.DateField(_("报送截止日期"), help_text=_("向登记管理机关报送的截止日期（S2）。"))
    supervisor_deadline = models.DateField(_("向业务主管单位报送截止日期"), null=True, blank=True)
    resubmit_deadline = models.DateField(_("补正截止日期"), null=True, blank=True)
    is_late = models.BooleanField(_("逾期报送"), default=False)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    last_submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    review_due = models.DateField(
        _("审核期限"), null=True, blank=True, help_text=_("提交后10个工作日内审核（S3）。")
    )
    c3_breach = models.BooleanField(_("支出比例未达标"), default=False)
    conclusion = models.CharField(_("年检结论"), max_length=30, choices=Conclusion.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # 1. Basic information confirmation.
    basic_info_confirmed = models.BooleanField(_("已核对登记信息"), default=False)
    basic_info_notes = models.TextField(_("登记信息说明"), blank=True)
    # 2. Governance.
    council_meetings = count(_("理事会（董事会）会议次数"))
    supervisory_meetings = count(_("监事会会议次数"))
    member_count = count(_("会员数"))
    staff_count = count(_("专职工作人员数"))
    volunteer_count = count(_("志愿者人数"))
    # 3. Activities.
    activities_summary = models.TextField(_("主要业务活动"), blank=True)
    activity_count = count(_("开展活动次数"))
    beneficiary_count = count(_("受益人次"))
    # 4. Finances: balance sheet.
    total_assets = MoneyField(_("资产总计"), non_negative=True, default=ZERO)
    total_liabilities = MoneyField(_("负债合计"), non_negative=True, default=ZERO)
    net_assets_unrestricted = MoneyField(_("非限定性净资产"), non_negative=True, default=ZERO)
    net_assets_restricted = MoneyField(_("限定性净资产"), non_negative=True, default=ZERO)
    # Income.
    income_donations = MoneyField(_("捐赠收入"), non_negative=True, default=ZERO)
    income_government_grants = MoneyField(_("政府补助收入"), non_negative=True, default=ZERO)
    income_services = MoneyField(_("提供服务收入"), non_negative=True, default=ZERO)
    income_membership_dues = MoneyField(_("会费收入"), non_negative=True, default=ZERO)
    income_investment = MoneyField(_("投资收益"), non_negative=True, default=ZERO)
    income_other = MoneyField(_("其他收入"), non_negative=True, default=ZERO)
    income_total = MoneyField(_("收入合计"), non_negative=True, default=ZERO)
    # Expenses.
    expense_business = MoneyField(_("业务活动成本"), non_negative=True, default=ZERO)
    expense_administration = MoneyField(_("管理费用"), non_negative=True, default=ZERO)
    expense_fundraising = MoneyField(_("筹资费用"), non_negative=True, default=ZERO)
    expense_other = MoneyField(_("其他费用"), non_negative=True, default=ZERO)
    expense_total = MoneyField(_("费用合计"), non_negative=True, default=ZERO)
    # 5. Charities only.
    public_fundraising_income = MoneyField(_("公开募捐收入"), non_negative=True, default=ZERO)
    charitable_spending = MoneyField(_("慈善活动支出"), non_negative=True, default=ZERO)
    previous_year_income = MoneyField(
        _("上年度总收入"), non_negative=True, default=ZERO, help_text=_("用于计算慈善活动支出比例（C3）。")
    )
    previous_year_net_assets = MoneyField(
        _("上年末净资产"), non_negative=True, default=ZERO, help_text=_("用于计算慈善活动支出比例（C3）。")
    )

    CONTENT_FIELDS = (
        "basic_info_confirmed",
        "basic_info_notes",
        "council_meetings",
        "supervisory_meetings",
        "member_count",
        "staff_count",
        "volunteer_count",
        "activities_summary",
        "activity_count",
        "beneficiary_count",
        "total_assets",
        "total_liabilities",
        "net_assets_unrestricted",
        "net_assets_restricted",
        "income_donations",
        "income_government_grants",
        "income_services",
        "income_membership_dues",
        "income_investment",
        "income_other",
        "income_total",
        "expense_business",
        "expense_administration",
        "expense_fundraising",
        "expense_other",
        "expense_total",
        "public_fundraising_income",
        "charitable_spending",
        "previous_year_income",
        "previous_year_net_assets",
    )
    INCOME_PARTS = (
        "income_donations",
        "income_government_grants",
        "income_services",
        "income_membership_dues",
        "income_investment",
        "income_other",
    )
    EXPENSE_PARTS = ("expense_business", "expense_administration", "expense_fundraising", "expense_other")
    MONEY_FIELDS = tuple(
        name for name in CONTENT_FIELDS if name.startswith(("total_", "net_assets", "income_", "expense_"))
    ) + (
        "public_fundraising_income",
        "charitable_spending",
        "previous_year_income",
        "previous_year_net_assets",
    )

    class Meta:
        verbose_name = _("年度报告")
        verbose_name_plural = _("年度报告")
        ordering = ["-year", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="reports_one_report_per_org_year")
        ]
        indexes = [models.Index(fields=["status", "year"])]

    def __str__(self):
        return _("%(org)s %(year)s 年度报告") % {"org": self.organization, "year": self.year}

    def save(self, *args, **kwargs):
        """A submitted or accepted report's content can't change: the stored row is checked,
        not this (possibly stale) instance, so no code path can overwrite it."""
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values("status", *self.CONTENT_FIELDS).first()
            if stored and stored["status"] not in self.EDITABLE_STATUSES:
                changed = [name for name in self.CONTENT_FIELDS if getattr(self, name) != stored[name]]
                if changed:
                    raise ImmutableRecord(
                        _("已提交的年度报告不可修改（%(fields)s）。") % {"fields": ", ".join(changed)}
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != ReportStatus.DRAFT or self.submissions.exists():
            raise ImmutableRecord(_("已提交过的年度报告不可删除。"))
        return super().delete(*args, **kwargs)

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES

    @property
    def net_assets(self):
        return (self.net_assets_unrestricted or ZERO) + (self.net_assets_restricted or ZERO)

    @cached_property
    def latest_submission(self):
        return self.submissions.order_by("-sequence").first()


class AppendOnly(AppendOnlyModel):
    append_only_error = ImmutableRecord
    edit_message = _("该记录一经保存不可修改。")
    delete_message = _("该记录不可删除。")

    class Meta:
        abstract = True


class ReportSubmission(AppendOnly):
    """One submission of a report: a frozen copy of its content with a SHA-256.
    A resubmission after a return is a new row; history is kept."""

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("年度报告"), on_delete=models.PROTECT, related_name="submissions"
    )
    sequence = models.PositiveIntegerField(_("提交次序"))
    receipt_number = models.CharField(_("回执编号"), max_length=40, unique=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("适用截止日期"))
    is_late = models.BooleanField(_("逾期"), default=False)
    content = models.JSONField(_("报告内容"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("报告提交记录")
        verbose_name_plural = _("报告提交记录")
        ordering = ["report", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["report", "sequence"], name="reports_unique_submission_sequence")
        ]

    def __str__(self):
        return self.receipt_number


class ReviewDecision(AppendOnly):
    """The bureau's decision on one submission: returned with reasons, or accepted with a conclusion."""

    class Action(models.TextChoices):
        RETURN = "return", _("退回补正")
        ACCEPT = "accept", _("审核通过")

    submission = models.OneToOneField(
        ReportSubmission, verbose_name=_("提交记录"), on_delete=models.PROTECT, related_name="decision"
    )
    action = models.CharField(_("审核操作"), max_length=10, choices=Action.choices)
    reasons = models.TextField(_("退回理由"), blank=True)
    conclusion = models.CharField(_("年检结论"), max_length=30, choices=Conclusion.choices, blank=True)
    comment = models.TextField(_("审核意见"), blank=True)
    resubmit_deadline = models.DateField(_("补正截止日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["-decided_at"]

    def __str__(self):
        return f"{self.submission} · {self.get_action_display()}"


class ContentAddressedStorage(AliasStorage):
    """Files are named by their SHA-256, so an existing name already holds the same bytes.

    They live in the private store (``STORAGES["private"]``: a directory, or the bucket's
    private prefix), in the ``report-attachments/`` folder; the names in the database don't
    include the folder."""

    def get_available_name(self, name, max_length=None):
        return name

    def save(self, name, content, max_length=None):
        if name is None:
            name = content.name
        if self.exists(name):
            return name
        return super().save(name, content, max_length=max_length)


def attachment_storage():
    return ContentAddressedStorage(PRIVATE, prefix="report-attachments")


def attachment_path(instance, filename):
    return f"{instance.report.organization.uscc}/{instance.sha256}.bin"


class AttachmentKind(models.TextChoices):
    AUDIT_REPORT = "audit_report", _("审计报告")
    DECLARATION = "declaration", _("签章声明页")
    OTHER = "other", _("其他材料")


class ReportAttachment(AppendOnly):
    """A file attached to a report. Private. Replaceable while the report is editable;
    a submission records each attachment's SHA-256, and submitted files are never deleted."""

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("年度报告"), on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("材料类型"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path, storage=attachment_storage, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=60)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    superseded = models.BooleanField(_("已被替换"), default=False)

    edit_message = _("附件一经上传不可修改；上传新文件即可替换。")
    delete_message = _("附件不可删除；上传新文件即可替换。")

    class Meta:
        verbose_name = _("报告附件")
        verbose_name_plural = _("报告附件")
        ordering = ["kind", "-uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.original_name}"


class CalendarDay(models.Model):
    """A public holiday (放假) or a make-up working day (调休上班) in the State Council schedule.
    Ordinary weekends and weekdays need no row. The bureau edits this table in the admin."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日（放假）")
        WORKDAY = "workday", _("调休上班日")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=40)
    provisional = models.BooleanField(
        _("暂定"), default=False, help_text=_("国务院办公厅尚未公布该年度放假安排时，按法定节日日期暂定。")
    )

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name} {self.get_kind_display()}"

    def clean(self):
        super().clean()
        if self.date and self.kind == self.Kind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError({"kind": _("调休上班日应为周六或周日。")})
