"""RSA2 signing and verification for the simulator, with the SDK's own utilities."""

import rsa
from alipay.aop.api.util.SignatureUtils import get_sign_content, sign_with_rsa2, verify_with_rsa
from django.conf import settings

from .. import keys

CHARSET = "utf-8"


def gateway_private_key():
    return keys.to_pkcs1_private_pem(keys.sandbox_path(keys.GATEWAY_PRIVATE).read_text())


def merchant_public_key(app_id):
    """The public key the simulator holds for a merchant app, or None if the app is unknown."""
    if app_id != settings.PAYMENTS_SANDBOX_APP_ID:
        return None
    return keys.to_spki_public_pem(keys.sandbox_path(keys.MERCHANT_PUBLIC).read_text())


def sign_params(params, private_key_pem=None):
    """Sign a parameter dict as Alipay signs notifications (all but sign and sign_type, sorted)."""
    content = get_sign_content({k: v for k, v in params.items() if k not in ("sign", "sign_type")})
    return sign_with_rsa2(private_key_pem or gateway_private_key(), content, CHARSET)


def sign_text(text):
    return sign_with_rsa2(gateway_private_key(), text, CHARSET)


def verify_request(params, public_key_pem):
    """Alipay's request check: every parameter but ``sign`` (and empty values), sorted."""
    sign = params.get("sign", "")
    if not sign:
        return False
    content = get_sign_content({k: v for k, v in params.items() if k != "sign" and v not in ("", None)})
    try:
        return verify_with_rsa(public_key_pem, content.encode(CHARSET), sign)
    except (rsa.VerificationError, ValueError):
        return False
