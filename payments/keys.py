"""RSA key handling for RSA2 (SHA256withRSA) signing.

The Alipay SDK signs with ``rsa.PrivateKey.load_pkcs1`` and verifies with
``rsa.PublicKey.load_pkcs1_openssl_pem``, so it needs a PKCS#1 private key and an
X.509 SubjectPublicKeyInfo public key. Merchants download PKCS#8 keys from Alipay's
key tool, or a bare base64 body without PEM markers; :func:`to_pkcs1_private_pem` and
:func:`to_spki_public_pem` accept all of these and convert.

This module also registers the ``payments-sandbox`` key initializer: a merchant key
pair (the platform's app key for the simulator) and the simulator's own key pair,
which the platform trusts as "Alipay's" public key.
"""

import base64
import binascii
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from core.keys import keys_dir, write_private

SANDBOX_DIR = "payments-sandbox"
MERCHANT_PRIVATE = "merchant_app_private_key.pem"
MERCHANT_PUBLIC = "merchant_app_public_key.pem"
GATEWAY_PRIVATE = "gateway_private_key.pem"
GATEWAY_PUBLIC = "gateway_public_key.pem"

_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]+-----.*?-----END [A-Z ]+-----", re.S)


class KeyConfigError(ValueError):
    """A key is missing or cannot be read."""


def _der_or_pem(text):
    """(is_pem, bytes): a PEM block as found, or the DER decoded from a bare base64 body."""
    text = text.strip()
    match = _PEM_BLOCK.search(text)
    if match:
        return True, match.group(0).encode()
    try:
        return False, base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyConfigError("neither a PEM block nor base64") from exc


def load_private_key(text):
    """A private key from PKCS#1 or PKCS#8 PEM, or a bare base64 body of either."""
    is_pem, data = _der_or_pem(text)
    try:
        key = (
            serialization.load_pem_private_key(data, password=None)
            if is_pem
            else serialization.load_der_private_key(data, password=None)
        )
    except (ValueError, TypeError) as exc:
        raise KeyConfigError("not a private key in PKCS#1 or PKCS#8 form") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyConfigError("not an RSA private key")
    return key


def load_public_key(text):
    """A public key from SubjectPublicKeyInfo or PKCS#1 (PEM or bare base64)."""
    is_pem, data = _der_or_pem(text)
    try:
        key = serialization.load_pem_public_key(data) if is_pem else serialization.load_der_public_key(data)
    except (ValueError, TypeError) as exc:
        raise KeyConfigError("not a public key") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyConfigError("not an RSA public key")
    return key


def to_pkcs1_private_pem(text):
    """The PKCS#1 PEM text the SDK's ``sign_with_rsa2`` can load."""
    return (
        load_private_key(text)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        .decode()
    )


def to_spki_public_pem(text):
    """The ``BEGIN PUBLIC KEY`` PEM text the SDK's ``verify_with_rsa`` can load."""
    return (
        load_public_key(text)
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def public_pem_of(private_text):
    return (
        load_private_key(private_text)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def resolve_key_path(path):
    """Relative paths are read below ``settings.PLATFORM_KEYS_DIR``."""
    path = Path(path)
    return path if path.is_absolute() else Path(settings.PLATFORM_KEYS_DIR) / path


def read_key(inline, path, what):
    if inline:
        return inline
    if not path:
        raise KeyConfigError(f"{what} is not configured")
    resolved = resolve_key_path(path)
    try:
        return resolved.read_text()
    except OSError as exc:
        raise KeyConfigError(f"{what} cannot be read from {resolved}: {exc.strerror}") from exc


def generate_key_pair(private_format=serialization.PrivateFormat.PKCS8, bits=2048):
    """A fresh RSA key pair as (private PEM, public SPKI PEM) bytes."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(serialization.Encoding.PEM, private_format, serialization.NoEncryption())
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def sandbox_path(name):
    return Path(settings.PLATFORM_KEYS_DIR) / SANDBOX_DIR / name


def init_sandbox_keys(force=False):
    """Create the merchant and simulator key pairs for the local gateway when missing.

    The merchant key is written as PKCS#8 (what Alipay's key tool produces) and the
    simulator's as PKCS#1, so both conversions are exercised on every run.
    """
    keys_dir()
    made = []
    for private_name, public_name, fmt in (
        (MERCHANT_PRIVATE, MERCHANT_PUBLIC, serialization.PrivateFormat.PKCS8),
        (GATEWAY_PRIVATE, GATEWAY_PUBLIC, serialization.PrivateFormat.TraditionalOpenSSL),
    ):
        private_path, public_path = sandbox_path(private_name), sandbox_path(public_name)
        if private_path.exists() and public_path.exists() and not force:
            continue
        private, public = generate_key_pair(fmt)
        write_private(private_path, private)
        public_path.write_bytes(public)
        made.append(private_name)
    where = Path(settings.PLATFORM_KEYS_DIR) / SANDBOX_DIR
    if made:
        return f"created {', '.join(made)} (and public keys) in {where}"
    return f"keys present in {where}"
