from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import SpecificErrorsMixin
from orgs.registry.models import District, OrgType, ServiceField

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


class FoundingGroupForm(SpecificErrorsMixin, forms.Form):
    """A founding group (筹备中): what it plans to register, and its founders."""

    planned_name = forms.CharField(
        label=_("拟登记名称"), max_length=120, help_text=_("名称以登记管理机关核准为准。")
    )
    planned_type = forms.ChoiceField(label=_("拟登记的组织类型"), choices=OrgType.choices)
    planned_district = forms.ChoiceField(label=_("拟设住所所在区"), choices=District.choices)
    planned_field = forms.ChoiceField(label=_("拟从事的服务领域"), choices=ServiceField.choices)
    purpose = forms.CharField(
        label=_("宗旨和拟开展的业务"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    founders = forms.CharField(
        label=pgettext_lazy("founding group", "发起人"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一位：姓名，在筹备中的职务。申请人本人须在其中（与实名认证的姓名一致）。"),
    )
