"""The platform's electronic seal: PAdES signatures on the PDFs it issues.

``manage.py init_platform_keys`` makes a small PKI below ``PLATFORM_KEYS_DIR/seal``:
a root certificate (the trust anchor) and a seal certificate issued by it, both
RSA-2048. Production replaces these files with the bureau's real seal certificate
(same file names) and keeps them outside the repository.

``seal_pdf`` signs a PDF with pyHanko (PAdES baseline, ``/ETSI.CAdES.detached``);
``verify_pdf`` checks that a PDF carries an intact, valid seal that chains to the
platform's root. Neither fetches anything from the network.
"""

import asyncio
import datetime
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from .keys import keys_dir, register_key_initializer, write_private

SEAL_FIELD = "PlatformSeal"
SEAL_ORGANISATION = "北京市民政公共服务平台"


def seal_dir() -> Path:
    return keys_dir() / "seal"


def _paths():
    base = seal_dir()
    return {
        "root_cert": base / "root-cert.pem",
        "seal_key": base / "seal-key.pem",
        "seal_cert": base / "seal-cert.pem",
    }


def _name(common_name):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "北京市"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, SEAL_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def create_seal_keys(force=False):
    """Key initializer: create the root and seal certificates when missing."""
    paths = _paths()
    if not force and all(path.exists() for path in paths.values()):
        return "seal certificate present"
    now = datetime.datetime.now(datetime.UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name(f"{SEAL_ORGANISATION} 根证书")
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    seal_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    seal_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{SEAL_ORGANISATION} 电子印章"))
        .issuer_name(root_name)
        .public_key(seal_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    write_private(
        paths["seal_key"],
        seal_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    paths["seal_cert"].write_bytes(seal_cert.public_bytes(serialization.Encoding.PEM))
    paths["root_cert"].write_bytes(root_cert.public_bytes(serialization.Encoding.PEM))
    # The root's private key is not kept: nothing else is ever issued from it.
    return f"seal certificate created in {seal_dir()}"


register_key_initializer("platform-seal", create_seal_keys)


def _signer():
    paths = _paths()
    if not paths["seal_key"].exists():
        create_seal_keys()
    return signers.SimpleSigner.load(
        str(paths["seal_key"]), str(paths["seal_cert"]), ca_chain_files=(str(paths["root_cert"]),)
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _outside_event_loop(func, *args, **kwargs):
    """pyHanko's sync API calls ``asyncio.run``, which fails in a thread that already
    runs an event loop (an ASGI worker, Playwright's sync API). Run it in a worker
    thread there; call it directly otherwise."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(func, *args, **kwargs).result()


def seal_pdf(pdf_bytes: bytes, *, reason: str, location: str = "北京") -> bytes:
    """Return the PDF with the platform's PAdES seal added as an incremental update."""
    return _outside_event_loop(_seal_pdf, pdf_bytes, reason=reason, location=location)


def _seal_pdf(pdf_bytes, *, reason, location):
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    output = signers.sign_pdf(writer, metadata, signer=_signer())
    return output.getvalue()


@dataclass(frozen=True)
class SealCheck:
    sealed: bool
    intact: bool = False
    trusted: bool = False
    signer: str = ""

    @property
    def ok(self):
        return self.sealed and self.intact and self.trusted


def verify_pdf(pdf_bytes: bytes) -> SealCheck:
    """Check the platform seal: present, covering the whole file, intact and trusted."""
    return _outside_event_loop(_verify_pdf, pdf_bytes)


def _verify_pdf(pdf_bytes):
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes))
        signatures = [sig for sig in reader.embedded_signatures if sig.field_name == SEAL_FIELD]
    except Exception:  # a damaged or non-PDF upload is simply "not sealed"
        return SealCheck(sealed=False)
    if not signatures:
        return SealCheck(sealed=False)
    root = load_cert_from_pemder(str(_paths()["root_cert"]))
    context = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(signatures[-1], context)
    except Exception:
        return SealCheck(sealed=True)
    coverage_ok = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    return SealCheck(
        sealed=True,
        intact=bool(status.intact and status.valid and coverage_ok),
        trusted=bool(status.trusted),
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
    )


# --- Detached signatures (published records such as the price-chain heads) ---------------------
# The same seal key signs small records the platform publishes as plain files. A reader checks
# them with the published seal certificate, itself issued by the platform root:
#   openssl x509 -in seal-cert.pem -pubkey -noout > seal.pub
#   openssl dgst -sha256 -verify seal.pub -signature <record>.sig <record>.json


def seal_certificate_pem() -> bytes:
    paths = _paths()
    if not paths["seal_cert"].exists():
        create_seal_keys()
    return paths["seal_cert"].read_bytes()


def root_certificate_pem() -> bytes:
    paths = _paths()
    if not paths["root_cert"].exists():
        create_seal_keys()
    return paths["root_cert"].read_bytes()


def sign_detached(data: bytes) -> bytes:
    """An RSA PKCS#1 v1.5 / SHA-256 signature of ``data`` with the seal key."""
    from cryptography.hazmat.primitives.asymmetric import padding

    paths = _paths()
    if not paths["seal_key"].exists():
        create_seal_keys()
    key = serialization.load_pem_private_key(paths["seal_key"].read_bytes(), password=None)
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def verify_detached(data: bytes, signature: bytes, certificate_pem: bytes | None = None) -> bool:
    """True when ``signature`` over ``data`` was made with a seal certificate that the platform
    root issued (the current one, or ``certificate_pem`` kept with an older record)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem or seal_certificate_pem())
        root = x509.load_pem_x509_certificate(root_certificate_pem())
        certificate.verify_directly_issued_by(root)
        certificate.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
