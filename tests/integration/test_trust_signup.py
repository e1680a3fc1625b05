"""Issue 12, point 2: a mobile number is proven by SMS code before it gains anything."""

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import sms
from accounts.validators import normalize_mobile
from orgs.registry import services as registry
from orgs.registry.models import Invitation, MemberRole, Membership
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.orgs import OrganizationFactory

User = get_user_model()
MOBILE = "13812345678"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def code_for(mobile):
    message = [m for m in sms.outbox if m.mobile == mobile][-1]
    return re.search(r"验证码 (\d{6})", message.text).group(1)


def step_two(client, code, **data):
    payload = {
        "code": code,
        "display_name": "张三",
        "email": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    payload.update(data)
    return client.post(reverse("accounts:signup_verify"), payload)


def sign_up(client, mobile=MOBILE):
    client.post(reverse("accounts:signup"), {"mobile": mobile})
    return step_two(client, code_for(normalize_mobile(mobile)))


@pytest.mark.django_db
def test_signup_without_a_valid_code_creates_nothing():
    client = Client()
    # Step 2 straight away: no number has been given, so back to step 1.
    response = step_two(client, "123456")
    assert response.status_code == 302 and response["Location"].endswith(reverse("accounts:signup"))
    # A number, then a wrong code.
    response = client.post(reverse("accounts:signup"), {"mobile": "+86 138-1234-5678"})
    assert response.status_code == 302
    wrong = "000000" if code_for(MOBILE) != "000000" else "111111"
    response = step_two(client, wrong)
    assert response.status_code == 400
    assert "验证码不正确" in " ".join(response.context["form"].errors["code"])
    # What the user typed (except passwords) is still in the form.
    assert "张三" in response.content.decode()
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signup_code_is_dead_after_too_many_wrong_tries():
    client = Client()
    client.post(reverse("accounts:signup"), {"mobile": MOBILE})
    code = code_for(MOBILE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.OTP_MAX_ATTEMPTS):
        step_two(client, wrong)
    response = step_two(client, code)
    assert "验证码错误次数过多" in " ".join(response.context["form"].errors["code"])
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_with_the_code_creates_a_verified_account_and_signs_in():
    client = Client()
    before = timezone.now()
    response = sign_up(client, "+86 138 1234 5678")
    assert response.status_code == 302
    user = User.objects.get()
    assert user.mobile == MOBILE and user.display_name == "张三"
    assert user.check_password(PASSWORD)
    assert user.mobile_verified_at >= before
    assert client.get(reverse("accounts:profile")).context["user"] == user
    # The code is used up.
    assert "_auth_user_id" in client.session


def normalised(response, mobile):
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html.replace(f"{mobile[:3]}****{mobile[-4:]}", "MASKED")


@pytest.mark.django_db
def test_signup_answers_identically_for_registered_and_unregistered_numbers():
    registered, fresh = "13812345678", "13812340000"
    UserFactory(mobile=registered)
    answers = []
    for mobile in (registered, fresh):
        client = Client()
        first = client.post(reverse("accounts:signup"), {"mobile": mobile})
        page = client.get(first["Location"])
        wrong = step_two(client, "000000")
        answers.append(
            (
                first.status_code,
                first["Location"],
                [t.name for t in page.templates][:1],
                normalised(page, mobile),
                wrong.status_code,
                normalised(wrong, mobile),
            )
        )
    assert answers[0] == answers[1]
    # Both numbers got an SMS; the registered one is told someone tried, and gets no usable code.
    texts = {m.mobile: m.text for m in sms.outbox}
    assert set(texts) == {registered, fresh}
    assert "本号码已注册" in texts[registered]
    assert re.search(r"验证码 \d{6}", texts[fresh])
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_signup_errors_are_translated_in_english():
    response = Client().post("/en/accounts/signup/", {"mobile": "12345"})
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Enter a valid mainland China mobile number" in html
    assert not sms.outbox


@pytest.mark.django_db
def test_invitation_needs_number_verified_after_invite():
    org = OrganizationFactory()
    earlier = timezone.now() - timedelta(days=30)
    verified_before = UserFactory(mobile="13811110001", mobile_verified_at=earlier)
    never_verified = UserFactory(mobile="13811110002", mobile_verified_at=None)
    for user in (verified_before, never_verified):
        invitation = registry.invite(org, user.mobile, MemberRole.ADMIN, invited_by=None)
        assert invitation.is_pending
        # A password sign-in proves nothing about who holds the number now.
        client = Client()
        assert (
            client.post(
                reverse("accounts:login"), {"username": user.mobile, "password": PASSWORD}
            ).status_code
            == 302
        )
        invitation.refresh_from_db()
        assert invitation.is_pending and not Membership.objects.filter(user=user).exists()

    # Proving the number by SMS code after the invitation accepts it.
    client = Client()
    client.post(reverse("accounts:login_code"), {"mobile": never_verified.mobile})
    client.post(reverse("accounts:login_code_verify"), {"code": code_for(never_verified.mobile)})
    assert Membership.objects.get(user=never_verified).role == MemberRole.ADMIN
    assert not Membership.objects.filter(user=verified_before).exists()


@pytest.mark.django_db
def test_a_stranger_cannot_claim_an_invitation_without_the_number():
    org = OrganizationFactory()
    registry.invite(org, MOBILE, MemberRole.FILER, invited_by=None)
    stranger = Client()
    stranger.post(reverse("accounts:signup"), {"mobile": MOBILE})
    step_two(stranger, "000000" if code_for(MOBILE) != "000000" else "111111")
    assert not User.objects.exists()
    assert Invitation.objects.get().is_pending
    # The holder of the number, with the code sent to it, joins on sign-up.
    holder = Client()
    holder.post(reverse("accounts:signup"), {"mobile": MOBILE})
    assert step_two(holder, code_for(MOBILE)).status_code == 302
    assert Membership.objects.get(user__mobile=MOBILE).organization == org


def production_settings(database_dir, **extra):
    """Import the production settings in a fresh interpreter; the database is never opened."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": f"sqlite:///{database_dir / 'never-opened.sqlite3'}",
        "ALLOWED_HOSTS": "mzj.beijing.example",
        "SINGLE_NODE_FILE_STORAGE": "true",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SMS_BACKEND)"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_without_sms_backend_refuse_to_start(tmp_path):
    result = production_settings(tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SMS_BACKEND" in result.stderr
    result = production_settings(tmp_path, SMS_BACKEND="accounts.sms.backends.LocmemSmsBackend")
    assert result.returncode != 0 and "SMS_BACKEND" in result.stderr
    result = production_settings(tmp_path, SMS_BACKEND="bureau.sms.GatewayBackend")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "bureau.sms.GatewayBackend"
