import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts import sms
from accounts.groups import BUREAU_GROUPS
from tests.factories.accounts import PASSWORD, UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def signup(client, prefix="", mobile="13812345678", code=None, **data):
    """Both steps of sign-up; ``code`` defaults to the one sent by SMS."""
    response = client.post(f"{prefix}/accounts/signup/", {"mobile": mobile})
    if response.status_code != 302:
        return response
    if code is None:
        code = re.search(r"验证码 (\d{6})", sms.outbox[-1].text).group(1)
    payload = {
        "code": code,
        "display_name": "张三",
        "email": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    payload.update(data)
    return client.post(f"{prefix}/accounts/signup/verify/", payload)


def test_signup_normalises_mobile_and_signs_in(client):
    response = signup(client, mobile="+86 138-1234-5678")
    assert response.status_code == 302
    user = User.objects.get()
    assert user.mobile == "13812345678"
    assert client.get(reverse("accounts:profile")).context["user"] == user


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"mobile": "12345"}, "mobile", "请输入有效的中国大陆手机号码"),
        ({"mobile": "12812345678"}, "mobile", "请输入有效的中国大陆手机号码"),
        ({"password1": "12345678", "password2": "12345678"}, "password2", "密码"),
        ({"password2": "something-else-2026"}, "password2", "两个密码不一致"),
        ({"code": ""}, "code", "请填写短信验证码"),
    ],
)
def test_signup_bad_input_shows_chinese_error_and_keeps_input(client, data, field, message):
    response = signup(client, **data)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not User.objects.exists()
    # What the user typed (except passwords) is still in the form.
    kept = data["mobile"] if field == "mobile" else "张三"
    assert kept in response.content.decode()


def test_signup_bad_password_does_not_use_up_the_code(client):
    signup(client, password2="something-else-2026")
    code = re.search(r"验证码 (\d{6})", sms.outbox[-1].text).group(1)
    response = client.post(
        "/accounts/signup/verify/",
        {"code": code, "display_name": "张三", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get().mobile_verified_at is not None


def test_signup_of_a_registered_number_creates_nothing_and_tells_its_holder(client):
    UserFactory(mobile="13812345678")
    response = client.post("/accounts/signup/", {"mobile": "138 1234 5678"})
    assert response.status_code == 302
    assert [m.mobile for m in sms.outbox] == ["13812345678"]
    assert "本号码已注册" in sms.outbox[0].text
    response = signup(client, mobile="13812345678", code="123456")
    assert User.objects.count() == 1


def test_sign_in_with_mobile_and_password(client):
    UserFactory(mobile="13812345678")
    response = client.post(reverse("accounts:login"), {"username": "138 1234 5678", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@override_settings(LOGIN_RATE_LIMIT_PER_ACCOUNT=3, LOGIN_RATE_LIMIT_PER_IP=100)
def test_sign_in_is_rate_limited_per_account(client):
    UserFactory(mobile="13812345678")
    for _ in range(3):
        response = client.post(reverse("accounts:login"), {"username": "13812345678", "password": "wrong"})
        assert "手机号码或密码不正确" in response.content.decode()
    # Even the right password is refused while the account is throttled.
    response = client.post(reverse("accounts:login"), {"username": "13812345678", "password": PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same IP is not affected.
    UserFactory(mobile="13812345679")
    response = client.post(reverse("accounts:login"), {"username": "13812345679", "password": PASSWORD})
    assert response.status_code == 302


@override_settings(LOGIN_RATE_LIMIT_PER_ACCOUNT=100, LOGIN_RATE_LIMIT_PER_IP=4)
def test_sign_in_is_rate_limited_per_ip(client):
    UserFactory(mobile="13812345678")
    for n in range(4):
        client.post(reverse("accounts:login"), {"username": f"1391234560{n}", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "13812345678", "password": PASSWORD})
    assert "登录失败次数过多" in response.content.decode()
    # A different client address can still sign in.
    response = client.post(
        reverse("accounts:login"), {"username": "13812345678", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302


def test_profile_requires_sign_in_and_saves(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"display_name": "李四", "email": "li@example.org"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.email) == ("李四", "li@example.org")


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Another-Horse-2027",
            "new_password2": "Another-Horse-2027",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-Horse-2027")


def test_password_reset_sends_a_working_link(client):
    user = UserFactory(email="family@example.org")
    client.post(reverse("accounts:password_reset"), {"email": "family@example.org"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Reset-Horse-2028", "new_password2": "Reset-Horse-2028"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Reset-Horse-2028")


def test_bureau_groups_exist_with_admin_access():
    for name in BUREAU_GROUPS:
        group = Group.objects.get(name=name)
        assert group.permissions.filter(codename="access_admin").exists()


def test_logout_requires_post(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session
