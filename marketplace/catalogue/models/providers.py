"""The provider (F3: the fields of its public price notice; F8: its disclosures and terms of
business; F5: the plot term), its photos and the staff who may edit it."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from core.models import AppendOnlyModel, AppendOnlyQuerySet

from .choices import District, ProviderType


class ProviderQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_published=True)


class Provider(ClusterableModel):
    type = models.CharField(_("机构类型"), max_length=20, choices=ProviderType.choices)
    name = models.CharField(_("名称"), max_length=120)
    slug = models.SlugField(_("网址标识"), max_length=80, unique=True, allow_unicode=False)
    district = models.CharField(_("所在区"), max_length=20, choices=District.choices, db_index=True)
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40)
    opening_hours = models.CharField(_("服务时间"), max_length=120, blank=True)
    service_area = models.CharField(_("服务范围"), max_length=200, blank=True)
    # F3: the public price notice.
    licence_number = models.CharField(_("经营许可证号"), max_length=60)
    licence_expires = models.DateField(_("许可证有效期至"), null=True, blank=True)
    supervising_authority = models.CharField(_("主管部门"), max_length=120)
    complaint_hotline = models.CharField(_("投诉电话"), max_length=40)
    procedure = models.TextField(_("服务流程"), blank=True)
    # F8: disclosures and the terms of business, posted before purchase.
    ownership_disclosure = models.TextField(
        _("所有权与关联关系披露"), help_text=_("举办单位、投资方及与其他殡葬机构、医院等的关联关系。")
    )
    referral_disclosure = models.TextField(
        _("转介安排披露"),
        blank=True,
        help_text=_("与医院、养老机构等的任何转介安排。本平台不允许支付转介费。"),
    )
    deposit_terms = models.TextField(_("定金"))
    deposit_percent = models.DecimalField(
        _("定金比例（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("签约后先付的定金占合同总价的比例；0 表示签约后一次付清。写入合同（F8）。"),
    )
    payment_schedule = models.TextField(_("付款安排"))
    confirmation_hours = models.PositiveSmallIntegerField(
        _("确认时限（小时）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_("家属提交订单后，本机构通常在多少小时内确认服务时间；留空时使用平台默认时限。"),
    )
    cancellation_terms = models.TextField(_("取消条款"))
    refund_terms = models.TextField(_("退款条款"))
    description = models.TextField(_("机构简介"), blank=True)
    plot_term_years = models.PositiveSmallIntegerField(
        _("墓位使用年限"), null=True, blank=True, help_text=_("公墓填写；留空时使用默认年限。")
    )
    is_published = models.BooleanField(_("已公开"), default=False, db_index=True)
    # R1: a summary of the published reviews, written only by services.ratings.record_ratings
    # (the feedback app computes it; the list and the sort read it without a join).
    review_count = models.PositiveIntegerField(_("已发布评价数"), default=0, editable=False)
    rating_average = models.DecimalField(
        _("平均评分"), max_digits=3, decimal_places=2, null=True, blank=True, editable=False
    )
    rating_distribution = models.JSONField(
        _("评分分布"), default=list, blank=True, editable=False, help_text=_("1 至 5 星各有几条评价。")
    )
    is_verified = models.BooleanField(_("民政局已核验"), default=False)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("殡葬服务机构")
        verbose_name_plural = _("殡葬服务机构")
        ordering = ["name"]
        indexes = [models.Index(fields=["is_published", "district", "type"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalogue:provider", kwargs={"slug": self.slug})

    @property
    def term_years(self):
        """F5: the plot term used for totals."""
        return self.plot_term_years or settings.F5_DEFAULT_TERM_YEARS

    @property
    def licence_expired(self):
        return self.licence_expires is not None and self.licence_expires < timezone.localdate()


class ProviderPhoto(Orderable):
    provider = ParentalKey(Provider, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey("wagtailimages.Image", verbose_name=_("图片"), on_delete=models.CASCADE)
    caption = models.CharField(_("说明"), max_length=120, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("机构照片")
        verbose_name_plural = _("机构照片")


class ProviderMembership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("机构管理员")
        EDITOR = "editor", _("价格编辑")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="provider_memberships",
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"], name="catalogue_unique_membership")
        ]

    def __str__(self):
        return f"{self.user} · {self.provider} · {self.get_role_display()}"


class ProviderVerification(AppendOnlyModel):
    """The bureau's verification of a provider, one row per decision (ticking or unticking
    已核验 in the admin): the reason and the evidence it rests on, who decided and when.
    Append-only: the provider's ``is_verified`` is the latest decision, and this is its history."""

    edit_message = _("核验记录一经保存不能修改；如需更正，请重新核验并说明原因。")
    delete_message = _("核验记录不能删除。")

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="verifications"
    )
    verified = models.BooleanField(_("核验结论：已核验"))
    reason = models.CharField(_("核验原因"), max_length=300)
    evidence_reference = models.CharField(_("证明材料编号"), max_length=120)
    evidence_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("证明材料文件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by_name = models.CharField(_("核验人名称"), max_length=80, blank=True)
    recorded_at = models.DateTimeField(_("核验时间"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构核验记录")
        verbose_name_plural = _("机构核验记录")
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.provider} · {self.get_decision_display()} · {self.recorded_at:%Y-%m-%d}"

    def get_decision_display(self):
        return _("核验通过") if self.verified else _("取消核验")
