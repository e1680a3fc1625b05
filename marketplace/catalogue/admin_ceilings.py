"""Ceilings in the bureau's admin (F2, issue 23 point 6): append-only versions. The admin adds
a version ("新增限价版本", prefilled from the one it starts from) and never edits or deletes
one; after saving, the officer sees the providers whose current prices are above it."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, ListingButton
from wagtail.permissions import register_permission_policy

from core.admin_display import ReadableInspectView
from core.admin_policies import APPEND_ONLY, RefusingPolicy
from core.admin_queues import SafeExportIndexView

from .models import (
    GuidePrice,
)
from .services.ceilings import affected_prices, ceiling_history, record_ceiling, validate_new_ceiling

# Ceilings are history: a change is a new version, never an edit.
register_permission_policy(GuidePrice, RefusingPolicy(GuidePrice, APPEND_ONLY))


class GuidePriceForm(WagtailAdminModelForm):
    """A new ceiling version (F2): never an edit of one. The effective date is today or later,
    and the reason and the document number are required."""

    class Meta:
        model = GuidePrice
        fields = [
            "category",
            "basis",
            "ceiling",
            "effective_from",
            "reason",
            "document_reference",
            "document",
        ]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True
        self.fields["effective_from"].help_text = _(
            "新限价自该日起执行：不能早于今天；可以是将来的日期。已发布的价格不受追溯，但该日起高于限价的新价格不能发布。"
        )

    def clean(self):
        cleaned = super().clean()
        errors = validate_new_ceiling(
            ceiling=cleaned.get("ceiling"),
            effective_from=cleaned.get("effective_from"),
            reason=cleaned.get("reason"),
            document_reference=cleaned.get("document_reference"),
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class GuidePriceCreateView(CreateView):
    """Record a new ceiling version; ``?from=<pk>`` starts from that version's category, basis
    and amount. After saving, the officer lands on the version's page with the report of the
    providers whose current prices are above it."""

    def get_initial(self):
        initial = super().get_initial()
        source = self.request.GET.get("from", "")
        if source.isdigit():
            guide = GuidePrice.objects.filter(pk=source).first()
            if guide is not None:
                initial.update(
                    {"category": guide.category_id, "basis": guide.basis, "ceiling": guide.ceiling}
                )
        return initial

    def save_instance(self):
        data = self.form.cleaned_data
        return record_ceiling(
            data["category"],
            data["basis"],
            ceiling=data["ceiling"],
            effective_from=data["effective_from"],
            reason=data["reason"],
            document_reference=data["document_reference"],
            document=data.get("document"),
            user=self.request.user,
        )

    def get_success_url(self):
        return reverse(self.index_url_name.replace(":index", ":inspect"), args=[self.object.pk])

    def get_success_message(self, instance):
        count = len({row.provider.pk for row in instance.affected})  # computed by record_ceiling
        return ngettext(
            "已记录新的最高限价版本“%(object)s”。%(count)d 家机构的现行价格高于该限价，已向其发出预警。",
            "已记录新的最高限价版本“%(object)s”。%(count)d 家机构的现行价格高于该限价，已向其发出预警。",
            count,
        ) % {"object": instance, "count": count}

    def get_success_buttons(self):
        return []


class GuidePriceInspectView(ReadableInspectView):
    """One ceiling version: its facts, the providers whose current prices are above it (on its
    effective date), and the history of its category and basis."""

    template_name = "catalogue/admin/ceilings/inspect.html"

    def get_add_version_url(self):
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            return f"{reverse(self.index_url_name.replace(':index', ':add'))}?from={self.object.pk}"
        return None

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if url := self.get_add_version_url():
            buttons.append(Button(_("新增限价版本"), url=url, icon_name="plus", priority=5))
        return buttons

    def get_recorded_by_name_display_value(self):
        return self.object.recorded_by_name or "—"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = affected_prices(self.object)
        context.update(
            {
                "guide": self.object,
                "affected": rows,
                "affected_providers": len({row.provider.pk for row in rows}),
                "history": ceiling_history(self.object.category, self.object.basis),
                "add_version_url": self.get_add_version_url(),
            }
        )
        return context


class GuidePriceIndexView(SafeExportIndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            buttons.append(
                ListingButton(
                    _("新增限价版本"),
                    url=f"{reverse(self.add_url_name)}?from={instance.pk}",
                    icon_name="plus",
                    priority=5,
                )
            )
        return buttons


class GuidePriceViewSet(ModelViewSet):
    """Ceilings are append-only versions (F2): the admin adds a version (prefilled from the
    current one) and never edits or deletes one (``RefusingPolicy(APPEND_ONLY)``, and the model
    refuses too)."""

    model = GuidePrice
    icon = "doc-full"
    menu_label = _("指导价（最高限价）")
    index_view_class = GuidePriceIndexView
    add_view_class = GuidePriceCreateView
    inspect_view_class = GuidePriceInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "category",
        "basis",
        "ceiling",
        "effective_from",
        "reason",
        "document_reference",
        "recorded_by_name",
        "created_at",
    ]
    list_filter = ["basis", "category", "effective_from"]
    search_fields = ["category__name", "document_reference", "reason"]
    inspect_view_fields = [
        "category",
        "basis",
        "ceiling",
        "effective_from",
        "reason",
        "document_reference",
        "document",
        "previous",
        "recorded_by_name",
        "created_at",
    ]
    list_export = [
        "category",
        "get_basis_display",
        "ceiling",
        "effective_from",
        "reason",
        "document_reference",
        "recorded_by_name",
        "created_at",
    ]
    export_headings = {
        "category": _("类别"),
        "get_basis_display": _("价格性质"),
        "ceiling": _("最高限价（元）"),
        "effective_from": _("生效日期"),
        "reason": _("调整原因"),
        "document_reference": _("文件文号"),
        "recorded_by_name": _("记录人"),
        "created_at": _("记录时间"),
    }
    export_filename = "guide_prices"

    def get_form_class(self, for_update=False):
        return GuidePriceForm

    def get_queryset(self, request):
        return GuidePrice.objects.select_related("category")
