"""The bureau's queue of flagged prices (F2: a market price far from the city median is
published, flagged and reviewed): accept the price, or query the provider."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from core.admin_policies import DECIDE_ONLY, RefusingPolicy

from .models import PriceFlag
from .services.anomalies import review_flag

register_permission_policy(PriceFlag, RefusingPolicy(PriceFlag, DECIDE_ONLY))


class FlagReviewForm(WagtailAdminModelForm):
    decision = forms.ChoiceField(
        label=_("复核结论"),
        choices=[("accepted", _("认可：价格合理")), ("queried", _("质询：要求机构说明或调整"))],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = PriceFlag
        fields = ["bureau_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A decision's note starts empty: the previous one (a query's question) is in the
        # flag's history, and must not become the reason of the next decision unseen.
        self.initial["bureau_note"] = ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "queried" and not (cleaned.get("bureau_note") or "").strip():
            self.add_error("bureau_note", _("质询时请写明需要机构说明的问题。"))
        if (self.instance.status, cleaned.get("decision")) not in PriceFlag.TRANSITIONS:
            self.add_error("decision", _("该标记当前状态下不能作此结论。"))
        return cleaned

    def save(self, commit=True):
        return review_flag(
            self.instance,
            status=self.cleaned_data["decision"],
            note=self.cleaned_data.get("bureau_note", ""),
            user=self.for_user,
        )


class PriceFlagViewSet(ModelViewSet):
    model = PriceFlag
    icon = "warning"
    menu_label = _("异常价格复核")
    list_display = ["__str__", "provider", "direction", "ratio", "status", "created_at"]
    list_filter = ["status", "direction"]
    copy_view_enabled = False
    inspect_view_enabled = True
    panels = [FieldPanel("decision"), FieldPanel("bureau_note")]

    def get_queryset(self, request):
        return PriceFlag.objects.select_related("provider", "version__item")

    def get_form_class(self, for_update=False):
        return FlagReviewForm
