"""F6 the bureau's standard package: categories with quantities, and each provider's mapping of
a component to one of its items, from which the package price is computed."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from .choices import MONEY
from .items import ServiceCategory, ServiceItem
from .providers import Provider


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
