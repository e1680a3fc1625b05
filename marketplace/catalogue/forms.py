from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin

from .models import (
    PackageMapping,
    PriceBasis,
    PriceChangeReason,
    Provider,
    ServiceCategory,
    ServiceItem,
    Unit,
)
from .services.posting import earliest_effective_date, notice_error


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProviderProfileForm(SpecificErrorsMixin, forms.ModelForm):
    """What provider staff may edit. Verification and publication stay with the bureau."""

    class Meta:
        model = Provider
        fields = [
            "name",
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
            "confirmation_hours",
            "cancellation_terms",
            "refund_terms",
            "description",
            "plot_term_years",
        ]
        widgets = {
            "licence_expires": DateInput(),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "procedure",
                    "ownership_disclosure",
                    "referral_disclosure",
                    "deposit_terms",
                    "payment_schedule",
                    "cancellation_terms",
                    "refund_terms",
                    "description",
                )
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deposit_percent"].required = False

    def clean_deposit_percent(self):
        """Left empty means no deposit: the contract total is paid in one go after signing."""
        value = self.cleaned_data.get("deposit_percent")
        return Decimal("0") if value is None else value


class ServiceItemForm(SpecificErrorsMixin, forms.ModelForm):
    class Meta:
        model = ServiceItem
        fields = [
            "category",
            "name",
            "unit",
            "basis",
            "description",
            "maintenance_item",
            "is_active",
            "sort_order",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.provider = provider
        self.fields["category"].queryset = ServiceCategory.objects.filter(parent__isnull=False).order_by(
            "sort_order"
        )
        self.fields["category"].label_from_instance = lambda category: category.display_name
        self.fields["maintenance_item"].queryset = ServiceItem.objects.filter(
            provider=provider, category__cemetery_component=ServiceCategory.Component.MAINTENANCE
        )
        self.fields["maintenance_item"].label_from_instance = lambda item: item.name
        self.fields["maintenance_item"].empty_label = _("无")
        self.fields["category"].empty_label = _("— 请选择 —")
        self.fields["unit"].choices = [("", _("— 请选择 —")), *Unit.choices]
        self.fields["basis"].choices = [("", _("— 请选择 —")), *PriceBasis.choices]


class PriceForm(SpecificErrorsMixin, forms.Form):
    """Publish a new price version (F10). F2 refusals come back as errors on ``price``."""

    price = forms.DecimalField(
        label=_("新价格（元）"), min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    effective_from = forms.DateField(
        label=_("生效日期"), widget=DateInput(), help_text=_("未来日期的调价会作为“即将调整”提前公示。")
    )
    reason_code = forms.ChoiceField(
        label=_("调价原因"), choices=[("", _("— 请选择 —")), *PriceChangeReason.choices]
    )
    reason = forms.CharField(
        label=_("原因说明"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("选择“其他”时必填；其他情况可补充说明，按原文公示。"),
    )
    # Optimistic locking: the item's latest version when the form was rendered.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, seen_version=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("effective_from", timezone.localdate())
        kwargs["initial"].setdefault("seen_version", seen_version)
        super().__init__(*args, **kwargs)

    def price_fields(self):
        """The cleaned values ``publish_price`` takes (without the version check)."""
        return {
            name: self.cleaned_data[name] for name in ("price", "effective_from", "reason_code", "reason")
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason_code") == PriceChangeReason.OTHER and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("调价原因选择“其他”时，请说明具体原因。"))
        return cleaned

    def rebase(self, version):
        """After a refused stale edit: keep everything typed, but base the form on ``version``,
        so that resubmitting it is a deliberate change of the price now in force."""
        data = self.data.copy()
        data[self.add_prefix("seen_version")] = str(version.pk) if version else ""
        self.data = data

    def clean_effective_from(self):
        value = self.cleaned_data["effective_from"]
        earliest = earliest_effective_date()
        if value < earliest:
            raise forms.ValidationError(notice_error(earliest))
        return value

    def apply_errors(self, error):
        """Put the messages of a service ``ValidationError`` on the right fields."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class PackageMappingForm(SpecificErrorsMixin, forms.Form):
    """F6: map each component of the standard package to one of the provider's items."""

    def __init__(self, *args, provider, package, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.package = package
        self.components = list(package.components.select_related("category"))
        items = list(
            ServiceItem.objects.filter(provider=provider, is_active=True).order_by("sort_order", "name")
        )
        current = {
            m.component_id: m.item_id
            for m in PackageMapping.objects.filter(provider=provider, component__package=package)
        }
        for component in self.components:
            choices = [(item.pk, item.name) for item in items if item.category_id == component.category_id]
            field = forms.TypedChoiceField(
                label=_("%(category)s × %(quantity)s")
                % {"category": component.category.display_name, "quantity": component.quantity},
                choices=[("", _("— 尚未对应 —")), *choices],
                coerce=int,
                required=False,
                empty_value=None,
                help_text=component.note,
                initial=current.get(component.pk),
            )
            self.fields[f"component_{component.pk}"] = field

    def save(self):
        for component in self.components:
            item_id = self.cleaned_data.get(f"component_{component.pk}")
            if item_id:
                PackageMapping.objects.update_or_create(
                    provider=self.provider, component=component, defaults={"item_id": item_id}
                )
            else:
                PackageMapping.objects.filter(provider=self.provider, component=component).delete()
