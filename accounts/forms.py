from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User
from .validators import normalize_mobile, validate_mobile


class MobileField(forms.CharField):
    default_validators = [validate_mobile]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("手机号码"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def to_python(self, value):
        return normalize_mobile(super().to_python(value))


class SignUpForm(BaseUserCreationForm):
    mobile = MobileField(help_text=_("11 位中国大陆手机号码，将作为登录账号。"))

    class Meta:
        model = User
        fields = ("mobile", "display_name", "email")
        labels = {"display_name": _("称呼"), "email": _("电子邮箱（选填，用于找回密码）")}

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"]
        if User.objects.filter(mobile=mobile).exists():
            raise forms.ValidationError(_("该手机号码已注册，请直接登录。"), code="duplicate_mobile")
        return mobile


class SignInForm(AuthenticationForm):
    """Django's sign-in form plus throttling per account and per IP."""

    username = MobileField(widget=forms.TextInput(attrs={"autofocus": True}))

    error_messages = {
        "invalid_login": _("手机号码或密码不正确。"),
        "inactive": _("该账户已停用。"),
        "throttled": _("登录失败次数过多，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        mobile = normalize_mobile(self.data.get("username", ""))
        ip = services.client_ip(self.request) if self.request else ""
        state = services.login_throttle_state(mobile, ip)
        if state.blocked:
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, state.retry_after_seconds // 60)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            services.record_login_failure(mobile, ip)
            raise
        services.clear_login_failures(mobile)
        return cleaned


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "email")
        labels = {"display_name": _("称呼"), "email": _("电子邮箱")}


__all__ = ["SignUpForm", "SignInForm", "ProfileForm", "password_validation"]
