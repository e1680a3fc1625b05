"""What a provider posts: the two-level category tree (F1, F5 cemetery components, F7 free
services), the items (F4: no compulsory flag, no forbidden words) and the bureau's ceilings per
category and basis (F2)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet

from .choices import MONEY, PriceBasis, Unit
from .providers import Provider


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


class GuidePriceQuerySet(AppendOnlyQuerySet):
    def for_pair(self, category, basis):
        return self.filter(category=category, basis=basis)

    def in_effect_on(self, day):
        return self.filter(effective_from__lte=day)

    def newest_first(self):
        return self.order_by("-effective_from", "-id")


class GuidePrice(AppendOnlyModel):
    """F2: the bureau's ceiling for a category and basis, from a named document.

    Append-only, like the price versions (F10): a change of a ceiling is a new row for the same
    category and basis with its effective date (never before the day it is recorded), the
    reason and the document, and who recorded it (``services.ceilings.record_ceiling``). The
    ceiling in force on a day is the newest row with ``effective_from`` on or before it (the
    later-recorded row wins when two share a date: that is how a future version is corrected).
    """

    append_only_error = AppendOnlyError
    edit_message = _("最高限价一经记录不能修改；调整限价请新增一个限价版本。")
    delete_message = _("最高限价版本不能删除。")

    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="guide_prices"
    )
    basis = models.CharField(_("价格性质"), max_length=10, choices=PriceBasis.choices)
    ceiling = models.DecimalField(_("最高限价（元）"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    effective_from = models.DateField(_("生效日期"))
    reason = models.CharField(
        _("调整原因"), max_length=300, default="", help_text=_("为什么设定或调整该限价。")
    )
    document_reference = models.CharField(_("文件文号"), max_length=120)
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("文件"), null=True, blank=True, on_delete=models.PROTECT
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上一限价版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by_name = models.CharField(_("记录人名称"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = GuidePriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("指导价（最高限价）")
        verbose_name_plural = _("指导价（最高限价）")
        ordering = ["category__sort_order", "basis", "-effective_from", "-id"]
        indexes = [
            models.Index(
                fields=["category", "basis", "-effective_from", "-id"], name="catalogue_guide_pair_eff"
            ),
        ]

    def __str__(self):
        return _("%(category)s · %(basis)s · ¥%(ceiling)s（%(date)s 起）") % {
            "category": self.category,
            "basis": self.get_basis_display(),
            "ceiling": self.ceiling,
            "date": self.effective_from.isoformat() if self.effective_from else "",
        }

    @property
    def is_upcoming(self):
        return self.effective_from > timezone.localdate()
