"""Payments test helpers: real RSA2 keys for the run, the simulator switched on, signed
notifications as the simulator would send them, and a buyer driving the cashier.

Import the fixtures into a test module (``from tests.factories.payments import ...``).
"""

import base64
import importlib
import re
import secrets
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote_plus, unquote_plus, urlencode

import pytest
import requests
from django.conf import settings as django_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse
from django.utils import timezone

SANDBOX = "alipay-sandbox"


@pytest.fixture(scope="session")
def payment_keys_dir(tmp_path_factory):
    """Fresh RSA2 key pairs (merchant PKCS#8, simulator PKCS#1) for the whole run."""
    from django.test import override_settings

    from payments.keys import init_sandbox_keys

    path = tmp_path_factory.mktemp("platform-keys")
    with override_settings(PLATFORM_KEYS_DIR=path):
        init_sandbox_keys()
    return path


def _mount_sandbox():
    """payments/urls.py mounts the simulator at import time when the setting is on."""
    try:
        reverse("payments:sandbox:gateway")
        return
    except NoReverseMatch:
        pass
    import payments.urls

    importlib.reload(payments.urls)
    importlib.reload(importlib.import_module(django_settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture
def payments_setup(settings, payment_keys_dir):
    settings.PLATFORM_KEYS_DIR = payment_keys_dir
    settings.PAYMENTS_SANDBOX_ENABLED = True
    settings.PAYMENTS_DEFAULT_VARIANT = SANDBOX
    settings.PAYMENTS_SITE_URL = "http://testserver"
    settings.PAYMENTS_SANDBOX_NOTIFY_BACKOFF = [0.01, 0.02, 0.04]
    settings.PAYMENTS_GATEWAY_TIMEOUT = 10
    _mount_sandbox()
    return settings


@pytest.fixture
def sandbox_server(payments_setup, live_server):
    """The platform and the simulator served over HTTP; the provider calls it for real."""
    payments_setup.PAYMENTS_SITE_URL = live_server.url
    return live_server


def make_intent(amount="100.00", *, key=None, user=None, payable=None, expires_in=None, **kwargs):
    from payments import services

    return services.create_intent(
        Decimal(amount),
        kwargs.pop("description", "殡葬服务合同 付款"),
        key or f"test-{secrets.token_hex(8)}",
        user=user,
        payable=payable,
        expires_in=expires_in,
        **kwargs,
    )


def sandbox_trade_for(intent, **fields):
    """A simulator trade for ``intent`` as if the buyer had opened the cashier."""
    from payments.sandbox.models import SandboxTrade

    defaults = {
        "app_id": django_settings.PAYMENTS_SANDBOX_APP_ID,
        "method": "alipay.trade.page.pay",
        "subject": intent.description,
        "total_amount": intent.amount,
        "time_expire": intent.expires_at,
    }
    defaults.update(fields)
    trade, _ = SandboxTrade.objects.get_or_create(out_trade_no=intent.out_trade_no, defaults=defaults)
    return trade


def signed_notification(intent, *, trade=None, private_key=None, notify_id=None, **overrides):
    """A TRADE_SUCCESS notification body for ``intent``, signed like the simulator signs.

    ``overrides`` change fields before signing (a forged amount signed by the gateway
    key stays a valid signature: the checks after verification must catch it).
    """
    from payments.sandbox import gateway, signing

    trade = trade or sandbox_trade_for(intent)
    if trade.paid_at is None:
        trade.status = trade.Status.TRADE_SUCCESS
        trade.paid_at = timezone.now()
        trade.save(update_fields=["status", "paid_at"])
    params = gateway.notification_params(trade, notify_id or secrets.token_hex(16))
    params.update(overrides)
    params["sign"] = signing.sign_params(params, private_key)
    return urlencode(params).encode()


def forge_one_character(body):
    """The same notification with its signature wrong by exactly one bit.

    The ``sign`` value is URL-decoded and base64-decoded, one bit of the raw RSA signature
    is flipped, and the result is re-encoded and put back in place; every other byte of
    the body stays as it was. Deterministic: it never edits inside a ``%XX`` escape and
    never yields the original signature, so the gateway key's check must fail.
    """
    text = body.decode()
    segments = text.split("&")
    signs = [i for i, segment in enumerate(segments) if segment.startswith("sign=")]
    assert len(signs) == 1, "the body must carry exactly one signature to forge"
    raw = bytearray(base64.b64decode(unquote_plus(segments[signs[0]][len("sign=") :]), validate=True))
    raw[len(raw) // 2] ^= 0x01
    segments[signs[0]] = "sign=" + quote_plus(base64.b64encode(bytes(raw)).decode())
    return "&".join(segments).encode()


def post_notification(client, body, variant=SANDBOX):
    return client.post(
        reverse("payments:notify", args=[variant]),
        data=body,
        content_type="application/x-www-form-urlencoded",
    )


class Buyer:
    """A browser without a browser: follows the gateway redirect and presses the cashier's buttons."""

    def __init__(self):
        self.session = requests.Session()

    def open(self, url):
        response = self.session.get(url, timeout=30)
        response.raise_for_status()
        return response

    def press(self, cashier_response, action):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', cashier_response.text).group(1)
        return self.session.post(
            cashier_response.url,
            data={"csrfmiddlewaretoken": token, "action": action},
            headers={"Referer": cashier_response.url},
            timeout=60,
        )


def soon(minutes=30):
    return timedelta(minutes=minutes)
