"""Forms of the checklist. They parse input only; every rule is checked in ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Which form field a service refusal belongs to (its ``code``); others go to the top.
REFUSAL_FIELDS = {"deceased_name": "deceased_name", "date_of_death": "date_of_death", "mobile": "mobile"}


def add_refusal(form, error):
    field = REFUSAL_FIELDS.get(getattr(error, "code", None))
    form.add_error(field if field in form.fields else None, error.messages)


class StartForm(SpecificErrorsMixin, forms.Form):
    deceased_name = forms.CharField(
        label=_("逝者姓名"), max_length=60, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    date_of_death = forms.DateField(
        label=_("死亡日期"),
        widget=DATE,
        help_text=_("各项办理期限从这一天起算，例如 2026-03-31。"),
    )


class InviteForm(SpecificErrorsMixin, forms.Form):
    mobile = forms.CharField(
        label=_("共同办理人的手机号码"),
        max_length=20,
        help_text=_(
            "平台向这个号码发送一条带链接的短信；对方须用这个号码的账户（已通过短信验证）登录后接受。"
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
