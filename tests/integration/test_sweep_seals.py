"""The seal check (issue 24, point 3): a PDF sealed by a signer the platform root never
issued, and a sealed PDF with one byte changed, are each refused — by
``core.sealing.verify_pdf`` and by the public verification page (/verify/<code>/).

The page calls a file genuine only when it is byte-identical to the archived one AND its seal
validates. To test the seal half on its own, a document is recorded whose archived bytes are
the foreign-sealed (or altered) file itself: the upload is then identical, and only the seal
check can refuse it.
"""

from io import BytesIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from core import pdf as platform_pdf
from core import sealing
from core.models import VerifiableDocument
from core.verification import issue_document, new_code
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

SEAL_FAILED = "电子印章校验失败"
GENUINE = "文件真实"
ARCHIVE_ALTERED = "本文件与平台签发时不一致"


def render(code="", url=""):
    buffer = BytesIO()
    canvas = platform_pdf.canvas(buffer)
    canvas.setFont(platform_pdf.cjk_font_name(), 14)
    canvas.drawString(72, 760, "火化证明 逝者：王丽")
    canvas.drawString(72, 740, f"核验码 {code} {url}")
    canvas.save()
    return buffer.getvalue()


@pytest.fixture
def foreign_sealed(tmp_path):
    """A PDF sealed by a second root and seal certificate, made exactly the way the platform
    makes its own (``core.sealing.create_seal_keys``), in a keys directory of its own."""
    with override_settings(PLATFORM_KEYS_DIR=tmp_path / "foreign-keys"):
        sealing.create_seal_keys()
        data = sealing.seal_pdf(render(), reason="伪造的火化证明")
    assert (tmp_path / "foreign-keys" / "seal" / "seal-key.pem").exists()
    return data


def one_byte_changed(data):
    """The sealed file with one byte inside the signed range changed (the PDF still parses)."""
    data = bytearray(data)
    at = bytes(data).find(b"ReportLab")
    assert at > 0, "the test PDF carries reportlab's header comment"
    data[at] = ord("r")
    return bytes(data)


def platform_sealed():
    return sealing.seal_pdf(render(), reason="火化证明")


def record(data):
    """A verifiable document whose archived file is exactly ``data``."""
    source = UserFactory()
    document = VerifiableDocument(
        code=new_code(),
        kind=VerifiableDocument.Kind.CREMATION_CERTIFICATE,
        title="火化证明",
        issuer_name="示例殡仪馆",
        holder_name_masked="王*",
        issued_at=timezone.now(),
        sha256=sealing.sha256(data),
        content_type=ContentType.objects.get_for_model(source),
        object_id=str(source.pk),
    )
    document.file.save(f"{document.code}.pdf", ContentFile(data), save=False)
    document.save()
    return document


def upload_page(client, document, data):
    upload = SimpleUploadedFile("doc.pdf", data, content_type="application/pdf")
    return client.post(f"/verify/{document.code}/", {"file": upload})


# --- core.sealing.verify_pdf -----------------------------------------------------------------------


def test_platform_seal_is_intact_and_trusted():
    check = sealing.verify_pdf(platform_sealed())
    assert (check.sealed, check.intact, check.trusted, check.ok) == (True, True, True, True)


@pytest.fixture
def platform_root():
    """The platform's own root certificate, made here if no earlier test or session set-up has
    (as ``manage.py init_platform_keys`` does on a server): the check reads it as its trust anchor."""
    sealing.create_seal_keys()
    return sealing.root_certificate_pem()


def test_a_seal_by_a_foreign_signer_is_not_trusted(platform_root, foreign_sealed):
    check = sealing.verify_pdf(foreign_sealed)
    assert check.sealed and check.intact  # the bytes are as the foreign signer sealed them
    assert not check.trusted and not check.ok  # but its root is not the platform's
    assert sealing.root_certificate_pem() == platform_root


def test_a_byte_changed_after_sealing_breaks_the_seal():
    check = sealing.verify_pdf(one_byte_changed(platform_sealed()))
    assert check.sealed and not check.intact and not check.ok


# --- The verification page ---------------------------------------------------------------------


def test_verify_page_refuses_a_foreign_seal_even_when_the_bytes_match(client, foreign_sealed):
    document = record(foreign_sealed)
    html = upload_page(client, document, foreign_sealed).content.decode()
    assert "文件内容与存档一致" in html  # identical bytes: only the seal check can refuse it
    assert SEAL_FAILED in html and GENUINE not in html and "电子印章有效" not in html


def test_verify_page_refuses_a_broken_seal_even_when_the_bytes_match(client):
    altered = one_byte_changed(platform_sealed())
    document = record(altered)
    html = upload_page(client, document, altered).content.decode()
    assert "文件内容与存档一致" in html
    assert SEAL_FAILED in html and GENUINE not in html and "电子印章有效" not in html


def test_verify_page_never_calls_an_altered_archive_valid(client):
    """The archived file of a real document gets one byte changed at rest: the page must not
    say 有效 about it, and an upload of the altered bytes is not genuine either."""
    document = issue_document(
        source=UserFactory(),
        kind=VerifiableDocument.Kind.CREMATION_CERTIFICATE,
        title="火化证明",
        issuer_name="示例殡仪馆",
        holder_name="王丽",
        render=render,
        reason="火化证明",
    )
    with document.file.open("rb") as handle:
        altered = one_byte_changed(handle.read())
    with document.file.storage.open(document.file.name, "wb") as handle:
        handle.write(altered)
    page = client.get(f"/verify/{document.code}/").content.decode()
    assert ARCHIVE_ALTERED in page or SEAL_FAILED in page
    assert "badge-ok" not in page  # the 有效 status badge
    html = upload_page(client, document, altered).content.decode()
    assert GENUINE not in html and "电子印章有效" not in html
    assert ARCHIVE_ALTERED in html or SEAL_FAILED in html
