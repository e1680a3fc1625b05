"""惠民殡葬 benefit schemes and applications (B1).

A **scheme** is the bureau's: a waiver of named basic services (费用减免) or a cash subsidy
(现金补贴), with structured eligibility (the deceased's household-registration district, the
burial type as in F7, the family's status), the documents it needs, its legal basis, its
effective dates and, where the policy sets one, a claim window after the death.

An **application** is a family's, from its order or standalone for a death handled elsewhere.
It moves through an explicit transition table; the bureau decides within
``B1_DECISION_WORKING_DAYS`` working days of each submission. The criteria in force are copied
into the application when it is submitted (``criteria``), so a scheme edited later never
changes what an application was judged against.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import uploads
from core.models import AppendOnlyModel, VerifiableDocument
from core.money import MoneyField
from core.storage import private_storage
from core.stored_files import HashedFilesMixin
from marketplace.catalogue.models import BurialChoice, ServiceCategory
from marketplace.catalogue.models.choices import District


class FamilyStatus(models.TextChoices):
    """The family's status as the civil-affairs registers record it."""

    SUBSISTENCE = "subsistence", _("城乡最低生活保障家庭")
    EXTREME_POVERTY = "extreme_poverty", _("特困供养人员")
    LOW_INCOME = "low_income", _("低收入家庭")
    ENTITLED_GROUP = "entitled_group", _("重点优抚对象")
    NONE = "none", _("以上均不是")


# The burial types a scheme may name (F7's, without "undecided").
BURIAL_TYPES = [(value, label) for value, label in BurialChoice.choices if value]


class SchemeKind(models.TextChoices):
    WAIVER = "waiver", _("免除基本殡葬服务费用")
    SUBSIDY = "subsidy", _("现金补贴")


class BenefitScheme(models.Model):
    """One 惠民殡葬 policy as the bureau runs it. An empty criterion list means "any"."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=SchemeKind.choices)
    summary = models.TextField(_("简介"), help_text=_("在申请页面向家属说明这项政策。"))
    legal_basis = models.CharField(_("政策依据"), max_length=200)
    districts = models.JSONField(
        _("户籍所在区"),
        default=list,
        blank=True,
        help_text=_("逝者户籍须在所选区之一；不选表示本市任一区。"),
    )
    burial_types = models.JSONField(
        _("安葬方式"), default=list, blank=True, help_text=_("须选择其中一种安葬方式；不选表示不限。")
    )
    family_statuses = models.JSONField(
        _("家庭情况"), default=list, blank=True, help_text=_("家庭须属于其中一类；不选表示不限。")
    )
    waived_categories = models.ManyToManyField(
        ServiceCategory,
        verbose_name=_("免除的服务类别"),
        blank=True,
        related_name="+",
        help_text=_("免除类政策：订单中属于这些类别（或其下级类别）的项目费用全部免除。"),
    )
    amount = MoneyField(
        _("补贴金额（元）"), null=True, blank=True, help_text=_("现金补贴类政策：每位逝者的补贴金额。")
    )
    required_documents = models.JSONField(
        _("所需材料"), default=list, blank=True, help_text=_("每行一项，家属须逐项上传。")
    )
    claim_window_days = models.PositiveSmallIntegerField(
        _("申请期限（死亡后天数）"), null=True, blank=True, help_text=_("政策规定的申请期限；不填表示不限。")
    )
    effective_from = models.DateField(_("生效日期"), help_text=_("死亡日期在有效期内的才适用。"))
    effective_until = models.DateField(_("失效日期"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("惠民殡葬政策")
        verbose_name_plural = _("惠民殡葬政策")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def is_waiver(self):
        return self.kind == SchemeKind.WAIVER

    def in_force_on(self, day):
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)

    def criteria(self):
        """What an application is judged against, as stored with it when it is submitted."""
        return {
            "kind": self.kind,
            "districts": list(self.districts or []),
            "burial_types": list(self.burial_types or []),
            "family_statuses": list(self.family_statuses or []),
            "waived_categories": sorted(self.waived_categories.values_list("pk", flat=True)),
            "amount": str(self.amount) if self.amount is not None else None,
            "required_documents": list(self.required_documents or []),
            "claim_window_days": self.claim_window_days,
            "effective_from": self.effective_from.isoformat(),
            "effective_until": self.effective_until.isoformat() if self.effective_until else None,
            "legal_basis": self.legal_basis,
        }


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("benefit application", "草稿")
    SUBMITTED = "submitted", pgettext_lazy("benefit application", "已提交，审核中")
    MORE_DOCUMENTS = "more_documents", _("需补充材料")
    APPROVED = "approved", pgettext_lazy("benefit application", "已批准")
    REJECTED = "rejected", pgettext_lazy("benefit application", "未批准")
    WITHDRAWN = "withdrawn", pgettext_lazy("benefit application", "已撤回")


A = ApplicationStatus

# B1: the explicit transition table (core.statemachine). The bureau asks for more documents
# (with reasons) or decides; the family answers a request by resubmitting, which starts the
# decision clock again. The family may withdraw until the decision.
APPLICATION_TRANSITIONS = {
    (A.DRAFT, A.SUBMITTED): "submit",
    (A.DRAFT, A.WITHDRAWN): "withdraw",
    (A.SUBMITTED, A.MORE_DOCUMENTS): "request_documents",
    (A.SUBMITTED, A.APPROVED): "approve",
    (A.SUBMITTED, A.REJECTED): "reject",
    (A.SUBMITTED, A.WITHDRAWN): "withdraw",
    (A.MORE_DOCUMENTS, A.SUBMITTED): "resubmit",
    (A.MORE_DOCUMENTS, A.REJECTED): "reject",
    (A.MORE_DOCUMENTS, A.WITHDRAWN): "withdraw",
}
EDITABLE_STATES = (A.DRAFT, A.MORE_DOCUMENTS)
# The states that hold the scheme for this death (B1: one benefit of a scheme per death).
HOLDING_STATES = (A.SUBMITTED, A.MORE_DOCUMENTS, A.APPROVED)
DECIDED_STATES = (A.APPROVED, A.REJECTED)
# What the family fills in.
APPLICANT_FIELDS = (
    "deceased_name",
    "date_of_death",
    "hukou_district",
    "burial_type",
    "family_status",
    "relation",
    "payee_name",
    "payee_bank",
    "payee_account",
)


class BenefitApplication(models.Model):
    TRANSITIONS = APPLICATION_TRANSITIONS

    number = models.CharField(_("申请编号"), max_length=20, unique=True)
    scheme = models.ForeignKey(
        BenefitScheme, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="benefit_applications",
    )
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("殡葬服务订单"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="benefit_applications",
        help_text=_("在本平台办理的，逝者信息取自订单；在其他机构办理的不填。"),
    )
    status = models.CharField(
        _("办理状态"), max_length=16, choices=ApplicationStatus.choices, default=A.DRAFT
    )
    # The deceased. The identity number is never stored in full (orders.identity).
    deceased_name = models.CharField(_("逝者姓名"), max_length=60)
    deceased_id_masked = models.CharField(_("逝者身份证号（脱敏）"), max_length=18)
    deceased_id_hmac = models.CharField(max_length=64, db_index=True, editable=False)
    date_of_death = models.DateField(_("死亡日期"))
    hukou_district = models.CharField(
        _("逝者户籍所在区"), max_length=12, choices=District.choices, blank=True
    )
    burial_type = models.CharField(_("安葬方式"), max_length=10, choices=BURIAL_TYPES, blank=True)
    family_status = models.CharField(_("家庭情况"), max_length=16, choices=FamilyStatus.choices, blank=True)
    relation = models.CharField(_("申请人与逝者关系"), max_length=20)
    # Where a cash subsidy is paid (the payment instruction names it).
    payee_name = models.CharField(_("收款人姓名"), max_length=60, blank=True)
    payee_bank = models.CharField(_("开户银行"), max_length=80, blank=True)
    payee_account = models.CharField(_("银行账号"), max_length=32, blank=True)
    # What the application was judged against (the scheme's criteria at the last submission).
    criteria = models.JSONField(_("适用条件"), default=dict, blank=True, editable=False)
    # The clock (dates in Asia/Shanghai; the deadline in working days, core.dates).
    first_submitted_on = models.DateField(_("首次提交日期"), null=True, blank=True)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    decision_due = models.DateField(_("审核期限"), null=True, blank=True)
    documents_requested_on = models.DateField(_("要求补充材料日期"), null=True, blank=True)
    documents_requested_at = models.DateTimeField(_("要求补充材料时间"), null=True, blank=True)
    requested_documents = models.JSONField(
        _("需补充的材料"), default=list, blank=True
    )  # [{"item": …, "reason": …}]
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(_("决定理由"), blank=True)
    amount = MoneyField(_("核定金额（元）"), null=True, blank=True)
    decision_letter = models.OneToOneField(
        VerifiableDocument,
        verbose_name=_("决定书"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # An approved waiver: the change order that carries it onto the bill (F9), exactly one.
    waiver_change = models.OneToOneField(
        "orders.ChangeOrder",
        verbose_name=_("减免变更单"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="benefit_application",
    )
    # An approved cash subsidy (or a waiver whose service was already complete): the payment
    # instruction to the bureau's finance office.
    instruction_number = models.CharField(_("支付指令编号"), max_length=24, blank=True)
    instructed_at = models.DateTimeField(_("支付指令时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("惠民殡葬申请")
        verbose_name_plural = _("惠民殡葬申请")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "decision_due"])]
        constraints = [
            # B1: one benefit of a scheme per death, whoever applies.
            models.UniqueConstraint(
                fields=["scheme", "deceased_id_hmac"],
                condition=Q(status__in=["submitted", "more_documents", "approved"]),
                name="benefits_one_open_application_per_death",
            ),
            models.UniqueConstraint(
                fields=["instruction_number"],
                condition=~Q(instruction_number=""),
                name="benefits_unique_instruction_number",
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.scheme.name} · {self.deceased_name}"

    def get_absolute_url(self):
        return reverse("benefits:detail", kwargs={"number": self.number})

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATES

    @property
    def payee_account_masked(self):
        account = self.payee_account or ""
        return account if len(account) <= 8 else account[:4] + "*" * (len(account) - 8) + account[-4:]


DOCUMENT_CONTENT = uploads.ContentValidator(uploads.DOCUMENTS, "B1_DOCUMENT_MAX_BYTES")


def document_path(instance, filename):
    return f"benefits/{instance.application.number}/{filename}"


class ApplicationDocument(HashedFilesMixin, AppendOnlyModel):
    """One uploaded document for one item the scheme requires. A new upload of the same item
    replaces it; the old row stays, no longer ``current``."""

    hashed_files = {"file": "file_sha256"}
    mutable_columns = frozenset({"current"})
    edit_message = _("已上传的材料不能修改；请重新上传该项材料。")
    delete_message = _("已上传的材料不能删除；重新上传后旧文件留档。")

    application = models.ForeignKey(
        BenefitApplication, verbose_name=_("惠民殡葬申请"), on_delete=models.PROTECT, related_name="documents"
    )
    item = models.CharField(_("材料名称"), max_length=120)
    file = models.FileField(
        _("文件"),
        storage=private_storage,
        upload_to=document_path,
        max_length=200,
        validators=[DOCUMENT_CONTENT],
    )
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    original_name = models.CharField(_("原文件名"), max_length=200)
    current = models.BooleanField(_("现用"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["application", "item", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "item"],
                condition=Q(current=True),
                name="benefits_one_current_document",
            )
        ]

    def __str__(self):
        return f"{self.item} · {self.original_name}"


class WaiverRefund(AppendOnlyModel):
    """A refund of an approved waiver to a family that had already paid (B1): the payments
    app's refund, tied to the application so that the waived amount is refunded exactly once."""

    edit_message = _("减免退款记录不能修改。")
    delete_message = _("减免退款记录不能删除。")

    application = models.ForeignKey(
        BenefitApplication, verbose_name=_("惠民殡葬申请"), on_delete=models.PROTECT, related_name="refunds"
    )
    refund = models.OneToOneField(
        "payments.Refund", verbose_name=_("退款"), on_delete=models.PROTECT, related_name="benefit_refund"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("减免退款")
        verbose_name_plural = _("减免退款")
        ordering = ["application", "pk"]

    def __str__(self):
        return f"{self.application.number} · {self.refund}"
