"""core/sealing.py: the seal certificates `create_seal_keys` issues, checked field by field.

Mutation testing (docs/testing.md, "Mutation score") found that nothing looked inside the
certificates: the suite makes the keys once per run and only checks that seals verify. These
tests make a fresh pair in a keys directory of their own and read them back with
`cryptography`, as a relying party would."""

import datetime

import pytest
from cryptography import x509
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
