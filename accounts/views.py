from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.navigation import account_links

from . import services
from .forms import LoginCodeForm, MobileForm, ProfileForm, SignInForm, SignUpForm
from .otp import OtpError
from .workbench import panels_for

SIGNUP_SESSION_KEY = "signup_mobile"
LOGIN_CODE_SESSION_KEY = "login_code_mobile"
# The pages of signing in and up: a ``next`` naming one of them is replaced by its own ``next``,
# so that the header's 登录 on the sign-in page doesn't send the user round again.
SIGN_IN_VIEWS = frozenset(
    f"accounts:{name}" for name in ("login", "login_code", "login_code_verify", "signup", "signup_verify")
)


def _checked(request, url):
    """``url`` if it is a page of this site (Django's own ``url_has_allowed_host_and_scheme``
    check, as ``LoginView`` makes it: no other host or scheme, no ``//host``), after unwrapping
    a sign-in page's own ``next``; else ""."""
    allowed = auth_views.RedirectURLMixin().get_success_url_allowed_hosts(request)
    for _hop in range(len(SIGN_IN_VIEWS)):
        if not url or not url_has_allowed_host_and_scheme(
            url=url, allowed_hosts=allowed, require_https=request.is_secure()
        ):
            return ""
        parts = urlsplit(url)
        try:
            view_name = resolve(parts.path).view_name
        except Resolver404:
            return url
        if view_name not in SIGN_IN_VIEWS:
            return url
        url = QueryDict(parts.query).get(REDIRECT_FIELD_NAME, "")
    return ""


def next_url(request):
    """Where to go after signing in or up: the ``next`` the visitor came with (POST, then
    GET), if it is safe, else ""."""
    raw = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME))
    return _checked(request, raw or "")


def next_query(url):
    """``?next=…`` to carry a safe ``next`` on to the next step or page ("" when there is none)."""
    return "?" + urlencode({REDIRECT_FIELD_NAME: url}, safe="/") if url else ""


def landing_url(user):
    """Where a user lands after signing in without a ``next``: bureau staff and families on
    个人中心 (``LOGIN_REDIRECT_URL``), and a user who holds a membership of a provider or an
    organisation (a workbench panel) on the workbench, where their work is."""
    if not (user.is_staff or user.is_superuser) and panels_for(user):
        return reverse("workbench:index")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _return_to(request, user):
    """A redirect to the safe ``next``, else to the user's landing page. Not ``redirect()``,
    which would take a ``next`` such as ``accounts:profile`` for a view name."""
    return HttpResponseRedirect(next_url(request) or landing_url(user))


def _masked(mobile):
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else mobile


def _send_code_step(request, form, send, session_key, step):
    """Step 1 of sign-up or sign-in by SMS: send a code, remember the number, go to step 2
    (carrying the ``next``).

    The answer doesn't depend on whether the number is registered (``send`` decides what
    the SMS says). Returns a response, or None to re-render the form with its errors."""
    if not form.is_valid():
        return None
    mobile = form.cleaned_data["mobile"]
    try:
        send(mobile, services.client_ip(request))
    except OtpError as error:
        if error.code != "too_soon":
            form.add_error("mobile", str(error))
            return None
        # A code went to this number moments ago: carry on with it.
    request.session[session_key] = mobile
    messages.success(request, _("验证码已发送至 %(mobile)s，%(minutes)s 分钟内有效。") % _code_note(mobile))
    return redirect(reverse(step) + next_query(next_url(request)))


def _code_note(mobile):
    return {"mobile": _masked(mobile), "minutes": max(1, settings.OTP_TTL_SECONDS // 60)}


def _resend(request, send, session_key):
    mobile = request.session.get(session_key, "")
    try:
        send(mobile, services.client_ip(request))
    except OtpError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("验证码已发送至 %(mobile)s，%(minutes)s 分钟内有效。") % _code_note(mobile)
        )


def _with_next(request, context):
    """The template context plus the safe ``next`` and its ``?next=…`` for links and forms."""
    back = next_url(request)
    return {**context, "next": back, "next_query": next_query(back)}


@require_http_methods(["GET", "POST"])
def signup(request):
    """Sign-up, step 1: the mobile number. A code is sent to it."""
    if request.user.is_authenticated:
        return _return_to(request, request.user)
    form = MobileForm(request.POST or None, initial={"mobile": request.session.get(SIGNUP_SESSION_KEY, "")})
    if request.method == "POST":
        response = _send_code_step(
            request, form, services.request_signup_code, SIGNUP_SESSION_KEY, "accounts:signup_verify"
        )
        if response is not None:
            return response
    return render(
        request,
        "accounts/signup.html",
        _with_next(request, {"form": form}),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def signup_verify(request):
    """Sign-up, step 2: the code, a name and a password. The account exists only after this."""
    if request.user.is_authenticated:
        return _return_to(request, request.user)
    back = next_query(next_url(request))
    mobile = request.session.get(SIGNUP_SESSION_KEY)
    if not mobile:
        return redirect(reverse("accounts:signup") + back)
    if request.method == "POST" and request.POST.get("action") == "resend":
        _resend(request, services.request_signup_code, SIGNUP_SESSION_KEY)
        return redirect(reverse("accounts:signup_verify") + back)
    form = SignUpForm(request.POST or None, mobile=mobile)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.complete_signup(form, mobile, form.cleaned_data["code"])
        except OtpError as error:
            form.add_error("code", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(SIGNUP_SESSION_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，欢迎使用北京市民政公共服务平台。"))
            return _return_to(request, user)
    return render(
        request,
        "accounts/signup_verify.html",
        _with_next(request, {"form": form, "masked_mobile": _masked(mobile)}),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def login_code(request):
    """Sign-in by SMS code, step 1. Also the way to prove one's number (profile) and to
    lift a sign-in delay caused by someone else's wrong passwords."""
    initial = request.session.get(LOGIN_CODE_SESSION_KEY, "")
    if not initial and request.user.is_authenticated:
        initial = request.user.mobile
    form = MobileForm(request.POST or None, initial={"mobile": initial})
    if request.method == "POST":
        response = _send_code_step(
            request, form, services.request_login_code, LOGIN_CODE_SESSION_KEY, "accounts:login_code_verify"
        )
        if response is not None:
            return response
    return render(
        request,
        "accounts/login_code.html",
        _with_next(request, {"form": form}),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def login_code_verify(request):
    """Sign-in by SMS code, step 2."""
    back = next_query(next_url(request))
    mobile = request.session.get(LOGIN_CODE_SESSION_KEY)
    if not mobile:
        return redirect(reverse("accounts:login_code") + back)
    if request.method == "POST" and request.POST.get("action") == "resend":
        _resend(request, services.request_login_code, LOGIN_CODE_SESSION_KEY)
        return redirect(reverse("accounts:login_code_verify") + back)
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in_with_code(mobile, form.cleaned_data["code"])
        except OtpError as error:
            form.add_error("code", str(error))
        else:
            request.session.pop(LOGIN_CODE_SESSION_KEY, None)
            # A new session either way; signing in again also accepts invitations waiting
            # for this now-proven number.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("手机号码已验证，您已登录。"))
            return _return_to(request, user)
    return render(
        request,
        "accounts/login_code_verify.html",
        _with_next(request, {"form": form, "masked_mobile": _masked(mobile)}),
        status=400 if form.errors else 200,
    )


class SignInView(auth_views.LoginView):
    """Sign-in by password. Django's ``next`` handling (``redirect_field_name``, checked by
    ``url_has_allowed_host_and_scheme``), with a sign-in page's own ``next`` unwrapped; without
    one, the user's landing page (``landing_url``)."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_redirect_url(self, request=None):
        return next_url(request or self.request)

    def get_default_redirect_url(self):
        return landing_url(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next_query"] = next_query(context.get(self.redirect_field_name, ""))
        return context


class SignOutView(auth_views.LogoutView):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("个人信息已保存。"))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "account_links": account_links()})


@login_required
def workbench(request):
    """The staff workbench: one entry per membership the user holds."""
    return render(request, "accounts/workbench.html", {"panels": panels_for(request.user)})


password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
