"""The family's forms for a 惠民殡葬 application (B1): the application itself, one document
upload per required item, and the withdrawal. Rules live in ``services`` and ``eligibility``;
these forms only parse what was typed."""

import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin
from marketplace.catalogue.models.choices import District
from marketplace.orders import identity

from .models import BURIAL_TYPES, FamilyStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCOUNT_RE = re.compile(r"^\d{8,32}$")

# The fields of the form, in the order the page shows them, by section.
DECEASED_FIELDS = ("deceased_name", "deceased_id", "date_of_death", "hukou_district")
SITUATION_FIELDS = ("burial_type", "family_status", "relation")
PAYEE_FIELDS = ("payee_name", "payee_bank", "payee_account")


class NoEchoInput(forms.TextInput):
    """A text input that never writes its value back into the page: the deceased's identity
    number is shown only masked, whatever the form re-renders."""

    def format_value(self, value):
        return None


class ApplicationForm(SpecificErrorsMixin, forms.Form):
    """What the family fills in. From an order, the deceased's name, identity number and date
    of death are the order's and are not fields; once started, the identity number can't be
    changed. The payee fields are a cash subsidy's only."""

    deceased_name = forms.CharField(label=_("逝者姓名"), max_length=60)
    deceased_id = forms.CharField(
        label=_("逝者居民身份证号"),
        max_length=20,
        help_text=_("18 位号码。仅保存脱敏号码和用于核对的摘要，页面不会显示完整号码。"),
        widget=NoEchoInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_death = forms.DateField(label=_("死亡日期"), widget=DATE)
    hukou_district = forms.ChoiceField(label=_("逝者户籍所在区"), choices=[("", "—"), *District.choices])
    burial_type = forms.ChoiceField(label=_("安葬方式"), choices=BURIAL_TYPES, widget=forms.RadioSelect)
    family_status = forms.ChoiceField(
        label=_("家庭情况"),
        choices=FamilyStatus.choices,
        widget=forms.RadioSelect,
        help_text=_("以民政部门的认定为准，审核时核对。"),
    )
    relation = forms.CharField(label=_("申请人与逝者关系"), max_length=20, help_text=_("例如：子女、配偶。"))
    payee_name = forms.CharField(label=_("收款人姓名"), max_length=60)
    payee_bank = forms.CharField(
        label=_("开户银行"), max_length=80, help_text=_("写到支行，例如：中国工商银行北京朝阳支行。")
    )
    payee_account = forms.CharField(
        label=_("银行账号"),
        max_length=40,
        help_text=_("补贴只支付到这个账户。页面上只显示前 4 位和后 4 位。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, scheme, order=None, application=None, kept_id="", **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.kept_id = kept_id
        from_order = order is not None or (application is not None and application.order_id)
        if from_order:
            for name in ("deceased_name", "date_of_death"):
                del self.fields[name]
        if from_order or application is not None:
            del self.fields["deceased_id"]
        elif kept_id:
            self.keep_id(kept_id)
        if scheme.is_waiver:
            for name in PAYEE_FIELDS:
                del self.fields[name]

    def keep_id(self, number):
        """The identity number was validated and is kept on the server: the field may stay
        empty, and says which number (masked) is kept."""
        self.kept_id = number
        field = self.fields.get("deceased_id")
        if field is not None:
            field.required = False
            field.help_text = _(
                "已核验的号码 %(masked)s 已保留，无需重新填写；如需更正，请输入完整号码。"
            ) % {"masked": identity.mask(number)}
            self._bound_fields_cache.pop("deceased_id", None)  # a bound field copies its help text

    def sections(self):
        """(key, title, bound fields) of each section the page shows."""
        deceased = _("逝者信息") if "deceased_name" in self.fields else _("逝者户籍")
        groups = (
            ("deceased", deceased, DECEASED_FIELDS),
            ("situation", _("安葬方式和家庭情况"), SITUATION_FIELDS),
            ("payee", _("补贴收款账户"), PAYEE_FIELDS),
        )
        for key, title, names in groups:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                yield key, title, fields

    def clean_deceased_id(self):
        value = self.cleaned_data.get("deceased_id", "")
        if not value:
            return self.kept_id
        return identity.validate_resident_id(value)

    def clean_date_of_death(self):
        value = self.cleaned_data["date_of_death"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("死亡日期不能晚于今天。"))
        return value

    def clean_payee_account(self):
        value = "".join(self.cleaned_data["payee_account"].split())
        if not ACCOUNT_RE.match(value):
            raise forms.ValidationError(_("银行账号只能是数字，8 到 32 位。"))
        return value

    def applicant_fields(self):
        """The cleaned values of the application's own fields (``APPLICANT_FIELDS``), for the
        fields that passed: the live checks run on a form that is only partly filled in."""
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if name != "deceased_id"}


class DocumentForm(SpecificErrorsMixin, forms.Form):
    """One required document. The item is fixed by the page (one form per item); the file's
    content and size are checked by the service."""

    item = forms.CharField(widget=forms.HiddenInput, max_length=120)
    file = forms.FileField(label=_("选择文件"))

    def __init__(self, *args, item="", **kwargs):
        super().__init__(*args, **kwargs)
        if item:
            self.fields["file"].label = _("上传“%(item)s”") % {"item": item}
        self.fields["file"].help_text = _("PDF、JPG 或 PNG 文件，按文件内容核验，不超过 %(mb)s MB。") % {
            "mb": f"{settings.B1_DOCUMENT_MAX_BYTES / 1048576:.0f}"
        }


class WithdrawForm(SpecificErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("撤回原因（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
