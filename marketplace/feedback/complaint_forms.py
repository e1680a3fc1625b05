"""Forms of the complaint pages: the one complaint form, the visitor's number proof, and the
steps the complainant, the provider and the bureau take."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalize_mobile, validate_mobile
from core.forms import SpecificErrorsMixin
from marketplace.catalogue.models import Provider

from .models.complaints import (
    EVIDENCE_CONTENT,
    EVIDENCE_EXTENSIONS,
    ComplaintCategory,
    ComplaintDecision,
    PlatformSubject,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Zero or more photos or PDFs, each checked by content and size."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > settings.R2_EVIDENCE_MAX_FILES:
            raise forms.ValidationError(
                _("最多上传 %(n)s 个证据文件。"),
                params={"n": settings.R2_EVIDENCE_MAX_FILES},
                code="too_many",
            )
        cleaned = []
        for upload in files:
            upload = super().clean(upload, initial)
            EVIDENCE_EXTENSIONS(upload)
            EVIDENCE_CONTENT(upload)
            cleaned.append(upload)
        return cleaned


class ProofForm(SpecificErrorsMixin, forms.Form):
    """A visitor's mobile number, proven by SMS before filing."""

    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("我们会发送短信验证码，并通过短信告知投诉的办理进展。"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_mobile(self):
        mobile = normalize_mobile(self.cleaned_data["mobile"])
        validate_mobile(mobile)
        return mobile


class ComplaintForm(SpecificErrorsMixin, forms.Form):
    provider = forms.ModelChoiceField(
        label=_("被投诉的殡葬服务机构"),
        queryset=Provider.objects.filter(is_published=True).order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label=_("（不是殡葬服务机构）"),
    )
    platform_subject = forms.ChoiceField(
        label=_("或：投诉举报事项"),
        choices=[("", _("（不适用）")), *PlatformSubject.choices],
        required=False,
        help_text=_("社会组织登记、信用、慈善信息公开或平台本身的问题，由民政局直接办理。"),
    )
    subject_detail = forms.CharField(label=_("涉及的组织、页面或业务"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("投诉类别"), choices=ComplaintCategory.choices)
    text = forms.CharField(
        label=_("投诉内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请写明时间、经过和您的诉求。投诉内容和证据不会公开，只公开统计数字。"),
    )
    contact_name = forms.CharField(label=_("您的姓名"), max_length=60)
    evidence = EvidenceField(
        label=_("证据（照片或 PDF）"),
        help_text=_("可选；JPG、PNG 或 PDF，文件内容须与扩展名一致。"),
    )

    def __init__(self, *args, lines=None, needs_code=False, **kwargs):
        super().__init__(*args, **kwargs)
        max_mb = settings.R2_EVIDENCE_MAX_BYTES // 1048576
        self.fields["evidence"].help_text = _(
            "可选；最多 %(n)s 个 JPG、PNG 或 PDF 文件，每个不超过 %(mb)s MB，文件内容须与扩展名一致。"
        ) % {"n": settings.R2_EVIDENCE_MAX_FILES, "mb": max_mb}
        if lines is not None:
            self.fields["lines"] = forms.ModelMultipleChoiceField(
                label=_("争议项目"),
                queryset=lines,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("勾选您认为收费有问题的合同项目。"),
            )
            self.fields["lines"].label_from_instance = lambda line: (
                f"{line.name} × {line.quantity} ¥{line.amount}"
            )
        if needs_code:
            self.fields["code"] = forms.CharField(
                label=_("短信验证码"),
                max_length=8,
                widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
            )

    def clean(self):
        data = super().clean()
        provider, subject = data.get("provider"), data.get("platform_subject")
        if bool(provider) == bool(subject):
            raise forms.ValidationError(
                _("请选择被投诉的殡葬服务机构，或选择投诉举报事项（二者选一）。"), code="one_subject"
            )
        return data


class ReasonForm(SpecificErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ResponseForm(SpecificErrorsMixin, forms.Form):
    response = forms.CharField(
        label=_("答复内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("答复将提供给投诉人和民政局，不会公开。"),
    )


class SatisfactionForm(SpecificErrorsMixin, forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("您对处理结果的满意度"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        help_text=_("5 分为非常满意，1 分为非常不满意。评价后投诉办结。"),
    )


class DecisionForm(SpecificErrorsMixin, forms.Form):
    decision = forms.ChoiceField(label=_("处理结果"), choices=ComplaintDecision.choices)
    text = forms.CharField(label=_("处理决定说明"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    refund = forms.DecimalField(
        label=_("责令退还争议项目金额（元）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("仅限成立的价格类投诉（F2、F4、F9），不超过争议项目已支付的金额。"),
    )


__all__ = [
    "ComplaintForm",
    "DecisionForm",
    "ProofForm",
    "ReasonForm",
    "ResponseForm",
    "SatisfactionForm",
]
