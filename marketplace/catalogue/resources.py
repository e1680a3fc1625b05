"""The catalogue in the open data API v1 (issue 19): providers, items, price versions, packages.

Every queryset here is the one the HTML pages show (``Provider.objects.public()``, the items
and the price history of published providers), and the provider list filters with the HTML
list's own FilterSet (``filters.CatalogueFilter``): one definition, two outputs. Field names
are part of API v1 and never change meaning (docs/api.md, "Versioning").

Price versions carry every field their ``chain_hash`` covers (``PriceVersion.canonical``), so
anyone can recompute each provider's chain offline; docs/api.md has the script.
"""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.base import PublicViewSet
from api.registry import register

from .filters import CatalogueFilter
from .models import PriceVersion, Provider, ServiceCategory, ServiceItem
from .services.current import today, with_current_price
from .services.notice import price_notice
from .services.packages import package_breakdowns, package_prices, standard_package

CACHE_SECTIONS = ("funeral",)


def _absolute(request, path):
    return request.build_absolute_uri(path) if request is not None else path


# --- Serializers ------------------------------------------------------------------------------


class PackageSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    reference_ceiling = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class ProviderSerializer(serializers.ModelSerializer):
    """F3/F8: what the public price notice shows about a provider, and its F6 package price."""

    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    type_display = serializers.CharField(source="get_type_display")
    district_display = serializers.CharField(source="get_district_display")
    standard_package_price = serializers.SerializerMethodField()

    class Meta:
        model = Provider
        fields = [
            "slug",
            "url",
            "html_url",
            "name",
            "type",
            "type_display",
            "district",
            "district_display",
            "address",
            "latitude",
            "longitude",
            "phone",
            "opening_hours",
            "service_area",
            "licence_number",
            "licence_expires",
            "supervising_authority",
            "complaint_hotline",
            "procedure",
            "ownership_disclosure",
            "referral_disclosure",
            "deposit_terms",
            "deposit_percent",
            "payment_schedule",
            "cancellation_terms",
            "refund_terms",
            "description",
            "plot_term_years",
            "is_verified",
            "verified_at",
            "review_count",
            "rating_average",
            "standard_package_price",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, provider):
        return _absolute(self.context.get("request"), reverse("api:provider-detail", args=[provider.slug]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, provider):
        return _absolute(self.context.get("request"), provider.get_absolute_url())

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_standard_package_price(self, provider):
        """F6: the price of the bureau's standard package, or null until every component is priced."""
        price = self.context.get("package_prices", {}).get(provider.pk)
        return None if price is None else f"{price:.2f}"


class UpcomingPriceSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceVersion
        fields = ["price", "basis", "effective_from", "reason_code", "reason"]


class PriceListItemSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    price = serializers.DecimalField(source="current_price", max_digits=12, decimal_places=2, allow_null=True)
    price_basis = serializers.CharField(source="current_basis", allow_null=True)
    effective_from = serializers.DateField(source="current_effective_from", allow_null=True)
    upcoming = UpcomingPriceSerializer(many=True)

    class Meta:
        model = ServiceItem
        fields = [
            "id",
            "name",
            "category",
            "category_name",
            "unit",
            "price",
            "price_basis",
            "effective_from",
            "upcoming",
        ]


class PackageLineSerializer(serializers.Serializer):
    category = serializers.CharField(source="component.category.code")
    quantity = serializers.IntegerField(source="component.quantity")
    item_id = serializers.IntegerField(source="item.pk", allow_null=True, default=None)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class ProviderDetailSerializer(ProviderSerializer):
    """A provider with its current price list (F3, F10 upcoming changes) and package breakdown (F6)."""

    price_list = serializers.SerializerMethodField()
    standard_package = serializers.SerializerMethodField()

    class Meta(ProviderSerializer.Meta):
        fields = [*ProviderSerializer.Meta.fields, "standard_package", "price_list"]

    @extend_schema_field(PriceListItemSerializer(many=True))
    def get_price_list(self, provider):
        return PriceListItemSerializer(self.context["notice"]["items"], many=True).data

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_standard_package(self, provider):
        package, breakdown = self.context["package"], self.context["breakdown"]
        if package is None:
            return None
        return {
            **PackageSummarySerializer(package).data,
            "complete": bool(breakdown and breakdown.complete),
            "total": None if breakdown is None or breakdown.total is None else f"{breakdown.total:.2f}",
            "lines": PackageLineSerializer(breakdown.lines if breakdown else [], many=True).data,
        }


class ItemSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    provider = serializers.CharField(source="provider.slug")
    provider_name = serializers.CharField(source="provider.name")
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    current_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    current_basis = serializers.CharField(allow_null=True)
    current_effective_from = serializers.DateField(allow_null=True)
    price_versions = serializers.SerializerMethodField()

    class Meta:
        model = ServiceItem
        fields = [
            "id",
            "url",
            "html_url",
            "provider",
            "provider_name",
            "category",
            "category_name",
            "name",
            "unit",
            "description",
            "basis",
            "is_active",
            "current_price",
            "current_basis",
            "current_effective_from",
            "price_versions",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, item):
        return _absolute(self.context.get("request"), reverse("api:item-detail", args=[item.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, item):
        return _absolute(self.context.get("request"), item.get_history_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_price_versions(self, item):
        """The item's full price history in the API (``price-versions/?item=<id>``)."""
        return _absolute(self.context.get("request"), f"{reverse('api:price-version-list')}?item={item.pk}")


class PriceVersionSerializer(serializers.ModelSerializer):
    """One link of a provider's price chain, with every field ``chain_hash`` covers (F10)."""

    url = serializers.SerializerMethodField()
    provider = serializers.CharField(source="provider.slug")
    provider_id = serializers.IntegerField()
    item_id = serializers.IntegerField()
    created_by_id = serializers.IntegerField(allow_null=True)
    made_by = serializers.CharField(source="created_by_name")
    previous_version_id = serializers.IntegerField(source="previous_id", allow_null=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = PriceVersion
        fields = [
            "id",
            "url",
            "provider",
            "provider_id",
            "sequence",
            "item_id",
            "price",
            "basis",
            "effective_from",
            "announced_at",
            "reason_code",
            "reason",
            "made_by",
            "created_by_id",
            "previous_version_id",
            "previous_hash",
            "chain_hash",
            "status",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, version):
        return _absolute(self.context.get("request"), reverse("api:price-version-detail", args=[version.pk]))

    @extend_schema_field(serializers.ChoiceField(choices=["effective", "upcoming"]))
    def get_status(self, version):
        return "upcoming" if version.effective_from > self.context["today"] else "effective"


class PackageRowSerializer(serializers.ModelSerializer):
    """One provider's F6 standard-package price with its breakdown (the /funeral/packages/ table)."""

    url = serializers.SerializerMethodField()
    provider = serializers.CharField(source="slug")
    provider_name = serializers.CharField(source="name")
    package = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Provider
        fields = ["provider", "url", "provider_name", "district", "type", "package", "price", "lines"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, provider):
        return _absolute(self.context.get("request"), reverse("api:package-detail", args=[provider.slug]))

    @extend_schema_field(PackageSummarySerializer)
    def get_package(self, provider):
        return PackageSummarySerializer(self.context["package"]).data

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_price(self, provider):
        return f"{self.context['package_prices'][provider.pk]:.2f}"

    @extend_schema_field(PackageLineSerializer(many=True))
    def get_lines(self, provider):
        breakdown = self.context["breakdowns"].get(provider.pk)
        return PackageLineSerializer(breakdown.lines if breakdown else [], many=True).data


# --- Filters (the HTML list's FilterSet for providers; the item history's own keys otherwise) ----


class ItemFilter(django_filters.FilterSet):
    provider = django_filters.CharFilter(field_name="provider__slug", label=_("机构网址标识"))
    category = django_filters.ModelChoiceFilter(
        field_name="category",
        to_field_name="code",
        queryset=ServiceCategory.objects.all(),
        label=_("服务类别代码"),
    )
    is_active = django_filters.BooleanFilter(label=_("在售"))

    class Meta:
        model = ServiceItem
        fields = ["provider", "category", "is_active"]


class PriceVersionFilter(django_filters.FilterSet):
    provider = django_filters.CharFilter(field_name="provider__slug", label=_("机构网址标识"))
    item = django_filters.NumberFilter(field_name="item_id", label=_("项目编号"))
    effective_from_after = django_filters.DateFilter(
        field_name="effective_from", lookup_expr="gte", label=_("生效日期不早于")
    )
    effective_from_before = django_filters.DateFilter(
        field_name="effective_from", lookup_expr="lte", label=_("生效日期不晚于")
    )

    class Meta:
        model = PriceVersion
        fields = ["provider", "item"]


# --- Viewsets ------------------------------------------------------------------------------------


class ProviderViewSet(PublicViewSet):
    """Published funeral providers (F3), filtered like the catalogue page (``/funeral/``)."""

    queryset = Provider.objects.public()
    filterset_class = CatalogueFilter
    ordering = ("slug",)
    lookup_field = "slug"
    cache_sections = CACHE_SECTIONS

    def get_serializer_class(self):
        return ProviderDetailSerializer if self.action == "retrieve" else ProviderSerializer

    def _prices(self):
        if not hasattr(self, "_package_prices"):
            self._package = standard_package()
            self._package_prices = package_prices(self._package)
        return self._package_prices

    def get_filterset_extra_kwargs(self):
        return {"package_prices": self._prices()}

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["package_prices"] = self._prices()
        if self.action == "retrieve" and hasattr(self, "_provider"):
            day = today()
            notice = price_notice(self._provider, day)
            context["notice"] = notice
            context["package"] = self._package
            context["breakdown"] = package_breakdowns(
                self._package, [self._provider], day, priced_items=notice["items"]
            ).get(self._provider.pk)
        return context

    def get_object(self):
        self._provider = super().get_object()
        return self._provider


class ItemViewSet(PublicViewSet):
    """Service items of published providers with the price in effect today (F10), active or not:
    their history is public like the item history page's."""

    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    ordering = ("id",)
    cache_sections = CACHE_SECTIONS

    def get_queryset(self):
        return with_current_price(
            ServiceItem.objects.filter(provider__is_published=True).select_related("provider", "category")
        )


class PriceVersionViewSet(PublicViewSet):
    """The append-only price history of published providers (F10), chain by chain."""

    serializer_class = PriceVersionSerializer
    filterset_class = PriceVersionFilter
    ordering = ("provider__slug", "sequence")
    cache_sections = CACHE_SECTIONS

    def get_queryset(self):
        return PriceVersion.objects.filter(provider__is_published=True).select_related("provider")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": today()}


class PackageViewSet(PublicViewSet):
    """Each published provider's complete F6 standard-package price and its breakdown, as the
    package comparison page (``/funeral/packages/``) shows them; keyed by the provider's slug."""

    serializer_class = PackageRowSerializer
    ordering = ("slug",)
    lookup_field = "slug"
    cache_sections = CACHE_SECTIONS

    def _package(self):
        if not hasattr(self, "_standard"):
            self._standard = standard_package()
            self._prices = package_prices(self._standard)
        return self._standard

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return Provider.objects.none()
        self._package()
        return Provider.objects.public().filter(pk__in=list(self._prices))

    def get_serializer(self, *args, **kwargs):
        if getattr(self, "swagger_fake_view", False):
            return self.get_serializer_class()(*args, **kwargs)
        rows = args[0] if args else kwargs.get("instance")
        rows = rows if isinstance(rows, list | tuple) else [rows] if rows is not None else []
        kwargs.setdefault("context", self.get_serializer_context())
        kwargs["context"]["breakdowns"] = package_breakdowns(self._package(), rows)
        return self.get_serializer_class()(*args, **kwargs)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "package": self._package(),
            "package_prices": self._prices,
        }


register("providers", ProviderViewSet, "provider")
register("items", ItemViewSet, "item")
register("price-versions", PriceVersionViewSet, "price-version")
register("packages", PackageViewSet, "package")
