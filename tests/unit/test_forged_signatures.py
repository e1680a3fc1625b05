"""The forged-signature helper is deterministic and always makes a real wrong signature.

It used to replace one character at a fixed offset of the URL-encoded body, which now and
then landed inside a ``%XX`` escape (about 4% of calls): the body then failed to parse
instead of failing the signature check, and the tests using it flaked.
"""

import base64
import json
from urllib.parse import parse_qsl, urlencode

import pytest

from payments.providers.base import NotificationRejected, get_provider
from payments.sandbox import signing
from tests.factories.payments import SANDBOX, forge_one_character, payment_keys_dir, payments_setup

__all__ = ["payment_keys_dir", "payments_setup"]


def notification_body(number):
    """A notification as the simulator signs it; the amounts and the subject vary so the
    signature (and where its ``+``, ``/`` and ``=`` fall after URL-encoding) varies too."""
    from django.conf import settings

    amount = f"{number * 7 + 1}.{number % 100:02d}"
    params = {
        "notify_time": "2026-12-04 10:00:00",
        "notify_type": "trade_status_sync",
        "notify_id": f"notify-{number}",
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "app_id": settings.PAYMENTS_SANDBOX_APP_ID,
        "auth_app_id": settings.PAYMENTS_SANDBOX_APP_ID,
        "seller_id": settings.PAYMENTS_SANDBOX_SELLER_ID,
        "trade_no": f"2026120422001{number:08d}",
        "out_trade_no": f"PI{number:010d}",
        "subject": f"殡葬服务合同 付款 第{number}期 & 尾款=100%",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": amount,
        "fund_bill_list": json.dumps([{"amount": amount, "fundChannel": "ALIPAYACCOUNT"}]),
    }
    params["sign"] = signing.sign_params(params)
    return urlencode(params).encode()


def test_forged_signature_differs_by_one_bit_and_never_verifies(payments_setup):
    provider = get_provider(SANDBOX)
    for number in range(120):
        body = notification_body(number)
        provider.verify_notification(body)  # the genuine body verifies
        forged = forge_one_character(body)
        original, changed = dict(parse_qsl(body.decode())), dict(parse_qsl(forged.decode()))
        assert {k: v for k, v in changed.items() if k != "sign"} == {
            k: v for k, v in original.items() if k != "sign"
        }
        before, after = base64.b64decode(original["sign"]), base64.b64decode(changed["sign"])
        assert len(before) == len(after)
        assert sum(bin(a ^ b).count("1") for a, b in zip(before, after, strict=True)) == 1
        with pytest.raises(NotificationRejected, match="signature does not verify"):
            provider.verify_notification(forged)
        assert forge_one_character(body) == forged  # the same input always gives the same forgery


def test_forging_a_body_without_a_signature_is_a_test_error():
    with pytest.raises(AssertionError):
        forge_one_character(b"notify_id=1&trade_status=TRADE_SUCCESS")
