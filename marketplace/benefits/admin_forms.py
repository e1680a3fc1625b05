"""Forms of the bureau's 惠民殡葬 admin (B1): the scheme, edited with its criteria as checkboxes
and its documents one per line, and the three decisions on an application (approve, reject, ask
for more documents). The rules themselves are the services'; these forms only catch what an
officer can be told before the service is called."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from core.forms import SpecificErrorsMixin
from marketplace.catalogue.models import ServiceCategory
from marketplace.catalogue.models.choices import District

from .models import BURIAL_TYPES, ApplicationDocument, BenefitScheme, FamilyStatus, SchemeKind

DOCUMENT_NAME_MAX = ApplicationDocument._meta.get_field("item").max_length
REASON_MAX = 500


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    """A service category as the bureau reads it in the catalogue: its code and its name."""

    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}（{obj.get_kind_display()}）"


def waivable_categories():
    """What a waiver may cancel: basic and extended services (not goods nor plots)."""
    return ServiceCategory.objects.filter(
        kind__in=[ServiceCategory.Kind.BASIC, ServiceCategory.Kind.EXTENDED]
    ).order_by("kind", "sort_order", "code")


class SchemeForm(SpecificErrorsMixin, WagtailAdminModelForm):
    """A scheme. Empty criteria lists mean "any"; the documents are one per line."""

    districts = forms.MultipleChoiceField(
        label=_("户籍所在区"),
        choices=District.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("逝者户籍须在所选区之一；不选表示本市任一区。"),
    )
    burial_types = forms.MultipleChoiceField(
        label=_("安葬方式"),
        choices=BURIAL_TYPES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("须选择其中一种安葬方式；不选表示不限。"),
    )
    family_statuses = forms.MultipleChoiceField(
        label=_("家庭情况"),
        choices=FamilyStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("家庭须属于其中一类；不选表示不限。"),
    )
    waived_categories = CategoryChoiceField(
        label=_("免除的服务类别"),
        queryset=ServiceCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("费用减免类政策必选：订单中属于这些类别（或其下级类别）的项目费用全部免除。"),
    )
    required_documents = forms.CharField(
        label=_("所需材料"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项，例如“死亡证明”；家属须逐项上传。空行不计，同一材料不能重复。"),
    )

    class Meta:
        model = BenefitScheme
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "summary",
            "legal_basis",
            "districts",
            "burial_types",
            "family_statuses",
            "claim_window_days",
            "amount",
            "waived_categories",
            "required_documents",
            "effective_from",
            "effective_until",
            "sort_order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["waived_categories"].queryset = waivable_categories()
        documents = self.initial.get("required_documents")
        if isinstance(documents, list | tuple):
            self.initial["required_documents"] = "\n".join(str(item) for item in documents)

    def clean_required_documents(self):
        lines = [line.strip() for line in (self.cleaned_data.get("required_documents") or "").splitlines()]
        documents, seen, duplicates = [], set(), []
        for line in lines:
            if not line:
                continue
            if len(line) > DOCUMENT_NAME_MAX:
                raise forms.ValidationError(
                    gettext("“%(item)s”太长：每项材料的名称不超过 %(max)s 个字。")
                    % {"item": line[:20] + "…", "max": DOCUMENT_NAME_MAX}
                )
            if line in seen:
                duplicates.append(line)
                continue
            seen.add(line)
            documents.append(line)
        if duplicates:
            raise forms.ValidationError(
                gettext("材料重复：%(items)s。每项材料只写一行。") % {"items": "、".join(duplicates)}
            )
        return documents

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        amount = cleaned.get("amount")
        categories = cleaned.get("waived_categories")
        if kind == SchemeKind.SUBSIDY:
            if amount is None:
                self.add_error("amount", gettext("现金补贴类政策须填写补贴金额。"))
            elif amount <= Decimal("0"):
                self.add_error("amount", gettext("补贴金额须大于 0 元。"))
            if categories:
                self.add_error(
                    "waived_categories", gettext("现金补贴类政策不免除服务费用，请不要选择服务类别。")
                )
        elif kind == SchemeKind.WAIVER:
            if not categories:
                self.add_error("waived_categories", gettext("费用减免类政策须至少选择一个免除的服务类别。"))
            if amount is not None:
                self.add_error(
                    "amount", gettext("费用减免类政策按订单中这些服务的实际费用减免，不填补贴金额。")
                )
        start, end = cleaned.get("effective_from"), cleaned.get("effective_until")
        if start and end and end < start:
            self.add_error("effective_until", gettext("失效日期不能早于生效日期。"))
        return cleaned


# --- The decisions on an application ------------------------------------------------------------


class ApproveForm(SpecificErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("批准理由"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("可不填；不填时决定书写明“经审核，符合该政策的条件”。"),
    )


class RejectForm(SpecificErrorsMixin, forms.Form):
    decision_reason = forms.CharField(
        label=_("不予批准的理由"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写入决定书，申请人据此可以申请行政复议或提起行政诉讼。"),
    )


class RequestDocumentsForm(SpecificErrorsMixin, forms.Form):
    """Each document the scheme required at submission: tick it and say why it is needed again.
    Every item is asked for at once (B1: the family is told everything in one go)."""

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for index, item in enumerate(self.items):
            self.fields[f"item_{index}"] = forms.BooleanField(label=item, required=False)
            self.fields[f"reason_{index}"] = forms.CharField(
                label=_("原因"),
                required=False,
                max_length=REASON_MAX,
                widget=forms.TextInput(attrs={"placeholder": _("例如：照片模糊，无法辨认")}),
            )

    def rows(self):
        """(checkbox, reason) bound fields per item, for the template."""
        return [(self[f"item_{i}"], self[f"reason_{i}"]) for i in range(len(self.items))]

    def clean(self):
        cleaned = super().clean()
        chosen = 0
        for index in range(len(self.items)):
            ticked = cleaned.get(f"item_{index}")
            reason = (cleaned.get(f"reason_{index}") or "").strip()
            if ticked:
                chosen += 1
                if not reason:
                    self.add_error(f"reason_{index}", gettext("请写明需要补充这项材料的原因。"))
            elif reason:
                self.add_error(f"item_{index}", gettext("已写原因，请勾选这项材料，或清空原因。"))
        if not chosen and not self.errors:
            raise forms.ValidationError(gettext("请至少勾选一项需补充的材料，并写明原因。"))
        return cleaned

    def requests(self):
        return [
            {"item": item, "reason": self.cleaned_data[f"reason_{index}"].strip()}
            for index, item in enumerate(self.items)
            if self.cleaned_data.get(f"item_{index}")
        ]
