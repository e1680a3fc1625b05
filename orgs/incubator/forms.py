from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin

from .models import EVIDENCE_CONTENT, OfferKind


class ApplicationForm(SpecificErrorsMixin, forms.Form):
    statement = forms.CharField(
        label=_("申请说明"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("简要说明机构的服务内容、希望获得的支持和孵化期内的目标（2000 字以内）。"),
    )


class WithdrawForm(SpecificErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("撤回原因（选填）"), max_length=500, required=False)


class NeedForm(SpecificErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("需要的资源类型"), choices=OfferKind.choices)
    title = forms.CharField(label=_("需求"), max_length=120)
    description = forms.CharField(label=_("说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class EvidenceForm(SpecificErrorsMixin, forms.Form):
    summary = forms.CharField(label=_("完成情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(
        label=_("证明材料"),
        validators=[EVIDENCE_CONTENT],
        help_text=_("PDF、JPEG 或 PNG 文件，按内容核验，不超过 10 MB。"),
    )
