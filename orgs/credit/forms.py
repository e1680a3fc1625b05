from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin

from .models import Category, RemovalReason


class LookupForm(SpecificErrorsMixin, forms.Form):
    q = forms.CharField(
        label=_("机构名称或统一社会信用代码"),
        max_length=100,
        required=False,
        help_text=_("输入名称中的任意连续文字，或完整的18位统一社会信用代码。"),
    )


class ObjectionForm(SpecificErrorsMixin, forms.Form):
    grounds = forms.CharField(
        label=_("异议理由"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("说明该记录哪里有误，以及正确的情况。"),
    )
    evidence = forms.FileField(label=_("证明材料"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request, in the page's language (a lazy string formatted at import time
        # would be fixed in the language the server started in).
        self.fields["evidence"].help_text = _("PDF、JPG 或 PNG 文件，不超过 %(mb)s MB。") % {
            "mb": settings.REPORT_ATTACHMENT_MAX_BYTES // 1048576
        }


class DecisionForm(SpecificErrorsMixin, forms.Form):
    decision_reason = forms.CharField(label=_("决定理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmProposalForm(DecisionForm):
    decided_on = forms.DateField(
        label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    document_number = forms.CharField(label=_("决定书文号"), max_length=80)


class RemovalForm(SpecificErrorsMixin, forms.Form):
    removed_on = forms.DateField(
        label=_("移出日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    removal_reason = forms.ChoiceField(label=_("移出事由"), choices=RemovalReason.choices)
    removal_document_number = forms.CharField(label=_("移出决定书文号"), max_length=80)
    removal_note = forms.CharField(
        label=_("移出说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class UpholdForm(DecisionForm):
    summary = forms.CharField(label=_("更正后的内容摘要"), widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label=_("更正后的信息类别"), choices=Category.choices)
    fine_amount = forms.DecimalField(
        label=_("更正后的罚款金额（元）"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
