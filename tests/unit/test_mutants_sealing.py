"""core/sealing.py: the seal certificates `create_seal_keys` issues, checked field by field.

Mutation testing (docs/testing.md, "Mutation score") found that nothing looked inside the
certificates: the suite makes the keys once per run and only checks that seals verify. These
tests make a fresh pair in a keys directory of their own and read them back with
`cryptography`, as a relying party would."""

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.test import override_settings

from core import sealing

NOW = datetime.datetime.now(datetime.UTC)


@pytest.fixture
def fresh_keys(tmp_path):
    with override_settings(PLATFORM_KEYS_DIR=tmp_path / "keys"):
        message = sealing.create_seal_keys()
        root = x509.load_pem_x509_certificate(sealing.root_certificate_pem())
        seal = x509.load_pem_x509_certificate(sealing.seal_certificate_pem())
        yield message, root, seal


def _name(certificate):
    return {attribute.oid: attribute.value for attribute in certificate.subject}


def test_seal_keys_are_made_once_and_kept_unless_forced(fresh_keys, tmp_path):
    message, root, seal = fresh_keys
    assert message == f"seal certificate created in {tmp_path / 'keys' / 'seal'}"
    with override_settings(PLATFORM_KEYS_DIR=tmp_path / "keys"):
        assert sealing.create_seal_keys() == "seal certificate present"
        assert x509.load_pem_x509_certificate(sealing.seal_certificate_pem()) == seal
        sealing.create_seal_keys(force=True)
        assert x509.load_pem_x509_certificate(sealing.seal_certificate_pem()) != seal


def test_root_certificate_is_a_ten_year_ca_that_issues_only_the_seal(fresh_keys):
    _message, root, _seal = fresh_keys
    assert _name(root) == {
        NameOID.COUNTRY_NAME: "CN",
        NameOID.STATE_OR_PROVINCE_NAME: "北京市",
        NameOID.ORGANIZATION_NAME: sealing.SEAL_ORGANISATION,
        NameOID.COMMON_NAME: f"{sealing.SEAL_ORGANISATION} 根证书",
    }
    assert root.issuer == root.subject
    assert root.public_key().key_size == 2048
    assert root.not_valid_before_utc < NOW
    assert root.not_valid_after_utc - root.not_valid_before_utc == datetime.timedelta(days=3651)
    constraints = root.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = root.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert (usage.value.key_cert_sign, usage.value.crl_sign) == (True, True)
    assert not any(
        (usage.value.digital_signature, usage.value.content_commitment, usage.value.key_encipherment)
    )
    assert not any((usage.value.data_encipherment, usage.value.key_agreement))
    identifier = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert not identifier.critical
    assert identifier.value == x509.SubjectKeyIdentifier.from_public_key(root.public_key())


def test_seal_certificate_is_a_five_year_signing_certificate_issued_by_the_root(fresh_keys):
    _message, root, seal = fresh_keys
    assert _name(seal)[NameOID.COMMON_NAME] == f"{sealing.SEAL_ORGANISATION} 电子印章"
    assert _name(seal)[NameOID.COUNTRY_NAME] == "CN"
    assert seal.issuer == root.subject
    seal.verify_directly_issued_by(root)
    assert seal.public_key().key_size == 2048
    assert seal.not_valid_before_utc < NOW
    assert seal.not_valid_after_utc - seal.not_valid_before_utc == datetime.timedelta(days=1826)
    constraints = seal.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and not constraints.value.ca and constraints.value.path_length is None
    usage = seal.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert (usage.value.digital_signature, usage.value.content_commitment) == (True, True)
    assert not any((usage.value.key_cert_sign, usage.value.crl_sign, usage.value.key_encipherment))
    assert not any((usage.value.data_encipherment, usage.value.key_agreement))
    extended = seal.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert not extended.critical and list(extended.value) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    authority = seal.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert not authority.critical
    assert authority.value.key_identifier == (
        x509.SubjectKeyIdentifier.from_public_key(root.public_key()).digest
    )


# --- The seal on a PDF and its check (the second mutation run: docs/testing.md) ----------------
# What an auditor reads from a sealed PDF and what `verify_pdf` reports for it. Every test works
# in a keys directory of its own, so it can replace or remove the platform's key files.


def _render(text="火化证明 逝者：王丽"):
    from io import BytesIO

    from core import pdf as platform_pdf

    buffer = BytesIO()
    canvas = platform_pdf.canvas(buffer)
    canvas.setFont(platform_pdf.cjk_font_name(), 14)
    canvas.drawString(72, 760, text)
    canvas.save()
    return buffer.getvalue()


def _seals(data):
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(BytesIO(data)).embedded_signatures


@pytest.fixture
def keys(tmp_path):
    """A keys directory of this test's own: empty until something asks for the seal."""
    with override_settings(PLATFORM_KEYS_DIR=tmp_path / "keys"):
        yield tmp_path / "keys" / "seal"


def _pki(directory, *, crl_url=None, seals=1):
    """A root and ``seals`` seal certificates issued by it, written where a deployment puts the
    bureau's real ones (root-cert.pem, seal-cert.pem, seal-key.pem: the last seal is current).
    Returns the seal keys and certificates, oldest first. ``crl_url`` puts a CRL distribution
    point in every seal certificate, as a commercial CA's certificate has."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试根证书")])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    issued = []
    for number in range(seals):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"测试电子印章 {number}")]))
            .issuer_name(root_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
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
        )
        if crl_url:
            builder = builder.add_extension(
                x509.CRLDistributionPoints(
                    [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)]
                ),
                critical=False,
            )
        issued.append((key, builder.sign(root_key, hashes.SHA256())))
    pem = serialization.Encoding.PEM
    key, certificate = issued[-1]
    (directory / "root-cert.pem").write_bytes(root.public_bytes(pem))
    (directory / "seal-cert.pem").write_bytes(certificate.public_bytes(pem))
    (directory / "seal-key.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return issued


def test_the_seal_files_have_the_names_a_deployment_replaces(keys):
    sealing.create_seal_keys()
    assert sorted(path.name for path in keys.iterdir()) == ["root-cert.pem", "seal-cert.pem", "seal-key.pem"]
    assert (keys / "seal-key.pem").stat().st_mode & 0o077 == 0  # the private key: owner only


def test_verification_trusts_the_root_certificate_the_deployment_installs(keys):
    sealed = sealing.seal_pdf(_render(), reason="火化证明")
    assert sealing.verify_pdf(sealed).ok
    _pki(keys)  # the bureau's own root and seal replace the generated ones
    check = sealing.verify_pdf(sealed)
    assert check.sealed and check.intact and not check.trusted and not check.ok
    assert sealing.verify_pdf(sealing.seal_pdf(_render(), reason="火化证明")).ok


def test_the_first_seal_makes_the_platform_keys_when_none_exist(keys):
    assert not keys.exists()
    sealed = sealing.seal_pdf(_render(), reason="火化证明")
    assert (keys / "seal-key.pem").exists()
    assert sealing.verify_pdf(sealed).ok


def test_the_published_certificates_and_detached_signatures_need_no_prior_setup(tmp_path):
    for name, call in [
        ("seal certificate", sealing.seal_certificate_pem),
        ("root certificate", sealing.root_certificate_pem),
        ("detached signature", lambda: sealing.sign_detached(b"record")),
    ]:
        with override_settings(PLATFORM_KEYS_DIR=tmp_path / name):
            result = call()
            assert result, name
            assert sealing.verify_detached(b"record", sealing.sign_detached(b"record")), name
            assert sorted(path.name for path in (tmp_path / name / "seal").iterdir()) == [
                "root-cert.pem",
                "seal-cert.pem",
                "seal-key.pem",
            ], name


def test_seal_records_the_reason_and_the_platform_location(keys):
    (seal,) = _seals(sealing.seal_pdf(_render(), reason="火化证明"))
    assert seal.field_name == sealing.SEAL_FIELD
    assert (seal.sig_object["/Reason"], seal.sig_object["/Location"]) == ("火化证明", "北京")
    (seal,) = _seals(sealing.seal_pdf(_render(), reason="殡葬服务合同", location="北京市朝阳区"))
    assert (seal.sig_object["/Reason"], seal.sig_object["/Location"]) == ("殡葬服务合同", "北京市朝阳区")


def test_seal_is_a_pades_signature_over_sha256(keys):
    (seal,) = _seals(sealing.seal_pdf(_render(), reason="火化证明"))
    assert seal.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert seal.md_algorithm == "sha256"


def test_seal_carries_its_chain_up_to_the_platform_root(keys):
    (seal,) = _seals(sealing.seal_pdf(_render(), reason="火化证明"))
    root = x509.load_pem_x509_certificate(sealing.root_certificate_pem())
    embedded = [certificate.dump() for certificate in seal.other_embedded_certs]
    assert root.public_bytes(serialization.Encoding.DER) in embedded
    assert seal.signer_cert.subject.native["common_name"] == f"{sealing.SEAL_ORGANISATION} 电子印章"


def test_a_file_that_is_not_a_sealed_pdf_is_reported_as_not_sealed(keys):
    for data in (b"not a pdf at all", _render(), b""):
        check = sealing.verify_pdf(data)
        assert check == sealing.SealCheck(sealed=False, intact=False, trusted=False, signer="")
        assert check.sealed is False and check.ok is False


def test_a_seal_without_its_signer_certificate_is_reported_as_a_failed_seal(keys):
    """A seal field whose signature can't be checked at all (here: the signer's certificate was
    stripped from it) is a seal that failed, not a file without a seal: the page then says
    电子印章校验失败, not 未发现平台电子印章."""
    import binascii

    from asn1crypto import cms

    sealed = sealing.seal_pdf(_render(), reason="火化证明")
    start = sealed.index(b"/Contents <") + len(b"/Contents <")
    end = sealed.index(b">", start)
    content = cms.ContentInfo.load(binascii.unhexlify(sealed[start:end]))
    content["content"]["certificates"] = None
    stripped = binascii.hexlify(content.dump(force=True)).ljust(end - start, b"0")
    check = sealing.verify_pdf(sealed[:start] + stripped + sealed[end:])
    assert check == sealing.SealCheck(sealed=True, intact=False, trusted=False, signer="")


def test_content_added_after_the_seal_is_reported_as_not_intact(keys):
    """An incremental update appended after sealing leaves the signed bytes untouched, but the
    seal no longer covers the whole file: what a reader sees may differ from what was sealed."""
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    sealed = sealing.seal_pdf(_render(), reason="火化证明")
    writer = IncrementalPdfFileWriter(BytesIO(sealed))
    writer.root["/Extra"] = generic.pdf_string("加在盖章之后")
    writer.update_root()
    output = BytesIO()
    writer.write(output)
    check = sealing.verify_pdf(output.getvalue())
    assert check.sealed and check.trusted
    assert not check.intact and not check.ok


def test_verification_never_fetches_revocation_data(keys):
    """verify_pdf works offline: even a seal certificate that names a CRL (as a commercial CA's
    does) makes no request. A local server counts the requests that reach it."""
    import http.server
    import threading

    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _pki(keys, crl_url=f"http://127.0.0.1:{server.server_port}/seal.crl")
        check = sealing.verify_pdf(sealing.seal_pdf(_render(), reason="火化证明"))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert requests == []
    assert check.ok


# --- Detached signatures (the published price-chain heads) --------------------------------------


def test_a_detached_signature_verifies_only_for_the_signed_bytes(keys):
    signature = sealing.sign_detached(b'{"head": "abc"}')
    assert sealing.verify_detached(b'{"head": "abc"}', signature) is True
    assert sealing.verify_detached(b'{"head": "abd"}', signature) is False
    assert sealing.verify_detached(b'{"head": "abc"}', signature[:-1] + bytes([signature[-1] ^ 1])) is False
    assert sealing.verify_detached(b'{"head": "abc"}', b"") is False


def test_a_record_signed_before_the_seal_was_renewed_verifies_with_the_certificate_kept_with_it(keys):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    (old_key, old_certificate), _current = _pki(keys, seals=2)
    signature = old_key.sign(b"2026 head", padding.PKCS1v15(), hashes.SHA256())
    kept = old_certificate.public_bytes(serialization.Encoding.PEM)
    assert sealing.verify_detached(b"2026 head", signature, kept) is True
    assert sealing.verify_detached(b"2026 head", signature) is False  # not the current seal's
    assert sealing.verify_detached(b"2026 head", sealing.sign_detached(b"2026 head")) is True


def test_a_detached_signature_by_a_certificate_the_root_never_issued_is_refused(keys, tmp_path):
    with override_settings(PLATFORM_KEYS_DIR=tmp_path / "foreign"):
        signature = sealing.sign_detached(b"record")
        foreign = sealing.seal_certificate_pem()
        assert sealing.verify_detached(b"record", signature, foreign) is True  # within its own PKI
    assert sealing.verify_detached(b"record", signature, foreign) is False
    assert sealing.verify_detached(b"record", signature) is False
