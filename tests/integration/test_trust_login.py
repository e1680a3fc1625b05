"""Issue 12, point 1: every sign-in path is throttled, atomically, per account and per real
client address (behind the proxy too), and an SMS code lifts an account's delay."""

import io
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts import sms
from accounts.services import client_ip
from tests.factories.accounts import PASSWORD, UserFactory

MOBILE = "13812345678"
WRONG = "not-the-password"
THROTTLED = "登录失败次数过多"
INVALID = "手机号码或密码不正确"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def sign_in(client, password, mobile=MOBILE, **extra):
    return client.post(reverse("accounts:login"), {"username": mobile, "password": password}, **extra)


def last_code():
    return re.search(r"验证码 (\d{6})", sms.outbox[-1].text).group(1)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (select_for_update) need PostgreSQL; SQLite serialises whole transactions",
)
@pytest.mark.django_db(transaction=True)
# The delay after the limit is an hour here, so that a slow machine (or a run under
# libfaketime) can't let it expire while the threads are still queued: this test is about the
# check and the count being one step, not about the delay running out.
@override_settings(
    LOGIN_RATE_LIMIT_PER_ACCOUNT=5,
    LOGIN_RATE_LIMIT_PER_IP=1000,
    LOGIN_ACCOUNT_DELAY_BASE_SECONDS=3600,
    LOGIN_ACCOUNT_DELAY_MAX_SECONDS=3600,
)
def test_concurrent_wrong_passwords_are_evaluated_at_most_limit_times():
    """Forty wrong passwords for one account at the same moment: the limit and the count are
    one step, so only five reach the password check; the rest are refused unchecked."""
    UserFactory(mobile=MOBILE)
    threads_count = 40
    barrier = threading.Barrier(threads_count)
    answers, errors = [], []

    def guess():
        try:
            barrier.wait(timeout=30)
            html = sign_in(Client(), WRONG).content.decode()
            answers.append("invalid" if INVALID in html else "throttled" if THROTTLED in html else html)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(answers) == threads_count
    assert answers.count("invalid") == 5
    assert answers.count("throttled") == threads_count - 5
    # And the right password is refused too while the account waits.
    assert THROTTLED in sign_in(Client(), PASSWORD).content.decode()


@pytest.mark.django_db
@override_settings(LOGIN_RATE_LIMIT_PER_ACCOUNT=3, LOGIN_RATE_LIMIT_PER_IP=1000)
def test_admin_login_is_throttled():
    UserFactory(mobile=MOBILE, is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(3):
        response = client.post("/admin/login/", {"username": MOBILE, "password": WRONG})
        assert response.status_code == 200
        assert THROTTLED not in response.content.decode()
        assert "_auth_user_id" not in client.session
    response = client.post("/admin/login/", {"username": MOBILE, "password": PASSWORD})
    assert response.status_code == 200
    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(LOGIN_RATE_LIMIT_PER_ACCOUNT=3, LOGIN_RATE_LIMIT_PER_IP=1000)
def test_admin_and_public_login_share_one_account_count():
    UserFactory(mobile=MOBILE, is_staff=True)
    client = Client()
    sign_in(client, WRONG)
    sign_in(client, WRONG)
    client.post("/admin/login/", {"username": MOBILE, "password": WRONG})
    assert THROTTLED in sign_in(client, PASSWORD).content.decode()


def forwarded(remote, chain):
    return RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=chain)


@override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8"])
def test_client_ip_walks_forwarded_for_from_the_right_past_trusted_hops():
    # The client wrote "1.1.1.1"; nginx appended the real peer; an inner proxy appended itself.
    assert client_ip(forwarded("127.0.0.1", "1.1.1.1, 203.0.113.5, 10.0.0.7")) == "203.0.113.5"
    # Garbage can only come from the client side of the chain: stop at the last trusted hop.
    assert client_ip(forwarded("127.0.0.1", "203.0.113.5, not-an-address")) == "127.0.0.1"
    # From an untrusted peer the header is ignored.
    assert client_ip(forwarded("198.51.100.9", "203.0.113.5")) == "198.51.100.9"
    # IPv6 peers, with or without brackets.
    assert client_ip(forwarded("127.0.0.1", "[2001:db8::1]")) == "2001:db8::1"


def test_client_ip_ignores_forwarded_for_without_trusted_proxies():
    assert client_ip(forwarded("127.0.0.1", "203.0.113.5")) == "127.0.0.1"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["127.0.0.1"], LOGIN_RATE_LIMIT_PER_ACCOUNT=100, LOGIN_RATE_LIMIT_PER_IP=4)
def test_forwarded_for_honoured_only_from_trusted_proxy():
    UserFactory(mobile=MOBILE)
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    # One client behind the proxy uses up its failures on other numbers ...
    for n in range(4):
        sign_in(Client(), WRONG, mobile=f"1391234560{n}", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    response = sign_in(Client(), PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert THROTTLED in response.content.decode()
    # ... another client behind the same proxy is not locked out with it.
    response = sign_in(Client(), PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    assert response.status_code == 302
    # A client that talks to the app directly can't escape its limit by forging the header.
    direct = {"REMOTE_ADDR": "198.51.100.9"}
    for n in range(4):
        sign_in(Client(), WRONG, mobile=f"1391234561{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}", **direct)
    response = sign_in(Client(), PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200", **direct)
    assert THROTTLED in response.content.decode()


@pytest.mark.django_db
@override_settings(
    LOGIN_RATE_LIMIT_PER_ACCOUNT=3,
    LOGIN_RATE_LIMIT_PER_IP=1000,
    LOGIN_ACCOUNT_DELAY_BASE_SECONDS=2,
    LOGIN_ACCOUNT_DELAY_MAX_SECONDS=5,
    LOGIN_RATE_LIMIT_WINDOW_SECONDS=900,
)
def test_account_delay_grows_and_is_capped_so_a_stranger_cannot_lock_a_number_for_good():
    UserFactory(mobile=MOBILE)
    client = Client()
    start = timezone.now()
    with freeze_time(start) as clock:
        for _ in range(3):  # the third failure starts the delay: 2 s
            assert INVALID in sign_in(client, WRONG).content.decode()
        assert THROTTLED in sign_in(client, PASSWORD).content.decode()
        clock.tick(timedelta(seconds=2))
        assert INVALID in sign_in(client, WRONG).content.decode()  # evaluated; next delay 4 s
        clock.tick(timedelta(seconds=3))
        assert "1 秒后再试" in sign_in(client, PASSWORD).content.decode()
        clock.tick(timedelta(seconds=1))
        assert INVALID in sign_in(client, WRONG).content.decode()  # next delay 8 s, capped at 5
        clock.tick(timedelta(seconds=5))
        assert sign_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_RATE_LIMIT_PER_ACCOUNT=3, LOGIN_RATE_LIMIT_PER_IP=1000)
def test_sms_code_unlocks_an_account_locked_by_someone_else():
    user = UserFactory(mobile=MOBILE, mobile_verified_at=None)
    stranger = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(4):
        sign_in(stranger, WRONG)
    owner = Client()
    assert THROTTLED in sign_in(owner, PASSWORD).content.decode()
    response = owner.get(reverse("accounts:login"))
    assert reverse("accounts:login_code") in response.content.decode()

    response = owner.post(reverse("accounts:login_code"), {"mobile": MOBILE})
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("accounts:login_code_verify")
    )
    assert [m.mobile for m in sms.outbox] == [MOBILE]
    response = owner.post(reverse("accounts:login_code_verify"), {"code": last_code()})
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.mobile_verified_at is not None
    # The password works again at once: the delay was lifted.
    assert sign_in(Client(), PASSWORD).status_code == 302


@pytest.mark.django_db
def test_sms_login_wrong_code_signs_nobody_in_and_answers_alike_for_unknown_numbers():
    UserFactory(mobile=MOBILE)
    pages = []
    for mobile in (MOBILE, "13812340000"):
        client = Client()
        client.post(reverse("accounts:login_code"), {"mobile": mobile})
        response = client.post(reverse("accounts:login_code_verify"), {"code": "000000"})
        assert "_auth_user_id" not in client.session
        pages.append((response.status_code, re.sub(r'value="[^"]+"', "", response.content.decode())))
        pages[-1] = (pages[-1][0], pages[-1][1].replace(mobile[-4:], "####"))
    assert pages[0] == pages[1]
    assert "验证码不正确" in pages[0][1]
    # Both numbers got a message; only the registered one got a code.
    assert sorted(m.mobile for m in sms.outbox) == sorted([MOBILE, "13812340000"])
    unknown = next(m for m in sms.outbox if m.mobile == "13812340000")
    assert "尚未注册" in unknown.text and not re.search(r"\d{6}", unknown.text)


@pytest.mark.django_db
@override_settings(SMS_CODE_LIMIT_PER_MOBILE=2, SMS_CODE_LIMIT_PER_IP=3, OTP_RESEND_INTERVAL_SECONDS=0)
def test_sms_code_sends_are_throttled_per_number_and_per_ip():
    UserFactory(mobile=MOBILE)
    client = Client()
    for _ in range(2):
        assert client.post(reverse("accounts:login_code"), {"mobile": MOBILE}).status_code == 302
    response = client.post(reverse("accounts:login_code"), {"mobile": MOBILE})
    assert "短信验证码发送过于频繁" in response.content.decode()
    assert len(sms.outbox) == 2
    # The same address, another number: one more send is allowed (3 per address), then none.
    assert client.post(reverse("accounts:signup"), {"mobile": "13987654321"}).status_code == 302
    response = client.post(reverse("accounts:signup"), {"mobile": "13987654322"})
    assert "短信验证码发送过于频繁" in response.content.decode()
    assert len(sms.outbox) == 3
    # Another address can still send to a fresh number.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert other.post(reverse("accounts:signup"), {"mobile": "13987654322"}).status_code == 302
    assert len(sms.outbox) == 4


@pytest.mark.django_db
@override_settings(LOGIN_RATE_LIMIT_PER_ACCOUNT=2, LOGIN_RATE_LIMIT_PER_IP=1000)
def test_a_form_with_a_missing_password_is_not_counted_and_does_not_reset_the_count():
    UserFactory(mobile=MOBILE)
    client = Client()
    sign_in(client, WRONG)
    client.post(reverse("accounts:login"), {"username": MOBILE, "password": ""})
    sign_in(client, WRONG)
    assert THROTTLED in sign_in(client, PASSWORD).content.decode()


@pytest.mark.django_db
def test_stale_attempt_counters_are_purged_and_live_ones_kept():
    from django.core.management import call_command

    from accounts.models import AttemptCounter

    start = timezone.now()
    with freeze_time(start - timedelta(days=2)):
        sign_in(Client(), WRONG, mobile="13911112222")
    sign_in(Client(), WRONG)
    assert AttemptCounter.objects.count() == 3  # two accounts, one address
    out = io.StringIO()
    call_command("purge_attempt_counters", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert AttemptCounter.objects.count() == 2
    # The recent failure still counts.
    assert AttemptCounter.objects.get(scope="login-account").count == 1
