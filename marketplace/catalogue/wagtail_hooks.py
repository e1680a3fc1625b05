"""The bureau's side of the catalogue in the Wagtail admin (殡葬管理科).

Providers with verification, categories, guide prices, standard packages, provider
memberships, the queue of flagged prices (accept / query) and a read-only audit
listing of every price change. Price versions can't be added, edited or deleted here:
their permission policy refuses it, as does the model.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from core.admin_policies import VIEW_ONLY, RefusingPolicy

from .admin_flags import PriceFlagViewSet
from .models import (
    GuidePrice,
    PriceVersion,
    Provider,
    ProviderMembership,
    ServiceCategory,
    StandardPackage,
)

register_permission_policy(PriceVersion, RefusingPolicy(PriceVersion, VIEW_ONLY))


class ProviderAdminForm(WagtailAdminModelForm):
    def save(self, commit=True):
        provider = super().save(commit=False)
        if "is_verified" in self.changed_data:
            provider.verified_at = timezone.now() if provider.is_verified else None
            provider.verified_by = self.for_user if provider.is_verified else None
        if commit:
            provider.save()
            self.save_m2m()
        return provider


class ProviderViewSet(ModelViewSet):
    model = Provider
    icon = "home"
    menu_label = _("殡葬服务机构")
    list_display = ["name", "type", "district", "is_published", "is_verified", "updated_at"]
    list_filter = ["type", "district", "is_published", "is_verified"]
    search_fields = ["name", "slug", "licence_number"]
    copy_view_enabled = False
    inspect_view_enabled = True
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
                    FieldRowPanel([FieldPanel("type"), FieldPanel("district")]),
                    FieldPanel("address"),
                    FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                    FieldRowPanel([FieldPanel("phone"), FieldPanel("opening_hours")]),
                    FieldPanel("service_area"),
                    FieldPanel("description"),
                    FieldPanel("plot_term_years"),
                    InlinePanel("photos", label=_("机构照片")),
                ],
                heading=_("基本信息"),
            ),
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("licence_number"), FieldPanel("licence_expires")]),
                    FieldRowPanel([FieldPanel("supervising_authority"), FieldPanel("complaint_hotline")]),
                    FieldPanel("procedure"),
                ],
                heading=_("价格公示（F3）"),
            ),
            ObjectList(
                [
                    FieldPanel("ownership_disclosure"),
                    FieldPanel("referral_disclosure"),
                    FieldPanel("deposit_terms"),
                    FieldPanel("deposit_percent"),
                    FieldPanel("payment_schedule"),
                    FieldPanel("confirmation_hours"),
                    FieldPanel("cancellation_terms"),
                    FieldPanel("refund_terms"),
                ],
                heading=_("条款与披露（F8）"),
            ),
            ObjectList(
                [
                    MultiFieldPanel(
                        [FieldPanel("is_published"), FieldPanel("is_verified")], heading=_("核验与公开")
                    )
                ],
                heading=_("核验"),
            ),
        ],
        base_form_class=ProviderAdminForm,
    )


class ServiceCategoryViewSet(ModelViewSet):
    model = ServiceCategory
    icon = "list-ul"
    menu_label = _("服务类别")
    list_display = ["name", "code", "parent", "kind", "is_basic", "f7_free", "cemetery_component"]
    list_filter = ["kind", "is_basic", "f7_free"]
    search_fields = ["name", "code"]
    copy_view_enabled = False
    form_fields = [
        "code",
        "name",
        "name_en",
        "parent",
        "kind",
        "is_basic",
        "f7_free",
        "cemetery_component",
        "description",
        "sort_order",
    ]


class GuidePriceViewSet(ModelViewSet):
    model = GuidePrice
    icon = "doc-full"
    menu_label = _("指导价与最高限价")
    list_display = ["category", "basis", "ceiling", "effective_from", "document_reference"]
    list_filter = ["basis", "category"]
    copy_view_enabled = True
    form_fields = ["category", "basis", "ceiling", "effective_from", "document_reference", "document"]


class StandardPackageViewSet(ModelViewSet):
    model = StandardPackage
    icon = "clipboard-list"
    menu_label = _("标准服务包")
    list_display = ["name", "code", "reference_ceiling", "is_active"]
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("reference_ceiling"), FieldPanel("is_active")]),
        InlinePanel("components", label=_("组成（类别与数量）"), min_num=1),
    ]


class MembershipViewSet(ModelViewSet):
    model = ProviderMembership
    icon = "user"
    menu_label = _("机构成员")
    list_display = ["user", "provider", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["provider__name", "user__mobile"]
    copy_view_enabled = False
    form_fields = ["user", "provider", "role"]


class PriceVersionViewSet(ModelViewSet):
    model = PriceVersion
    icon = "history"
    menu_label = _("调价审计")
    list_display = [
        "provider",
        "item",
        "price",
        "basis",
        "effective_from",
        "announced_at",
        "created_by_name",
        "reason_code",
        "reason",
    ]
    list_filter = ["basis", "reason_code", "effective_from", "announced_at"]
    search_fields = ["provider__name", "item__name", "reason"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "provider",
        "item",
        "sequence",
        "price",
        "basis",
        "effective_from",
        "announced_at",
        "reason_code",
        "reason",
        "created_by_name",
        "previous",
        "previous_hash",
        "chain_hash",
    ]
    form_fields = ["reason"]

    def get_queryset(self, request):
        return PriceVersion.objects.select_related("provider", "item")


class CatalogueAdminGroup(ModelViewSetGroup):
    menu_label = _("殡葬服务")
    menu_icon = "home"
    menu_order = 210
    items = (
        ProviderViewSet("catalogue_provider"),
        PriceFlagViewSet("catalogue_flag"),
        PriceVersionViewSet("catalogue_price_audit"),
        GuidePriceViewSet("catalogue_guide_price"),
        StandardPackageViewSet("catalogue_package"),
        ServiceCategoryViewSet("catalogue_category"),
        MembershipViewSet("catalogue_membership"),
    )


@hooks.register("register_admin_viewset")
def register_catalogue_admin():
    return CatalogueAdminGroup()
