"""One-time codes by SMS, used to confirm signatures."""

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time

from accounts import sms
from accounts.otp import OtpError, check_code, send_code
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def sent_code():
    return re.search(r"验证码 (\d{6})", sms.outbox[-1].text).group(1)


def test_code_is_sent_by_sms_and_works_once():
    user = UserFactory()
    send_code(user, "contract:1:sign", "签署合同")
    assert sms.outbox[-1].mobile == user.mobile and "签署合同" in sms.outbox[-1].text
    code = sent_code()
    check_code(user, "contract:1:sign", code)
    with pytest.raises(OtpError) as error:
        check_code(user, "contract:1:sign", code)
    assert error.value.code == "missing"


def test_a_code_for_one_purpose_does_not_confirm_another():
    user = UserFactory()
    send_code(user, "contract:1:sign", "签署合同")
    with pytest.raises(OtpError):
        check_code(user, "contract:2:sign", sent_code())


def test_wrong_code_counts_attempts_and_locks_after_the_limit():
    user = UserFactory()
    send_code(user, "p", "测试")
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    with override_settings(OTP_MAX_ATTEMPTS=3):
        for remaining in (2, 1):
            with pytest.raises(OtpError) as error:
                check_code(user, "p", wrong)
            assert error.value.code == "wrong" and str(remaining) in str(error.value)
        with pytest.raises(OtpError) as error:
            check_code(user, "p", wrong)
        assert error.value.code == "too_many_attempts"
        with pytest.raises(OtpError) as error:
            check_code(user, "p", code)  # even the right code is dead now
        assert error.value.code == "too_many_attempts"


def test_expired_code_is_refused():
    user = UserFactory()
    with freeze_time(timezone.now()) as frozen:
        send_code(user, "p", "测试")
        frozen.tick(timedelta(minutes=6))
        with pytest.raises(OtpError) as error:
            check_code(user, "p", sent_code())
    assert error.value.code == "expired"


def test_resending_too_soon_is_refused():
    user = UserFactory()
    send_code(user, "p", "测试")
    with pytest.raises(OtpError) as error:
        send_code(user, "p", "测试")
    assert error.value.code == "too_soon"
