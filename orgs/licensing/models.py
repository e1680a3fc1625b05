"""Electronic licences (电子证照, S9): the sealed registration certificate of a social
organisation, one current licence per registration state.

A licence is history: its facts, its sealed PDF (``core.VerifiableDocument``) and its version
never change. When the registry changes (a change registration, deregistration or revocation),
a new licence is issued and the old one stops being current, and its document is marked
superseded (已被替换) with a pointer to the new one, so ``/verify/<code>/`` of an old licence
names the current one. A partial unique constraint keeps exactly one current licence per
organisation.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import uploads
from core.models import AppendOnlyModel, VerifiableDocument
from core.money import MoneyField
from core.storage import private_storage
from core.stored_files import HashedFilesMixin
from orgs.registry.models import (
    District,
    Organization,
    OrgStatus,
    OrgType,
    RegistryChange,
    ServiceField,
    SupervisingUnit,
    name_key,
)

# The printed facts, in the certificate's order: (key, the registry field it reads).
FACT_FIELDS = (
    "name",
    "uscc",
    "org_type",
    "domicile",
    "legal_representative",
    "business_scope",
    "registered_funds",
    "supervising_unit",
    "registration_authority",
    "registered_on",
    "status",
)


class Licence(AppendOnlyModel):
    """One version of an organisation's electronic licence (or, once it is deregistered or
    revoked, of the certificate of that state)."""

    mutable_columns = frozenset({"current"})
    edit_message = _("已发放的电子证照不能修改；登记事项变更后由新版本取代。")
    delete_message = _("已发放的电子证照不能删除。")

    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="licences"
    )
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("登记状态"), max_length=20, choices=OrgStatus.choices)
    facts = models.JSONField(_("证照记载事项"), default=dict)
    reason = models.CharField(_("发放原因"), max_length=200)
    document = models.OneToOneField(
        VerifiableDocument, verbose_name=_("盖章文书"), on_delete=models.PROTECT, related_name="+"
    )
    current = models.BooleanField(_("现行有效"), default=True)
    issued_at = models.DateTimeField(_("发放时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["organization", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="licensing_one_row_per_version"),
            # S9: exactly one current licence per organisation.
            models.UniqueConstraint(
                fields=["organization"], condition=Q(current=True), name="licensing_one_current_licence"
            ),
        ]

    def __str__(self):
        return f"{self.document.title}（{self.version}）"

    @property
    def title(self):
        return self.document.title


# --- Registration applications (设立、变更、注销登记, S9) -----------------------------------------


class ApplicationKind(models.TextChoices):
    ESTABLISH = "establish", pgettext_lazy("application kind", "设立登记")
    CHANGE = "change", pgettext_lazy("application kind", "变更登记")
    DEREGISTER = "deregister", pgettext_lazy("application kind", "注销登记")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，形式审查中")
    RETURNED = "returned", _("退回补正")
    IN_REVIEW = "in_review", _("已受理，实质审查中")
    APPROVED = "approved", _("准予登记")
    REFUSED = "refused", _("不予登记")
    WITHDRAWN = "withdrawn", pgettext_lazy("registration application", "已撤回")


A = ApplicationStatus

# The explicit transition table (core.statemachine). The formal check ends in acceptance or
# one return for completion (补正, at most once: ``services`` refuses a second); the
# substantive review ends in a decision. The applicant may withdraw until the decision.
APPLICATION_TRANSITIONS = {
    (A.DRAFT, A.SUBMITTED): "submit",
    (A.DRAFT, A.WITHDRAWN): "withdraw",
    (A.SUBMITTED, A.RETURNED): "return",
    (A.SUBMITTED, A.IN_REVIEW): "accept",
    (A.SUBMITTED, A.WITHDRAWN): "withdraw",
    (A.RETURNED, A.SUBMITTED): "resubmit",
    (A.RETURNED, A.WITHDRAWN): "withdraw",
    (A.IN_REVIEW, A.APPROVED): "approve",
    (A.IN_REVIEW, A.REFUSED): "refuse",
    (A.IN_REVIEW, A.WITHDRAWN): "withdraw",
}
# States in which the bureau owes the applicant a step (each has a deadline).
PENDING_STATES = (A.SUBMITTED, A.IN_REVIEW)
# States in which the applicant may still change the application and its materials.
EDITABLE_STATES = (A.DRAFT, A.RETURNED)
# What the applicant fills in (the rest is the clock and the bureau's).
APPLICANT_FIELDS = (
    "org_type",
    "proposed_name",
    "domicile",
    "district",
    "legal_representative",
    "business_scope",
    "service_field",
    "registered_capital",
    "public_fundraising",
    "supervising_unit",
    "legal_representative_mobile",
    "founders",
    "change_items",
    "reason",
    "liquidation_completed_on",
)
# States that hold a proposed name against other applicants.
OPEN_STATES = (A.SUBMITTED, A.RETURNED, A.IN_REVIEW)


class RegistrationApplication(models.Model):
    """An application to establish (设立), change (变更) or deregister (注销) a social
    organisation. Establishment names the proposed organisation's facts; a change names the
    registry items it changes (``change_items``: item -> the new value, as text); a
    deregistration names the completed liquidation."""

    TRANSITIONS = APPLICATION_TRANSITIONS

    number = models.CharField(_("申请编号"), max_length=20, unique=True)
    kind = models.CharField(_("申请类型"), max_length=12, choices=ApplicationKind.choices)
    status = models.CharField(
        _("办理状态"), max_length=12, choices=ApplicationStatus.choices, default=A.DRAFT
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="registration_applications",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("社会组织"),
        on_delete=models.PROTECT,
        related_name="registration_applications",
        null=True,
        blank=True,
        help_text=_("变更和注销登记为申请的组织；设立登记在准予登记后为新成立的组织。"),
    )
    # Establishment: the proposed organisation.
    org_type = models.CharField(_("组织类型"), max_length=20, choices=OrgType.choices, blank=True)
    proposed_name = models.CharField(_("拟登记名称"), max_length=120, blank=True)
    domicile = models.CharField(_("住所"), max_length=200, blank=True)
    district = models.CharField(_("住所所在区"), max_length=6, choices=District.choices, blank=True)
    legal_representative = models.CharField(_("拟任法定代表人"), max_length=60, blank=True)
    business_scope = models.TextField(_("业务范围"), blank=True)
    service_field = models.CharField(_("服务领域"), max_length=20, choices=ServiceField.choices, blank=True)
    registered_capital = MoneyField(_("注册资金（元）"), null=True, blank=True)
    public_fundraising = models.BooleanField(
        _("申请公开募捐资格"), default=False, help_text=_("仅基金会：公募基金会的注册资金下限更高。")
    )
    supervising_unit = models.ForeignKey(
        SupervisingUnit,
        verbose_name=_("业务主管单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    legal_representative_mobile = models.CharField(
        _("拟任法定代表人手机号码"),
        max_length=11,
        blank=True,
        help_text=_("拟任法定代表人用这个号码收到的短信验证码确认申请。"),
    )
    founders = models.JSONField(
        pgettext_lazy("registration application", "发起人"), default=list, blank=True
    )  # [{"name": …, "mobile": …}] a person, or [{"name": …, "unit_uscc": …}] a unit founder
    # Change and deregistration.
    change_items = models.JSONField(_("变更事项"), default=dict, blank=True)
    changed_from = models.JSONField(
        _("变更前的登记事项"), default=dict, blank=True, help_text=_("准予变更时记录的原登记内容。")
    )
    reason = models.TextField(_("申请理由"), blank=True)
    liquidation_completed_on = models.DateField(_("清算完成日期"), null=True, blank=True)
    # The clock (dates in Asia/Shanghai; deadlines in working days, core.dates).
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    formal_check_due = models.DateField(_("形式审查期限"), null=True, blank=True)
    returned_on = models.DateField(_("退回补正日期"), null=True, blank=True)
    returned_items = models.JSONField(_("需补正的事项"), default=list, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    decision_due = models.DateField(_("决定期限"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    legal_basis = models.TextField(_("法律依据"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # The proposed name as compared (orgs.registry.models.name_key): set on every save.
    name_key = models.CharField(max_length=120, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("登记申请")
        verbose_name_plural = _("登记申请")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "decision_due"])]

    def __str__(self):
        return f"{self.number} · {self.get_kind_display()} · {self.subject_name}"

    def save(self, *args, update_fields=None, **kwargs):
        self.name_key = self.proposed_name_key
        if update_fields is not None and {"kind", "proposed_name", "change_items"} & set(update_fields):
            update_fields = {*update_fields, "name_key"}
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def proposed_name_key(self):
        if self.kind == ApplicationKind.ESTABLISH:
            return name_key(self.proposed_name)
        return name_key((self.change_items or {}).get(RegistryChange.Item.NAME, ""))

    @property
    def subject_name(self):
        if self.kind == ApplicationKind.ESTABLISH and not self.organization_id:
            return self.proposed_name
        return self.organization.name if self.organization_id else self.proposed_name


MATERIAL_CONTENT = uploads.ContentValidator(uploads.DOCUMENTS, "REGISTRATION_MATERIAL_MAX_BYTES")


def material_path(instance, filename):
    return f"registration/{instance.application.number}/{filename}"


class ApplicationMaterial(HashedFilesMixin, AppendOnlyModel):
    """One uploaded material of an application, for one item of its checklist (the service
    guide's 申请材料). A new upload for the same item replaces it: the old row stays, no longer
    ``current``, so the e-archive keeps what was submitted when."""

    hashed_files = {"file": "file_sha256"}
    mutable_columns = frozenset({"current"})
    edit_message = _("已上传的申请材料不能修改；请重新上传该项材料。")
    delete_message = _("已上传的申请材料不能删除；重新上传后旧文件留档。")

    application = models.ForeignKey(
        RegistrationApplication,
        verbose_name=_("登记申请"),
        on_delete=models.PROTECT,
        related_name="materials",
    )
    item = models.CharField(_("材料名称"), max_length=120)
    file = models.FileField(
        _("文件"),
        storage=private_storage,
        upload_to=material_path,
        max_length=200,
        validators=[MATERIAL_CONTENT],
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
                name="licensing_one_current_material",
            )
        ]

    def __str__(self):
        return f"{self.item} · {self.original_name}"


class ConsentRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", pgettext_lazy("consent role", "拟任法定代表人")
    FOUNDER = "founder", pgettext_lazy("consent role", "发起人")


class Consent(models.Model):
    """One person's consent to an application (S9): the proposed legal representative and each
    founder who is a person confirm it with a code sent to their own mobile number, on the page
    their invitation SMS links to (``token``). A consent covers the application's facts as they
    were (``facts_sha256``): when the applicant changes them, every consent stops being current
    and must be given again."""

    application = models.ForeignKey(
        RegistrationApplication, verbose_name=_("登记申请"), on_delete=models.CASCADE, related_name="consents"
    )
    role = models.CharField(_("身份"), max_length=24, choices=ConsentRole.choices)
    name = models.CharField(_("姓名"), max_length=60)
    mobile = models.CharField(_("手机号码"), max_length=11)
    token = models.CharField(_("确认链接令牌"), max_length=64, unique=True, editable=False)
    facts_sha256 = models.CharField(_("所确认的申请内容（SHA-256）"), max_length=64)
    current = models.BooleanField(_("有效"), default=True)
    invited_at = models.DateTimeField(_("邀请时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    signed_ip = models.GenericIPAddressField(_("确认时的 IP 地址"), null=True, blank=True)
    signed_user_agent = models.CharField(_("确认时的浏览器"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("申请确认")
        verbose_name_plural = _("申请确认")
        ordering = ["application", "role", "pk"]

    def __str__(self):
        return f"{self.application.number} · {self.get_role_display()} · {self.name}"
