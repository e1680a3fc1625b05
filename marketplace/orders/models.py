"""Orders, online contracts, change orders and e-certificates (F4, F7, F8, F9, M2).

Every status moves through ``core.statemachine.transition`` and its table below.
Lines, signatures and payment records are history: they are only ever appended.
A contract is frozen once issued and never changes after it is sealed.

Kept as one module, slightly over 500 lines, on purpose: an order, its lines, contract,
change orders, signatures, payments and certificate are one aggregate sharing its status
tables and ``SealedOnceMixin``; splitting them would scatter it across files.
"""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.models import DraftStateMixin, RevisionMixin

from core.models import AppendOnlyModel, VerifiableDocument
from core.storage import private_storage
from marketplace.catalogue.models import BurialChoice

from .placeholders import placeholder_help_lazy, validate_body

MONEY = {"max_digits": 12, "decimal_places": 2}


def new_reference():
    return secrets.token_hex(5).upper()


# --- Contract templates (a Wagtail snippet with revisions and publishing) ------------------


class ContractTemplate(DraftStateMixin, RevisionMixin, models.Model):
    """The bureau's model contract. Providers may only use a published revision, and each
    contract records the revision it was made from."""

    title = models.CharField(_("模板名称"), max_length=120)
    body = models.TextField(
        _("合同正文"),
        help_text=_("空行分隔段落；以“# ”开头的段落为标题。可用占位符见下方说明，未知占位符无法保存。"),
    )
    dispute_resolution = models.TextField(
        _("争议解决条款"), help_text=_("在正文中以 {{ dispute_resolution }} 引用。")
    )
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="contract_template")

    panels = [
        FieldPanel("title"),
        HelpPanel(content=placeholder_help_lazy(), heading=_("可用占位符")),
        FieldPanel("body"),
        FieldPanel("dispute_resolution"),
    ]

    class Meta:
        verbose_name = _("合同模板")
        verbose_name_plural = _("合同模板")
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def revisions(self):
        return self._revisions

    def clean(self):
        super().clean()
        errors = validate_body(self.body or "")
        if errors:
            raise ValidationError({"body": errors})


# --- Orders -----------------------------------------------------------------------------------


class OrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交，待机构确认")
    CONFIRMED = "confirmed", _("机构已确认，待出具合同")
    CONTRACT_ISSUED = "contract_issued", _("合同待家属签署")
    FAMILY_SIGNED = "family_signed", _("家属已签署，待机构会签")
    COUNTERSIGNED = "countersigned", _("合同已生效，待支付")
    PAID = "paid", _("已支付，待服务")
    IN_SERVICE = "in_service", _("服务中")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    REFUNDED = "refunded", _("已退款")


S = OrderStatus
CANCELLABLE = (S.SUBMITTED, S.CONFIRMED, S.CONTRACT_ISSUED, S.FAMILY_SIGNED, S.COUNTERSIGNED, S.PAID)


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Order(models.Model):
    TRANSITIONS = {
        (S.SUBMITTED, S.CONFIRMED): "confirm",
        (S.CONFIRMED, S.CONTRACT_ISSUED): "issue_contract",
        (S.CONTRACT_ISSUED, S.FAMILY_SIGNED): "family_sign",
        (S.FAMILY_SIGNED, S.COUNTERSIGNED): "countersign",
        (S.COUNTERSIGNED, S.PAID): "pay",
        (S.PAID, S.IN_SERVICE): "start_service",
        (S.IN_SERVICE, S.COMPLETED): "complete",
        **{(source, S.CANCELLED): "cancel" for source in CANCELLABLE},
        (S.CANCELLED, S.REFUNDED): "refund",
    }

    reference = models.CharField(_("订单号"), max_length=12, unique=True, default=new_reference)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下单用户"),
        on_delete=models.PROTECT,
        related_name="funeral_orders",
    )
    provider = models.ForeignKey(
        "catalogue.Provider", verbose_name=_("服务机构"), on_delete=models.PROTECT, related_name="orders"
    )
    quote = models.ForeignKey(
        "catalogue.Quote", verbose_name=_("来源报价单"), on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.SUBMITTED, db_index=True
    )
    burial_choice = models.CharField(_("安葬方式"), max_length=10, choices=BurialChoice.choices, blank=True)
    beijing_resident = models.BooleanField(_("逝者为本市居民"), default=False)
    # The deceased. The identity number is never stored in full.
    deceased_name = models.CharField(_("逝者姓名"), max_length=60)
    deceased_gender = models.CharField(_("逝者性别"), max_length=6, choices=Gender.choices)
    deceased_age = models.PositiveSmallIntegerField(_("逝者年龄"))
    date_of_death = models.DateField(_("死亡日期"))
    deceased_id_masked = models.CharField(_("逝者身份证号（脱敏）"), max_length=18)
    deceased_id_hmac = models.CharField(_("逝者身份证号摘要"), max_length=64, db_index=True, editable=False)
    # The family's contact, who signs the contract.
    contact_name = models.CharField(_("经办家属姓名"), max_length=60)
    contact_relation = models.CharField(_("与逝者关系"), max_length=20)
    contact_mobile = models.CharField(_("经办家属手机"), max_length=11)
    requested_date = models.DateField(_("希望服务日期"))
    requested_time = models.TimeField(_("希望服务时间"))
    family_note = models.TextField(_("家属备注"), blank=True)
    # Confirmed by the provider.
    service_date = models.DateField(_("确认服务日期"), null=True, blank=True)
    service_time = models.TimeField(_("确认服务时间"), null=True, blank=True)
    hall = models.CharField(_("礼厅"), max_length=60, blank=True)
    provider_note = models.TextField(_("机构说明"), blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)
    # Totals of the current bill (order, then contract, then contract + signed changes); computed by services.
    subtotal = models.DecimalField(_("项目合计"), **MONEY)
    exempted = models.DecimalField(_("政策减免"), **MONEY)
    total = models.DecimalField(_("应付合计"), **MONEY)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("殡葬服务订单")
        verbose_name_plural = _("殡葬服务订单")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-submitted_at"]),
            models.Index(fields=["provider", "status", "-submitted_at"]),
        ]

    def __str__(self):
        return _("订单 %(ref)s") % {"ref": self.reference}

    def get_absolute_url(self):
        return reverse("orders:detail", kwargs={"reference": self.reference})

    def get_workbench_url(self):
        return reverse("orders_workbench:detail", kwargs={"reference": self.reference})

    @property
    def is_open(self):
        return self.status not in (S.COMPLETED, S.CANCELLED, S.REFUNDED)


class OrderLine(AppendOnlyModel):
    """One line of the order, the contract or a change order: a snapshot of a posted item at
    the price version in effect (F4), or a discount line citing the policy (F7)."""

    class Stage(models.TextChoices):
        ORDER = "order", _("订单")
        CONTRACT = "contract", _("合同")
        CHANGE = "change", _("变更")

    class Kind(models.TextChoices):
        ITEM = "item", _("项目")
        DISCOUNT = "discount", _("政策减免")

    order = models.ForeignKey(Order, verbose_name=_("订单"), on_delete=models.CASCADE, related_name="lines")
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices)
    change_order = models.ForeignKey(
        "ChangeOrder",
        verbose_name=_("变更单"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="lines",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.ITEM)
    item = models.ForeignKey(
        "catalogue.ServiceItem", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+"
    )
    price_version = models.ForeignKey(
        "catalogue.PriceVersion", verbose_name=_("价格版本"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=200)
    category_name = models.CharField(_("类别"), max_length=60)
    unit = models.CharField(_("单位"), max_length=8)
    quantity = models.IntegerField(_("数量"), help_text=_("变更单中减少的数量为负数。"))
    unit_price = models.DecimalField(_("单价"), **MONEY)
    amount = models.DecimalField(_("金额"), **MONEY)
    policy_reference = models.CharField(_("政策依据"), max_length=60, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        ordering = ["stage", "change_order_id", "sort_order", "id"]
        indexes = [models.Index(fields=["order", "stage"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage="change", change_order__isnull=False)
                | (~Q(stage="change") & Q(change_order__isnull=True)),
                name="orders_line_change_order_matches_stage",
            )
        ]

    def __str__(self):
        return f"{self.name} × {self.quantity}"

    @property
    def is_discount(self):
        return self.kind == self.Kind.DISCOUNT


# --- Contracts ----------------------------------------------------------------------------


class ContractStatus(models.TextChoices):
    ISSUED = "issued", _("待家属签署")
    FAMILY_SIGNED = "family_signed", _("待机构会签")
    SEALED = "sealed", _("已签署并加盖电子印章")
    VOID = "void", _("已作废（未生效）")


def draft_upload_to(instance, filename):
    return f"orders/drafts/{filename}"


class SealedOnceMixin(AppendOnlyModel):
    """Only status and sealing columns may change after creation; nothing after sealing."""

    mutable_columns = frozenset({"status", "sealed_document_id", "sealed_sha256", "sealed_at"})
    edit_message = _("已出具的文书内容不能修改。")
    delete_message = _("已出具的文书不能删除。")

    class Meta:
        abstract = True

    def update_refusal(self, stored, changed):
        if stored.sealed_document_id is not None:
            return _("已盖章的文书不能修改。")
        return super().update_refusal(stored, changed)

    @property
    def is_sealed(self):
        return self.sealed_document_id is not None


class Contract(SealedOnceMixin):
    TRANSITIONS = {
        (ContractStatus.ISSUED, ContractStatus.FAMILY_SIGNED): "family_sign",
        (ContractStatus.FAMILY_SIGNED, ContractStatus.SEALED): "countersign",
        (ContractStatus.ISSUED, ContractStatus.VOID): "void",
        (ContractStatus.FAMILY_SIGNED, ContractStatus.VOID): "void",
    }

    order = models.OneToOneField(
        Order, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="contract"
    )
    number = models.CharField(_("合同编号"), max_length=24, unique=True)
    template = models.ForeignKey(
        ContractTemplate, verbose_name=_("合同模板"), on_delete=models.PROTECT, related_name="+"
    )
    template_revision = models.ForeignKey(
        "wagtailcore.Revision", verbose_name=_("模板版本"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.ISSUED
    )
    draft_file = models.FileField(_("待签署文本"), storage=private_storage, upload_to=draft_upload_to)
    draft_sha256 = models.CharField(_("待签署文本 SHA-256"), max_length=64)
    subtotal = models.DecimalField(_("项目合计"), **MONEY)
    exempted = models.DecimalField(_("政策减免"), **MONEY)
    total = models.DecimalField(_("合同总价"), **MONEY)
    # F8 terms as agreed when the contract was issued; later changes to the provider's terms or
    # to the bureau's schedule don't alter a contract already issued.
    deposit_percent = models.DecimalField(_("定金比例（%）"), max_digits=5, decimal_places=2, default=0)
    refund_schedule = models.JSONField(
        _("取消退款比例"),
        default=list,
        help_text=_("[[服务日前至少天数, 退还比例], …]，按顺序取第一条符合的。"),
    )
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("出具人"), on_delete=models.PROTECT, related_name="+"
    )
    sealed_document = models.OneToOneField(
        VerifiableDocument,
        verbose_name=_("盖章文本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sealed_sha256 = models.CharField(_("盖章文本 SHA-256"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("盖章时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("殡葬服务合同")
        verbose_name_plural = _("殡葬服务合同")

    def __str__(self):
        return self.number


# --- Change orders (F9) --------------------------------------------------------------------


class ChangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("待家属签署")
    FAMILY_SIGNED = "family_signed", _("待机构会签")
    SIGNED = "signed", _("已生效")
    DECLINED = "declined", _("家属已拒绝")
    WITHDRAWN = "withdrawn", _("机构已撤回")


class ChangeOrder(SealedOnceMixin):
    TRANSITIONS = {
        (ChangeStatus.PROPOSED, ChangeStatus.FAMILY_SIGNED): "family_sign",
        (ChangeStatus.FAMILY_SIGNED, ChangeStatus.SIGNED): "countersign",
        (ChangeStatus.PROPOSED, ChangeStatus.DECLINED): "decline",
        (ChangeStatus.PROPOSED, ChangeStatus.WITHDRAWN): "withdraw",
        (ChangeStatus.FAMILY_SIGNED, ChangeStatus.WITHDRAWN): "withdraw",
    }
    OPEN = (ChangeStatus.PROPOSED, ChangeStatus.FAMILY_SIGNED)

    order = models.ForeignKey(
        Order, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="change_orders"
    )
    number = models.PositiveSmallIntegerField(_("变更序号"))
    reason = models.TextField(_("变更原因"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PROPOSED
    )
    delta = models.DecimalField(_("金额变化"), **MONEY)
    bureau_decision = models.CharField(
        _("所执行的决定"),
        max_length=40,
        blank=True,
        help_text=_(
            "民政部门决定的减免（如惠民殡葬审核决定书编号）：双方签署后生效，机构不能撤回，家属不能拒绝。"
        ),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提出时间"))
    draft_file = models.FileField(_("待签署文本"), storage=private_storage, upload_to=draft_upload_to)
    draft_sha256 = models.CharField(_("待签署文本 SHA-256"), max_length=64)
    sealed_document = models.OneToOneField(
        VerifiableDocument,
        verbose_name=_("盖章文本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sealed_sha256 = models.CharField(_("盖章文本 SHA-256"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("盖章时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("合同变更单")
        verbose_name_plural = _("合同变更单")
        ordering = ["order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="orders_unique_change_number")
        ]

    def __str__(self):
        return _("变更单 %(ref)s-%(n)s") % {"ref": self.order.reference, "n": self.number}

    @property
    def display_number(self):
        return f"{self.order.reference}-B{self.number}"

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def is_bureau_decision(self):
        return bool(self.bureau_decision)


# --- Signatures ---------------------------------------------------------------------------


class Signature(AppendOnlyModel):
    """One party's e-signature: re-confirmed with a one-time code, with the exact bytes shown."""

    class Role(models.TextChoices):
        FAMILY = "family", _("家属（甲方）")
        PROVIDER = "provider", _("服务机构（乙方）")

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("合同"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    change_order = models.ForeignKey(
        ChangeOrder,
        verbose_name=_("变更单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    role = models.CharField(_("签署方"), max_length=10, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签署人账户"), on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("签署人姓名"), max_length=60)
    signed_at = models.DateTimeField(_("签署时间"))
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器标识"), max_length=400, blank=True)
    document_sha256 = models.CharField(_("所签文本 SHA-256"), max_length=64)
    one_time_code = models.ForeignKey(
        "accounts.OneTimeCode",
        verbose_name=_("短信验证码"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("电子签名")
        verbose_name_plural = _("电子签名")
        ordering = ["signed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract__isnull=False, change_order__isnull=True)
                | Q(contract__isnull=True, change_order__isnull=False),
                name="orders_signature_one_document",
            ),
            models.UniqueConstraint(
                fields=["contract", "role"], name="orders_one_signature_per_role_contract"
            ),
            models.UniqueConstraint(
                fields=["change_order", "role"], name="orders_one_signature_per_role_change"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.full_name} {self.signed_at:%Y-%m-%d %H:%M}"


# --- Payments as the order sees them -----------------------------------------------------------


class OrderPayment(AppendOnlyModel):
    """A charge or refund the payments app reported for this order (idempotent by reference)."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("支付")
        REFUND = "refund", _("退款")

    order = models.ForeignKey(
        Order, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="payments"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    amount = models.DecimalField(_("金额"), **MONEY)
    reference = models.CharField(_("支付流水号"), max_length=64, unique=True)
    note = models.CharField(_("说明"), max_length=300, blank=True, help_text=_("退款的原因。"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("订单收付款")
        verbose_name_plural = _("订单收付款")
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ¥{self.amount} {self.reference}"


# --- E-certificates (M2) -------------------------------------------------------------------------


class Certificate(AppendOnlyModel):
    KINDS = (
        (VerifiableDocument.Kind.CREMATION_CERTIFICATE, _("火化证明")),
        (VerifiableDocument.Kind.BURIAL_CERTIFICATE, _("安葬证明")),
    )

    order = models.ForeignKey(
        Order, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="certificates"
    )
    kind = models.CharField(_("证明类型"), max_length=32, choices=KINDS)
    number = models.CharField(_("证明编号"), max_length=24, unique=True)
    event_date = models.DateField(_("火化或安葬日期"))
    place = models.CharField(
        _("地点"), max_length=200, help_text=_("火化：殡仪馆名称及火化炉号；安葬：墓区、墓号。")
    )
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("出具人"), on_delete=models.PROTECT, related_name="+"
    )
    document = models.OneToOneField(
        VerifiableDocument, verbose_name=_("盖章文本"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("电子证明")
        verbose_name_plural = _("电子证明")
        ordering = ["issued_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"
