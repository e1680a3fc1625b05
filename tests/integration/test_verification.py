"""Sealed documents and the public verification page (shared by contracts, certificates,
credit reports and receipts)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from core import pdf as platform_pdf
from core import sealing
from core.models import VerifiableDocument
from core.verification import issue_document, mask_name, normalise_code
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def render(code, url):
    from io import BytesIO

    buffer = BytesIO()
    canvas = platform_pdf.canvas(buffer)
    canvas.setFont(platform_pdf.cjk_font_name(), 14)
    canvas.drawString(72, 760, "火化证明 逝者：王丽")
    canvas.drawString(72, 740, f"核验码 {code} {url}")
    canvas.save()
    return buffer.getvalue()


@pytest.fixture
def document():
    source = UserFactory()
    return issue_document(
        source=source,
        kind=VerifiableDocument.Kind.CREMATION_CERTIFICATE,
        title="火化证明",
        issuer_name="示例殡仪馆",
        holder_name="王丽",
        render=render,
        reason="火化证明",
    )


def sealed_bytes(document):
    with document.file.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize(
    ("name", "masked"), [("王丽", "王*"), ("张小三", "张*三"), ("欧阳娜娜", "欧**娜"), ("李", "*")]
)
def test_m2_names_are_masked(name, masked):
    assert mask_name(name) == masked


def test_codes_are_normalised_for_typing():
    assert normalise_code("abcd efgh-jkmn pqrs") == "ABCD-EFGH-JKMN-PQRS"
    assert normalise_code("0o1i") == "0011"


def test_issued_pdf_is_sealed_and_keeps_its_text_and_embedded_font(document):
    data = sealed_bytes(document)
    assert sealing.sha256(data) == document.sha256
    check = sealing.verify_pdf(data)
    assert check.ok and "电子印章" in check.signer
    text = PdfReader(__import__("io").BytesIO(data)).pages[0].extract_text()
    assert "王丽" in text and document.code in text
    fonts = PdfReader(__import__("io").BytesIO(data)).pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]


def test_m2_public_page_shows_masked_name_and_hash(client, document):
    html = client.get(f"/verify/{document.code}/").content.decode()
    assert "王*" in html and "王丽" not in html
    assert document.sha256 in html and "示例殡仪馆" in html and "火化证明" in html


def test_lowercase_code_redirects_to_the_canonical_page(client, document):
    response = client.get(f"/verify/{document.code.lower()}/")
    assert response.status_code == 302 and response["Location"].endswith(f"/verify/{document.code}/")
    assert client.get("/verify/", {"code": document.code.replace("-", " ")}).status_code == 302


def test_unknown_code_is_404(client):
    assert client.get("/verify/AAAA-BBBB-CCCC-DDDD/").status_code == 404


def test_upload_of_the_sealed_file_is_genuine(client, document):
    upload = SimpleUploadedFile("doc.pdf", sealed_bytes(document), content_type="application/pdf")
    html = client.post(f"/verify/{document.code}/", {"file": upload}).content.decode()
    assert "文件真实" in html


def test_one_changed_byte_does_not_match(client, document):
    data = bytearray(sealed_bytes(document))
    data[len(data) // 2] ^= 0x01
    upload = SimpleUploadedFile("doc.pdf", bytes(data), content_type="application/pdf")
    html = client.post(f"/verify/{document.code}/", {"file": upload}).content.decode()
    assert "不一致" in html and "文件真实" not in html


def test_an_unsealed_copy_with_the_same_text_does_not_match(client, document):
    upload = SimpleUploadedFile("doc.pdf", render(document.code, ""), content_type="application/pdf")
    html = client.post(f"/verify/{document.code}/", {"file": upload}).content.decode()
    assert "未发现平台电子印章" in html


def test_issued_documents_cannot_be_rewritten_or_deleted(document):
    document.holder_name_masked = "李*"
    with pytest.raises(ValidationError):
        document.save()
    document.refresh_from_db()
    document.status = VerifiableDocument.Status.REVOKED
    document.status_reason = "出具错误"
    document.save()
    with pytest.raises(ValidationError):
        document.delete()


def test_sealing_and_verifying_work_inside_a_running_event_loop(document):
    """Playwright's sync API and ASGI workers run an event loop in the calling thread."""
    import asyncio

    data = sealed_bytes(document)

    async def inside_loop():
        resealed = sealing.seal_pdf(render("TEST", ""), reason="测试")
        return sealing.verify_pdf(data), sealing.verify_pdf(resealed)

    original, resealed = asyncio.run(inside_loop())
    assert original.ok and resealed.ok
