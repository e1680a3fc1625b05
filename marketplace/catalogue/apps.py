from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "marketplace.catalogue"
    label = "catalogue"
    verbose_name = _("殡葬服务目录与价格")

    def ready(self):
        from accounts.groups import FUNERAL_SECTION, grant
        from accounts.workbench import register_panels
        from core.navigation import register_section
        from core.opendata import Dataset, register_dataset
        from core.warnings import register_warning_source

        from . import permissions
        from .models import PackageMapping, PriceFlag, PriceVersion, Provider, ServiceItem
        from .services.ceilings import WARNING_KIND, WARNING_LABEL, ceiling_warnings
        from .services.chain import chain_warnings
        from .services.current import bump_stats_generation

        register_section("funeral", _("殡葬服务"), "catalogue:index", order=10)
        register_panels(permissions.workbench_panels)
        permissions.register_policies()
        grant(
            FUNERAL_SECTION,
            *(
                f"catalogue.{action}_{model}"
                for model in (
                    "provider",
                    "servicecategory",
                    "guideprice",
                    "standardpackage",
                    "providermembership",
                )
                for action in ("add", "change", "view")
            ),
            "catalogue.view_serviceitem",
            "catalogue.view_priceversion",
            "catalogue.view_priceflag",
            "catalogue.change_priceflag",
            "core.view_earlywarning",
            "core.view_securityevent",
            "wagtaildocs.add_document",
            "wagtaildocs.choose_document",
            "wagtailimages.choose_image",
        )
        register_dataset(
            Dataset(
                key="funeral-current-prices",
                title=_("殡葬服务现行价格"),
                description=_("所有公开机构每个在售项目的现行价格、价格性质与生效日期。"),
                formats={"csv": "catalogue:open_prices_csv", "json": "catalogue:open_prices_json"},
                order=10,
                api="api:item-list",
                sections=("funeral",),
            )
        )
        register_dataset(
            Dataset(
                key="funeral-price-history",
                title=_("殡葬服务价格历史"),
                description=_("全部价格版本（含即将生效的调价）、调价原因、操作人与防篡改链哈希。"),
                formats={"csv": "catalogue:open_history_csv", "json": "catalogue:open_history_json"},
                order=11,
                api="api:price-version-list",
                sections=("funeral",),
            )
        )
        register_dataset(
            Dataset(
                key="funeral-price-chain-heads",
                title=_("殡葬服务价格哈希链链头"),
                description=_(
                    "每日公示的各机构价格哈希链链头（版本数与最后一条哈希），经平台电子印章密钥签名，"
                    "可用于证明价格历史未被改写。"
                ),
                formats={"json": "catalogue:chain_heads_index_json"},
                order=12,
            )
        )
        register_warning_source("catalogue.price_chain", _("价格哈希链校验失败"), chain_warnings)
        register_warning_source(WARNING_KIND, WARNING_LABEL, ceiling_warnings)
        post_save.connect(_item_saved, sender=ServiceItem, dispatch_uid="catalogue.ceilings.item_withdrawn")
        for model in (Provider, ServiceItem, PriceVersion, PriceFlag, PackageMapping):
            for signal in (post_save, post_delete):
                signal.connect(
                    bump_stats_generation,
                    sender=model,
                    dispatch_uid=f"catalogue.stats.{model.__name__}",
                )


def _item_saved(sender, instance, **kwargs):
    """Withdrawing an item (no longer on sale) clears its provider's ceiling warning."""
    if not instance.is_active and not kwargs.get("raw"):
        from .services.ceilings import refresh_if_warned

        refresh_if_warned(instance.provider_id)
