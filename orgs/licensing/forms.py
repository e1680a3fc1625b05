"""Forms of a registration application (S9): one per kind, and the material upload."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.validators import MOBILE_RE, normalize_mobile, validate_mobile
from core.forms import SpecificErrorsMixin
from orgs.registry import uscc as uscc_module
from orgs.registry.models import RegistryChange

from .models import MATERIAL_CONTENT, RegistrationApplication

Item = RegistryChange.Item

ESTABLISHMENT_REQUIRED = (
    "org_type",
    "proposed_name",
    "domicile",
    "district",
    "legal_representative",
    "legal_representative_mobile",
    "business_scope",
    "service_field",
    "registered_capital",
)


def parse_founders(text):
    """One founder per line: a person's name and mobile number, or a unit's name and its USCC,
    separated by a space. A person consents with a code sent to that number (S9)."""
    founders, errors = [], []
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        line = " ".join(line.split())
        if not line:
            continue
        name, _sep, last = line.rpartition(" ")
        code = uscc_module.normalize(last)
        if name and len(code) == uscc_module.LENGTH:
            if not uscc_module.is_valid(code):
                errors.append(
                    _("第%(line)s行：“%(code)s”不是有效的统一社会信用代码。") % {"line": number, "code": code}
                )
            founders.append({"name": name, "unit_uscc": code})
        elif name and MOBILE_RE.match(normalize_mobile(last)):
            founders.append({"name": name, "mobile": normalize_mobile(last)})
        else:
            errors.append(
                _("第%(line)s行：请写“姓名 手机号码”或“单位名称 统一社会信用代码”，中间用空格分开。")
                % {"line": number}
            )
    if errors:
        raise ValidationError(errors)
    return founders


def founders_text(founders):
    return "\n".join(
        f"{founder['name']} {founder.get('unit_uscc') or founder.get('mobile', '')}".strip()
        for founder in founders or ()
    )


class EstablishmentForm(SpecificErrorsMixin, forms.ModelForm):
    founders_text = forms.CharField(
        label=pgettext_lazy("registration application", "发起人"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "每行一位：个人写姓名和手机号码，单位写单位名称和统一社会信用代码，中间用空格分开。"
            "社会团体填写全部会员。每位个人发起人会收到短信，用本人手机确认申请。"
        ),
    )

    class Meta:
        model = RegistrationApplication
        fields = [*ESTABLISHMENT_REQUIRED, "public_fundraising", "supervising_unit"]
        widgets = {"business_scope": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ESTABLISHMENT_REQUIRED:
            self.fields[name].required = True
        self.fields["supervising_unit"].help_text = _(
            "实行双重管理的组织选择其业务主管单位；直接登记的留空。"
        )
        if self.instance.pk:
            self.initial.setdefault("founders_text", founders_text(self.instance.founders))

    def clean_legal_representative_mobile(self):
        value = normalize_mobile(self.cleaned_data["legal_representative_mobile"])
        validate_mobile(value)
        return value

    def clean_founders_text(self):
        return parse_founders(self.cleaned_data["founders_text"])

    def save(self, commit=True):
        self.instance.founders = self.cleaned_data["founders_text"]
        return super().save(commit=commit)


class ChangeForm(SpecificErrorsMixin, forms.Form):
    """The items a change registration changes; an empty item stays as it is."""

    name = forms.CharField(label=_("新名称"), max_length=120, required=False)
    domicile = forms.CharField(label=_("新住所"), max_length=200, required=False)
    legal_representative = forms.CharField(label=_("新法定代表人"), max_length=60, required=False)
    legal_representative_mobile = forms.CharField(
        label=_("新法定代表人的手机号码"),
        max_length=20,
        required=False,
        help_text=_("变更法定代表人时必填：新法定代表人用这个号码收到的短信验证码确认申请。"),
    )
    business_scope = forms.CharField(
        label=_("新业务范围"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    registered_funds = forms.DecimalField(
        label=_("新注册资金（元）"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    reason = forms.CharField(
        label=_("变更理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：理事会（会员大会）于何时通过何项决议。"),
    )

    ITEMS = (Item.NAME, Item.DOMICILE, Item.LEGAL_REPRESENTATIVE, Item.BUSINESS_SCOPE, Item.REGISTERED_FUNDS)

    @classmethod
    def initial_for(cls, application):
        return {
            **application.change_items,
            "reason": application.reason,
            "legal_representative_mobile": application.legal_representative_mobile,
        }

    def clean(self):
        data = super().clean()
        items = {}
        for item in self.ITEMS:
            value = data.get(item)
            if value not in (None, ""):
                items[item] = str(value).strip()
        if not items and not self.errors:
            raise ValidationError(_("请至少填写一项变更后的内容。"), code="no_items")
        mobile = normalize_mobile(data.get("legal_representative_mobile"))
        if items.get(Item.LEGAL_REPRESENTATIVE):
            try:
                validate_mobile(mobile)
            except ValidationError as error:
                self.add_error("legal_representative_mobile", error)
        data["legal_representative_mobile"] = mobile if items.get(Item.LEGAL_REPRESENTATIVE) else ""
        data["change_items"] = items
        return data


class DeregistrationForm(SpecificErrorsMixin, forms.ModelForm):
    class Meta:
        model = RegistrationApplication
        fields = ["liquidation_completed_on", "reason"]
        widgets = {
            "liquidation_completed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"reason": _("注销理由")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = True


class MaterialForm(SpecificErrorsMixin, forms.Form):
    item = forms.ChoiceField(label=_("材料名称"))
    file = forms.FileField(
        label=_("文件"),
        validators=[MATERIAL_CONTENT],
        help_text=_("PDF、JPG 或 PNG 文件，按内容核验，不超过 10 MB。"),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(name, name) for name in items]


class WithdrawForm(SpecificErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("撤回原因（选填）"), max_length=500, required=False)


class ConsentForm(SpecificErrorsMixin, forms.Form):
    full_name = forms.CharField(label=_("您的姓名"), max_length=60, help_text=_("与申请中登记的姓名一致。"))
    agree = forms.BooleanField(label=_("我已核对上述申请内容，同意以上述身份参与这项登记申请。"))
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
