from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from core.forms import SpecificErrorsMixin

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


class MobileForm(SpecificErrorsMixin, forms.Form):
    """Step 1 of sign-up and of sign-in by SMS: the number to send a code to."""

    mobile = MobileField(help_text=_("11 位中国大陆手机号码，我们将向该号码发送短信验证码。"))


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("短信验证码"))
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code"})


class SignUpForm(SpecificErrorsMixin, BaseUserCreationForm):
    """Step 2 of sign-up: the code sent to the number, a name and a password. The number
    itself comes from step 1 (kept in the session), never from this form."""

    code = CodeField(help_text=_("请输入发送到您手机的验证码。"))

    class Meta:
        model = User
        fields = ("display_name", "email")
        labels = {"display_name": _("称呼"), "email": _("电子邮箱（选填，用于找回密码）")}

    field_order = ("code", "display_name", "email", "password1", "password2")

    def __init__(self, *args, mobile="", **kwargs):
        super().__init__(*args, **kwargs)
        # The password validators compare the password with the number.
        self.instance.mobile = mobile


class LoginCodeForm(SpecificErrorsMixin, forms.Form):
    """Step 2 of sign-in by SMS."""

    code = CodeField(help_text=_("请输入发送到您手机的验证码。"))


class ThrottledSignInMixin:
    """Throttle a password form per account and per client address (``accounts.services``).

    The attempt is counted before the password is checked, in one locked step with the
    limit check, so concurrent guesses can't all slip under the limit.
    """

    throttle_messages = {
        "seconds": _("登录失败次数过多，请 %(seconds)s 秒后再试，或使用短信验证码登录。"),
        "minutes": _("登录失败次数过多，请 %(minutes)s 分钟后再试，或使用短信验证码登录。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not (username and password):
            return super().clean()  # a field is missing: nothing is checked, nothing counted
        ip = services.client_ip(self.request) if self.request else ""
        attempt = services.reserve_login_attempt(username, ip)
        if attempt.blocked:
            seconds = attempt.retry_after_seconds
            if seconds < 60:
                message, params = self.throttle_messages["seconds"], {"seconds": seconds}
            else:
                message, params = self.throttle_messages["minutes"], {"minutes": (seconds + 59) // 60}
            raise forms.ValidationError(message, code="throttled", params=params)
        cleaned = super().clean()  # a wrong password raises; the reservation stays counted
        services.login_succeeded(attempt)
        return cleaned


class SignInForm(SpecificErrorsMixin, ThrottledSignInMixin, AuthenticationForm):
    """Django's sign-in form plus throttling per account and per IP."""

    username = MobileField(widget=forms.TextInput(attrs={"autofocus": True}))

    error_messages = {
        "invalid_login": _("手机号码或密码不正确。"),
        "inactive": _("该账户已停用。"),
    }


class AdminSignInForm(SpecificErrorsMixin, ThrottledSignInMixin, WagtailLoginForm):
    """The Wagtail admin's sign-in form (``WAGTAILADMIN_USER_LOGIN_FORM``), same throttle."""

    def clean_username(self):
        return normalize_mobile(self.cleaned_data.get("username"))


class ProfileForm(SpecificErrorsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "email")
        labels = {"display_name": _("称呼"), "email": _("电子邮箱")}


__all__ = [
    "MobileForm",
    "SignUpForm",
    "LoginCodeForm",
    "SignInForm",
    "AdminSignInForm",
    "ProfileForm",
    "password_validation",
]
