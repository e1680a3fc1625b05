"""Charity projects and their append-only disclosure records (C2, C4)."""

from django.conf import settings
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import uploads
from core.models import AppendOnlyModel
from core.storage import private_storage
from core.stored_files import HashedFilesMixin
from orgs.registry.models import District, Organization

ANONYMOUS = _("匿名")
DOCUMENT_EXTENSIONS = FileExtensionValidator(["pdf", "jpg", "jpeg", "png"])
# Checked by content and size on every path (workbench forms, Wagtail admin, full_clean).
DOCUMENT_CONTENT = uploads.ContentValidator(uploads.DOCUMENTS)
PDF_CONTENT = uploads.ContentValidator(uploads.PDF_ONLY)
# Disclosure files are public, but stored privately and served only through a view that checks
# the bytes against the SHA-256 recorded on upload (core.stored_files).
SHA256_HELP = _("上传时记录；下载时据此核对文件是否被改动。")


class ProjectStatus(models.TextChoices):
    FUNDRAISING = "fundraising", _("募集中")
    RUNNING = "running", _("执行中")
    COMPLETED = "completed", _("已结项")


class CharityProject(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name=_("慈善组织"), on_delete=models.PROTECT, related_name="charity_projects"
    )
    name = models.CharField(pgettext_lazy("慈善", "项目名称"), max_length=120)
    plan_filing_number = models.CharField(_("募捐方案备案号"), max_length=60, blank=True)
    plan_filed_on = models.DateField(_("募捐方案备案日期"), null=True, blank=True)
    public_fundraising = models.BooleanField(_("公开募捐"), default=False)
    goal = models.DecimalField(
        _("募捐目标（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("项目简介"))
    status = models.CharField(
        _("项目状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.FUNDRAISING
    )
    area = models.CharField(_("受益地区"), max_length=6, choices=District.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # The only status changes there are; core.statemachine.transition enforces and audits them.
    # A project is created fundraising; a completed project is final, so its record stays whole.
    TRANSITIONS = {
        (ProjectStatus.FUNDRAISING, ProjectStatus.RUNNING): _("开始执行"),
        (ProjectStatus.RUNNING, ProjectStatus.COMPLETED): _("结项"),
    }

    class Meta:
        verbose_name = _("慈善项目")
        verbose_name_plural = _("慈善项目")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="charity_project_dates"
            ),
        ]

    def __str__(self):
        return self.name


def _check_correction(record):
    from django.core.exceptions import ValidationError

    if record.corrects_id and record.corrects.project_id != record.project_id:
        raise ValidationError({"corrects": _("只能更正同一项目的记录。")})


class CorrectableQuerySet(models.QuerySet):
    def current(self):
        """Rows that no later row corrects (NOT EXISTS, which PostgreSQL plans well)."""
        corrections = self.model._default_manager.filter(corrects=models.OuterRef("pk"))
        return self.filter(~models.Exists(corrections))


class CorrectableRecord(AppendOnlyModel):
    """A published disclosure record of one project: never changed, never deleted; a mistake is
    corrected by a new row of the same project that points at the row it corrects."""

    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )

    objects = CorrectableQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        _check_correction(self)


class Donation(CorrectableRecord):
    class Kind(models.TextChoices):
        MONEY = "money", _("资金")
        IN_KIND = "in_kind", _("物资")

    class Channel(models.TextChoices):
        ONLINE = "online", _("平台在线捐赠")
        BANK = "bank", _("银行转账")
        CASH = "cash", _("现金")
        OTHER = "other", _("其他")

    organization = models.ForeignKey(
        Organization, verbose_name=_("慈善组织"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        CharityProject, verbose_name=_("慈善项目"), on_delete=models.PROTECT, related_name="donations"
    )
    donor_name = models.CharField(_("捐赠人"), max_length=100)
    anonymous = models.BooleanField(_("匿名捐赠"), default=False)
    kind = models.CharField(_("捐赠类型"), max_length=8, choices=Kind.choices, default=Kind.MONEY)
    amount = models.DecimalField(
        _("金额或估值（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    in_kind_description = models.CharField(_("物资说明"), max_length=200, blank=True)
    donated_on = models.DateField(_("捐赠日期"))
    channel = models.CharField(_("捐赠渠道"), max_length=8, choices=Channel.choices)
    receipt_number = models.CharField(_("票据号"), max_length=40)
    correction_note = models.CharField(
        _("更正说明"), max_length=300, blank=True, help_text=_("平台自动更正（如退款）时写明原因。")
    )
    created_at = models.DateTimeField(_("公开时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("捐赠记录")
        verbose_name_plural = _("捐赠记录")
        ordering = ["-donated_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "receipt_number"],
                condition=Q(corrects__isnull=True),
                name="charity_receipt_unique_per_org",
            ),
        ]

    def __str__(self):
        return f"{self.receipt_number} · {self.public_donor_name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.project_id and self.organization_id and self.project.organization_id != self.organization_id:
            raise ValidationError({"project": _("项目不属于该慈善组织。")})
        super().clean()

    @property
    def public_donor_name(self):
        """The only donor name any public output may show."""
        return str(ANONYMOUS) if self.anonymous else self.donor_name


class Expenditure(HashedFilesMixin, CorrectableRecord):
    hashed_files = {"document": "document_sha256"}

    project = models.ForeignKey(
        CharityProject, verbose_name=_("慈善项目"), on_delete=models.PROTECT, related_name="expenditures"
    )
    voucher_number = models.CharField(
        _("凭证号"),
        max_length=40,
        blank=True,
        help_text=_("机构会计凭证编号，在本项目内唯一；批量导入时据此避免重复登记。"),
    )
    amount = models.DecimalField(
        _("支出金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    purpose = models.CharField(_("用途"), max_length=200)
    beneficiary_count = models.PositiveIntegerField(_("受益人数"), default=0)
    spent_on = models.DateField(_("支出日期"))
    document = models.FileField(
        _("支出凭证"),
        upload_to="charity/expenditures/",
        storage=private_storage,
        blank=True,
        validators=[DOCUMENT_EXTENSIONS, DOCUMENT_CONTENT],
    )
    document_sha256 = models.CharField(
        _("支出凭证 SHA-256"), max_length=64, blank=True, editable=False, help_text=SHA256_HELP
    )
    created_at = models.DateTimeField(_("公开时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("支出记录")
        verbose_name_plural = _("支出记录")
        ordering = ["-spent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "voucher_number"],
                condition=Q(corrects__isnull=True) & ~Q(voucher_number=""),
                name="charity_voucher_unique_per_project",
            ),
        ]

    def __str__(self):
        return f"{self.spent_on} · {self.purpose}"


class ProgressReport(CorrectableRecord):
    class Kind(models.TextChoices):
        PROGRESS = "progress", _("进展报告")
        FINAL = "final", _("结项全面报告")

    project = models.ForeignKey(
        CharityProject, verbose_name=_("慈善项目"), on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("报告类型"), max_length=8, choices=Kind.choices, default=Kind.PROGRESS)
    period_start = models.DateField(_("报告期起"))
    period_end = models.DateField(_("报告期止"))
    text = models.TextField(_("报告内容"))
    published_on = models.DateField(_("公开日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目进展报告")
        verbose_name_plural = _("项目进展报告")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="charity_report_period"
            ),
        ]

    def __str__(self):
        return f"{self.project} · {self.period_start}–{self.period_end}"

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("报告期止不能早于报告期起。")})


class ProgressReportAttachment(HashedFilesMixin, AppendOnlyModel):
    """A file published with a progress report (photos, receipts, an audit); as permanent as it."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("项目进展报告"), on_delete=models.PROTECT, related_name="attachments"
    )
    hashed_files = {"file": "sha256"}

    file = models.FileField(
        _("附件"),
        upload_to="charity/reports/",
        storage=private_storage,
        validators=[DOCUMENT_EXTENSIONS, DOCUMENT_CONTENT],
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False, help_text=SHA256_HELP)
    name = models.CharField(_("文件名"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("进展报告附件")
        verbose_name_plural = _("进展报告附件")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class BasicInfoDisclosure(HashedFilesMixin, AppendOnlyModel):
    """C1: one publication of a charity's basic information, on recognition or after a change.

    The registry data (name, legal representative, domicile, scope) is the bureau's and is
    shown from the registry; this record adds what the charity itself must disclose: its
    articles of association and the members of its decision-making and supervisory bodies,
    with what changed. The history stays public; a new record supersedes the last."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("慈善组织"), on_delete=models.PROTECT, related_name="basic_info"
    )
    changed_on = models.DateField(
        _("变更发生日期"), help_text=_("本次公开所涉变更发生（或被认定为慈善组织）的日期。")
    )
    summary = models.TextField(_("变更说明"), help_text=_("本次公开的内容或变更了什么。"))
    governing_body = models.TextField(_("决策机构成员"), help_text=_("理事会成员，每行一人：姓名 职务。"))
    supervisory_body = models.TextField(
        _("监督机构成员"), blank=True, help_text=_("监事或监事会成员，每行一人。")
    )
    hashed_files = {"articles": "articles_sha256"}

    articles = models.FileField(
        _("章程"),
        upload_to="charity/articles/",
        storage=private_storage,
        blank=True,
        validators=[FileExtensionValidator(["pdf"]), PDF_CONTENT],
    )
    articles_sha256 = models.CharField(
        _("章程 SHA-256"), max_length=64, blank=True, editable=False, help_text=SHA256_HELP
    )
    published_on = models.DateField(_("公开日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公开人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("慈善组织基本信息公开")
        verbose_name_plural = _("慈善组织基本信息公开")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_on__gte=models.F("changed_on")), name="charity_basic_info_after_change"
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.published_on}"

    @property
    def days_to_publish(self):
        return (self.published_on - self.changed_on).days

    @property
    def late(self):
        """C1: published more than C1_BASIC_INFO_DISCLOSURE_DAYS days after the change."""
        return self.days_to_publish > settings.C1_BASIC_INFO_DISCLOSURE_DAYS
