"""The resource pool (资源配置平台, I2): offers, applications to them, awards and needs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField
from orgs.registry.models import District, Organization, ServiceField

from .programmes import Criteria


class OfferKind(models.TextChoices):
    SERVICE_PURCHASE = "purchase", _("政府购买服务")
    VENUE = "venue", _("场地空间")
    GRANT = "grant", _("基金会资助")
    PRO_BONO = "pro_bono", _("专业志愿服务")
    MENTOR = "mentor", _("导师与志愿者")


class OfferQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def open_on(self, day):
        return self.published().filter(opens_on__lte=day, deadline__gte=day)


class Offer(Criteria):
    """A resource on offer: a government purchase-of-services project, a venue, a foundation's
    grant programme, pro bono professional services or mentors. It carries the same
    machine-checked criteria as a programme (I1), and the facts matching weighs for fit (I2).
    Nothing here is a payment or a promotion: no field can buy a higher rank."""

    kind = models.CharField(_("资源类型"), max_length=10, choices=OfferKind.choices)
    title = models.CharField(_("名称"), max_length=120)
    provider_name = models.CharField(
        _("提供方"), max_length=120, help_text=_("购买服务的部门、场地方、专业机构或志愿者团队的名称。")
    )
    funder = models.ForeignKey(
        Organization,
        verbose_name=_("资助基金会"),
        on_delete=models.PROTECT,
        related_name="incubator_offers",
        null=True,
        blank=True,
        help_text=_("基金会资助须选择已在本平台登记的基金会。"),
    )
    description = models.TextField(_("内容与要求"))
    deliverables = models.TextField(_("预期成果"), blank=True)
    field = models.CharField(_("面向的服务领域"), max_length=20, choices=ServiceField.choices, blank=True)
    district = models.CharField(_("服务地点所在区"), max_length=6, choices=District.choices, blank=True)
    budget = MoneyField(_("预算或资助上限（元）"), non_negative=True, null=True, blank=True)
    min_income = MoneyField(_("适合的机构年收入下限（元）"), non_negative=True, null=True, blank=True)
    max_income = MoneyField(_("适合的机构年收入上限（元）"), non_negative=True, null=True, blank=True)
    opens_on = models.DateField(_("开始接受申请"))
    deadline = models.DateField(_("申请截止日期"))
    published = models.BooleanField(_("已发布"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OfferQuerySet.as_manager()
    window_end = "deadline"

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("incubator:offer", args=[self.pk])

    def own_errors(self):
        errors = {}
        if self.kind == OfferKind.GRANT and not (self.funder_id and self.funder.is_foundation):
            errors["funder"] = _("基金会资助须选择已登记的基金会。")
        if self.kind != OfferKind.GRANT and self.funder_id:
            errors["funder"] = _("只有基金会资助需要选择资助基金会。")
        low, high = self.min_income, self.max_income
        if low is not None and high is not None and low > high:
            errors["max_income"] = _("年收入上限不能小于下限。")
        return errors

    @property
    def provider_label(self):
        return self.funder.name if self.funder_id else self.provider_name


class OfferApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("已申请")
    AWARDED = "awarded", _("已获得")
    DECLINED = "declined", _("未获得")
    WITHDRAWN = "withdrawn", _("已撤回")


OS = OfferApplicationState

OFFER_TRANSITIONS = {
    (OS.SUBMITTED, OS.AWARDED): "award",
    (OS.SUBMITTED, OS.DECLINED): "decline",
    (OS.SUBMITTED, OS.WITHDRAWN): "withdraw",
}


class OfferApplication(models.Model):
    """An organisation's application to an offer, with its eligibility when submitted."""

    TRANSITIONS = OFFER_TRANSITIONS

    offer = models.ForeignKey(
        Offer, verbose_name=_("资源"), on_delete=models.PROTECT, related_name="applications"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("申请机构"), on_delete=models.PROTECT, related_name="offer_applications"
    )
    state = models.CharField(
        _("状态"),
        max_length=10,
        choices=OfferApplicationState.choices,
        default=OfferApplicationState.SUBMITTED,
    )
    statement = models.TextField(_("申请说明"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    decision_due = models.DateField(_("办理期限"))
    eligibility = models.JSONField(_("提交时的资格核验"), default=list)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("资源申请")
        verbose_name_plural = _("资源申请")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "organization"],
                condition=~Q(state=OfferApplicationState.WITHDRAWN),
                name="incubator_one_active_offer_application",
            )
        ]

    def __str__(self):
        return _("%(org)s · %(offer)s") % {"org": self.organization, "offer": self.offer}

    def get_absolute_url(self):
        return reverse("incubator_workbench:offer", args=[self.organization.uscc, self.offer_id])


class Award(models.Model):
    """What an organisation won from an offer: amount, period and deliverables. Published on
    its profile and in the grants data set; a government service contract is also a credit
    record (S4, other)."""

    application = models.OneToOneField(
        OfferApplication, verbose_name=_("资源申请"), on_delete=models.PROTECT, related_name="award"
    )
    amount = MoneyField(_("金额（元）"), non_negative=True, null=True, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    deliverables = models.TextField(_("交付成果"))
    document_number = models.CharField(_("合同或协议编号"), max_length=80)
    awarded_on = models.DateField(_("授予日期"))
    credit_record = models.ForeignKey(
        "credit.CreditRecord",
        verbose_name=_("信用记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资源授予")
        verbose_name_plural = _("资源授予")
        ordering = ["-awarded_on", "-pk"]

    def __str__(self):
        return str(self.application)


class Need(models.Model):
    """What an organisation needs (需求), posted publicly so that offers can answer it."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="incubator_needs"
    )
    kind = models.CharField(_("需要的资源类型"), max_length=10, choices=OfferKind.choices)
    title = models.CharField(_("需求"), max_length=120)
    description = models.TextField(_("说明"))
    open = models.BooleanField(_("仍在寻找"), default=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资源需求")
        verbose_name_plural = _("资源需求")
        ordering = ["-posted_at", "-pk"]

    def __str__(self):
        return self.title


# --- Milestones during incubation ----------------------------------------------------------------
