"""Providers, their itemised services and the public, tamper-evident price history.

Rules carried here (see RULES.md): F1 price basis on every item, F3 notice fields on
the provider, F5 cemetery components, F6 standard package computed from items, F8
terms and disclosures, F10 append-only price versions chained by SHA-256.
"""

import datetime
import hashlib
import json
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from core.models import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}
CENT = Decimal("0.01")


class District(models.TextChoices):
    DONGCHENG = "dongcheng", _("东城区")
    XICHENG = "xicheng", _("西城区")
    CHAOYANG = "chaoyang", _("朝阳区")
    FENGTAI = "fengtai", _("丰台区")
    SHIJINGSHAN = "shijingshan", _("石景山区")
    HAIDIAN = "haidian", _("海淀区")
    MENTOUGOU = "mentougou", _("门头沟区")
    FANGSHAN = "fangshan", _("房山区")
    TONGZHOU = "tongzhou", _("通州区")
    SHUNYI = "shunyi", _("顺义区")
    CHANGPING = "changping", _("昌平区")
    DAXING = "daxing", _("大兴区")
    HUAIROU = "huairou", _("怀柔区")
    PINGGU = "pinggu", _("平谷区")
    MIYUN = "miyun", _("密云区")
    YANQING = "yanqing", _("延庆区")


class ProviderType(models.TextChoices):
    FUNERAL_HOME = "funeral_home", _("殡仪馆")
    CEMETERY = "cemetery", _("公墓")
    COLUMBARIUM = "columbarium", _("骨灰堂")
    SERVICE_AGENCY = "service_agency", _("殡葬服务机构")


class PriceBasis(models.TextChoices):
    """F1: every item and every price carries its basis."""

    GOVERNMENT_SET = "gov_set", _("政府定价")
    GOVERNMENT_GUIDE = "gov_guide", _("政府指导价")
    MARKET = "market", _("市场调节价")


class Unit(models.TextChoices):
    TIME = "次", _("次")
    DAY = "天", _("天")
    PIECE = "个", _("个")
    BODY = "具", _("具")
    YEAR = "年", _("年")
    SET = "套", _("套")
    ITEM = "件", _("件")
    PLOT = "座", _("座")
    HOUR = "小时", _("小时")
    KM = "公里", _("公里")


class ImmutableRecordError(AppendOnlyError):
    """Raised when code tries to change or delete a row of append-only history (F10)."""


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
    cancellation_terms = models.TextField(_("取消条款"))
    refund_terms = models.TextField(_("退款条款"))
    description = models.TextField(_("机构简介"), blank=True)
    plot_term_years = models.PositiveSmallIntegerField(
        _("墓位使用年限"), null=True, blank=True, help_text=_("公墓填写；留空时使用默认年限。")
    )
    is_published = models.BooleanField(_("已公开"), default=False, db_index=True)
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


class ServiceCategory(models.Model):
    """A two-level tree (F1, F5), seeded by a data migration."""

    class Kind(models.TextChoices):
        BASIC = "basic", _("基本殡葬服务")
        EXTENDED = "extended", _("延伸服务")
        GOODS = "goods", _("殡葬用品")
        CEMETERY = "cemetery", _("公墓")
        ECO = "eco", _("节地生态安葬")

    class Component(models.TextChoices):
        NONE = "", _("无")
        PLOT_USE = "plot_use", _("墓位使用费")
        MAINTENANCE = "maintenance", _("维护管理费（每年）")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    is_basic = models.BooleanField(_("属于基本殡葬服务"), default=False)
    f7_free = models.BooleanField(
        _("海葬、自然葬免费项目"),
        default=False,
        help_text=_("选择海葬或自然葬的本市居民免除此项费用（F7）。"),
    )
    cemetery_component = models.CharField(
        _("墓位价格组成"), max_length=12, choices=Component.choices, blank=True, default=""
    )
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def clean(self):
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("服务类别最多两级。")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("类别不能以自身为上级。")})


class ServiceItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ServiceItem(models.Model):
    """One posted service or good. There is deliberately no "compulsory" flag (F4)."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="items"
    )
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="items"
    )
    name = models.CharField(_("项目名称"), max_length=120)
    unit = models.CharField(_("计价单位"), max_length=8, choices=Unit.choices)
    description = models.TextField(_("项目说明"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("图片"), null=True, blank=True, on_delete=models.SET_NULL
    )
    basis = models.CharField(_("价格性质"), max_length=10, choices=PriceBasis.choices)
    maintenance_item = models.ForeignKey(
        "self",
        verbose_name=_("对应维护管理费项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("墓位使用费项目填写：总价 = 使用费 + 每年维护费 × 年限（F5）。"),
    )
    is_active = models.BooleanField(_("在售"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["category__sort_order", "sort_order", "name"]
        indexes = [
            models.Index(fields=["provider", "is_active"]),
            models.Index(fields=["category", "is_active"]),
        ]

    def __str__(self):
        return f"{self.provider.name} · {self.name}"

    def get_history_url(self):
        return reverse("catalogue:item_history", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        words = [w for w in settings.F4_FORBIDDEN_ITEM_WORDS if w and w in f"{self.name}{self.description}"]
        if words:
            errors["name"] = _("不得将项目标为必选、强制或捆绑销售（F4）：“%(word)s”。") % {"word": words[0]}
        if self.maintenance_item_id:
            maintenance = self.maintenance_item
            if (
                maintenance.provider_id != self.provider_id
                or maintenance.category.cemetery_component != ServiceCategory.Component.MAINTENANCE
            ):
                errors["maintenance_item"] = _("请选择本机构“维护管理费”类别下的项目。")
            elif self.category_id and self.category.cemetery_component != ServiceCategory.Component.PLOT_USE:
                errors["maintenance_item"] = _("只有墓位使用费项目需要对应维护管理费。")
        if errors:
            raise ValidationError(errors)


class PriceVersionQuerySet(AppendOnlyQuerySet):
    def in_effect_on(self, day):
        return self.filter(effective_from__lte=day)


def _canonical_decimal(value):
    return str(Decimal(value).quantize(CENT))


# The hash scheme of the price chains. v1 covered ``announced_at`` in microseconds, which a
# dumpdata/loaddata round trip truncates to milliseconds; v2 hashes a form that survives
# serialisation (see ``ChainRehash`` for the migration that re-hashed v1 chains).
CHAIN_SCHEME = "v2"


def canonical_instant(value):
    """An aware datetime as UTC ISO 8601 in whole milliseconds (truncated, as Django's JSON
    serialiser does), e.g. ``2026-03-01T08:15:30.123Z``."""
    value = value.astimezone(datetime.UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


class PriceVersion(AppendOnlyModel):
    """An append-only price of one item (F10), chained per provider by SHA-256."""

    append_only_error = ImmutableRecordError
    edit_message = _("价格版本一经保存不能修改；请发布新的价格版本。")
    delete_message = _("价格版本不能删除。")

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="price_versions"
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="versions"
    )
    sequence = models.PositiveIntegerField(_("机构内序号"))
    price = models.DecimalField(_("价格（元）"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    basis = models.CharField(_("价格性质"), max_length=10, choices=PriceBasis.choices)
    effective_from = models.DateField(_("生效日期"))
    announced_at = models.DateTimeField(_("公布时间"), default=timezone.now)
    reason = models.CharField(_("调价原因"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by_name = models.CharField(_("操作人名称"), max_length=80, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上一价格版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_hash = models.CharField(_("链上一条哈希"), max_length=64, blank=True)
    chain_hash = models.CharField(_("链哈希"), max_length=64, unique=True, editable=False)

    objects = PriceVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("价格版本")
        verbose_name_plural = _("价格版本")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "sequence"], name="catalogue_price_chain_sequence"),
        ]
        indexes = [
            models.Index(fields=["item", "-effective_from", "-id"], name="catalogue_pv_item_eff"),
            models.Index(fields=["effective_from"], name="catalogue_pv_effective"),
        ]

    def __str__(self):
        return f"{self.item_id} ¥{self.price} {self.effective_from}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.chain_hash = self.compute_hash()
        super().save(*args, **kwargs)

    def canonical(self):
        """The fields the hash covers, in a fixed form."""
        return {
            "provider": self.provider_id,
            "sequence": self.sequence,
            "item": self.item_id,
            "price": _canonical_decimal(self.price),
            "basis": self.basis,
            "effective_from": self.effective_from.isoformat(),
            "announced_at": canonical_instant(self.announced_at),
            "reason": self.reason,
            "created_by": self.created_by_id,
            "previous": self.previous_id,
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self):
        payload = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def is_upcoming(self):
        return self.effective_from > timezone.localdate()


class AppendOnlyRecord(AppendOnlyModel):
    """The catalogue's history records (F10 anchoring): never changed, never deleted, not even
    through a queryset."""

    append_only_error = ImmutableRecordError
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True


class ChainHeads(AppendOnlyRecord):
    """F10 anchoring: the signed daily record of every provider's price-chain head.

    ``payload`` is the exact JSON the seal key signed (``signature``, base64, RSA PKCS#1 v1.5
    with SHA-256, made with the seal certificate kept in ``certificate``). It lists, per
    provider, the count of versions and the hash of the last one, and the SHA-256 of the
    previous day's payload, so the records form their own chain. Published at
    ``/funeral/chain-heads/`` and in the open data: once a copy is outside the platform, a
    rewritten history (even re-hashed consistently in the database) contradicts it."""

    day = models.DateField(_("公示日期"), unique=True)
    published_at = models.DateTimeField(_("公示时间"))
    payload = models.TextField(_("签名内容（JSON）"))
    payload_sha256 = models.CharField(_("内容 SHA-256"), max_length=64)
    signature = models.TextField(_("签名（Base64）"))
    certificate = models.TextField(_("签名证书（PEM）"))
    previous_sha256 = models.CharField(_("上一份记录的 SHA-256"), max_length=64, blank=True)
    chain_count = models.PositiveIntegerField(_("哈希链数"))

    class Meta:
        verbose_name = _("价格链头公示")
        verbose_name_plural = _("价格链头公示")
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day.isoformat()} · {self.chain_count}"

    def payload_bytes(self):
        return self.payload.encode("utf-8")

    def signature_bytes(self):
        import base64

        return base64.b64decode(self.signature)

    def heads(self):
        return json.loads(self.payload)["heads"]


class ChainRehash(AppendOnlyRecord):
    """A note that the price chains were re-hashed under a new scheme, and why, so that a
    reader comparing old exports knows why the hashes changed. ``heads`` maps each provider
    to its count and its last hash before and after; ``skipped`` lists the chains that did
    not verify under the old scheme and were left as they were (re-hashing them would have
    laundered a change)."""

    performed_at = models.DateTimeField(_("执行时间"))
    scheme_from = models.CharField(_("原哈希方案"), max_length=20)
    scheme_to = models.CharField(_("新哈希方案"), max_length=20)
    reason = models.TextField(_("原因"))
    chains = models.PositiveIntegerField(_("重算的哈希链数"))
    versions = models.PositiveIntegerField(_("重算的价格版本数"))
    heads = models.JSONField(_("各链前后链头"), default=dict)
    skipped = models.JSONField(_("未重算的哈希链"), default=list, blank=True)

    class Meta:
        verbose_name = _("哈希链重算记录")
        verbose_name_plural = _("哈希链重算记录")
        ordering = ["-performed_at"]

    def __str__(self):
        return f"{self.scheme_from} → {self.scheme_to} · {self.performed_at:%Y-%m-%d}"


class PriceFlag(models.Model):
    """F2: a published market price far from the city median, waiting for bureau review."""

    class Status(models.TextChoices):
        OPEN = "open", _("待复核")
        ACCEPTED = "accepted", _("已认可")
        QUERIED = "queried", _("已质询")

    TRANSITIONS = {
        ("open", "accepted"): "accept",
        ("open", "queried"): "query",
        ("queried", "accepted"): "accept",
    }

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="flags"
    )
    version = models.OneToOneField(
        PriceVersion, verbose_name=_("价格版本"), on_delete=models.PROTECT, related_name="flag"
    )
    median = models.DecimalField(_("全市中位数"), **MONEY)
    ratio = models.DecimalField(_("与中位数之比"), max_digits=8, decimal_places=2)
    direction = models.CharField(
        _("偏离方向"), max_length=5, choices=[("high", _("偏高")), ("low", _("偏低"))], default="high"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    bureau_note = models.TextField(_("民政局意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("标记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("异常价格标记")
        verbose_name_plural = _("异常价格标记")
        ordering = ["status", "-created_at"]

    def __str__(self):
        return _("%(item)s：¥%(price)s 为中位数的 %(ratio)s 倍") % {
            "item": self.version.item.name,
            "price": self.version.price,
            "ratio": self.ratio,
        }


class GuidePrice(models.Model):
    """F2: the bureau's ceiling for a category and basis, from a named document."""

    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="guide_prices"
    )
    basis = models.CharField(_("价格性质"), max_length=10, choices=PriceBasis.choices)
    ceiling = models.DecimalField(_("最高限价（元）"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    effective_from = models.DateField(_("生效日期"))
    document_reference = models.CharField(_("文件文号"), max_length=120)
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("文件"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指导价（最高限价）")
        verbose_name_plural = _("指导价（最高限价）")
        ordering = ["category__sort_order", "basis", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "basis", "effective_from"], name="catalogue_guide_unique"
            )
        ]

    def __str__(self):
        return f"{self.category} · {self.get_basis_display()} · ¥{self.ceiling}"


class StandardPackage(ClusterableModel):
    """F6: defined by the bureau as categories with quantities; priced from items."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    description = models.TextField(_("说明"), blank=True)
    reference_ceiling = models.DecimalField(
        _("参考上限（元）"),
        null=True,
        blank=True,
        help_text=_("例如北京2011年基本殡葬服务包不超过1000元。"),
        **MONEY,
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("标准服务包")
        verbose_name_plural = _("标准服务包")
        ordering = ["code"]

    def __str__(self):
        return self.name


class PackageComponent(Orderable):
    package = ParentalKey(StandardPackage, on_delete=models.CASCADE, related_name="components")
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveSmallIntegerField(_("数量"), default=1, validators=[MinValueValidator(1)])
    note = models.CharField(_("说明"), max_length=120, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("服务包组成")
        verbose_name_plural = _("服务包组成")

    def __str__(self):
        return f"{self.category} × {self.quantity}"


class PackageMapping(models.Model):
    """A provider maps one package component to one of its items (F6)."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="package_mappings"
    )
    component = models.ForeignKey(
        PackageComponent, verbose_name=_("服务包组成"), on_delete=models.CASCADE, related_name="mappings"
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("对应项目"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("服务包项目对应")
        verbose_name_plural = _("服务包项目对应")
        constraints = [
            models.UniqueConstraint(fields=["provider", "component"], name="catalogue_unique_package_mapping")
        ]

    def __str__(self):
        return f"{self.provider_id} · {self.component} → {self.item_id}"

    def clean(self):
        if self.item_id and self.provider_id and self.item.provider_id != self.provider_id:
            raise ValidationError({"item": _("只能选择本机构的项目。")})
        if self.item_id and self.component_id and self.item.category_id != self.component.category_id:
            raise ValidationError({"item": _("所选项目不属于该组成的类别。")})


class BurialChoice(models.TextChoices):
    UNDECIDED = "", _("未选择")
    ORDINARY = "ordinary", _("墓地安葬或骨灰寄存")
    SEA = "sea", _("海葬")
    NATURAL = "natural", _("自然葬（树葬、花坛葬等）")


def _quote_reference():
    return secrets.token_hex(6).upper()


class Quote(models.Model):
    """A family's itemised statement (F9); the orders app turns a saved quote into an order."""

    reference = models.CharField(_("报价单号"), max_length=12, unique=True, default=_quote_reference)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="quotes"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="quotes"
    )
    burial_choice = models.CharField(
        _("安葬方式"), max_length=10, choices=BurialChoice.choices, blank=True, default=""
    )
    beijing_resident = models.BooleanField(_("逝者为本市居民"), default=False)
    subtotal = models.DecimalField(_("项目合计"), **MONEY)
    exempted = models.DecimalField(_("减免金额"), default=Decimal("0"), **MONEY)
    total = models.DecimalField(_("应付合计"), **MONEY)
    policy_reference = models.CharField(_("减免政策依据"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报价单")
        verbose_name_plural = _("报价单")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.reference} · {self.provider}"

    def get_absolute_url(self):
        return reverse("catalogue:quote_detail", kwargs={"reference": self.reference})


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, verbose_name=_("报价单"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(ServiceItem, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    price_version = models.ForeignKey(
        PriceVersion, verbose_name=_("价格版本"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("单价"), **MONEY)
    amount = models.DecimalField(_("金额"), **MONEY)
    f7_free = models.BooleanField(_("政策免费"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("报价明细")
        verbose_name_plural = _("报价明细")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return f"{self.item.name} × {self.quantity}"
