"""Issue sealed, verifiable documents and check uploads against them."""

import secrets
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone

from . import sealing
from .models import VerifiableDocument

# Crockford-style alphabet: no I, L, O, U, so codes read aloud and typed without mistakes.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code():
    """A 16-character code in groups of four (80 bits of randomness)."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
        code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        if not VerifiableDocument.objects.filter(code=code).exists():
            return code


def normalise_code(value):
    cleaned = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def mask_name(name):
    """王丽 → 王*, 张小三 → 张*三, 欧阳娜娜 → 欧**娜."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def verify_url(code, request=None):
    path = reverse("verify:detail", kwargs={"code": code})
    return request.build_absolute_uri(path) if request is not None else path


@transaction.atomic
def issue_document(
    *, source, kind, title, issuer_name, holder_name, render, reason, base_url="", holder_is_person=True
):
    """Render, seal and register a document.

    A person's name is shown masked on the public verification page; an organisation's
    name (``holder_is_person=False``) is public registry data and is shown whole.

    ``render(code, url)`` returns the unsealed PDF bytes; it receives the
    verification code and the absolute verification URL for the QR code.
    """
    code = new_code()
    pdf = render(code, f"{base_url}{verify_url(code)}")
    sealed = sealing.seal_pdf(pdf, reason=reason)
    document = VerifiableDocument(
        code=code,
        kind=kind,
        title=title,
        issuer_name=issuer_name,
        holder_name_masked=mask_name(holder_name) if holder_is_person else holder_name,
        issued_at=timezone.now(),
        sha256=sealing.sha256(sealed),
        content_type=ContentType.objects.get_for_model(source),
        object_id=str(source.pk),
    )
    document.file.save(f"{code}.pdf", ContentFile(sealed), save=False)
    document.save()
    return document


def documents_for(source):
    return VerifiableDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(source), object_id=str(source.pk)
    )


@dataclass(frozen=True)
class UploadCheck:
    identical: bool
    seal: sealing.SealCheck

    @property
    def genuine(self):
        return self.identical and self.seal.ok


def check_upload(document, data: bytes) -> UploadCheck:
    """Genuine only if byte-identical to the sealed original AND the seal validates."""
    return UploadCheck(identical=sealing.sha256(data) == document.sha256, seal=sealing.verify_pdf(data))


def file_response(document, filename=None):
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=filename or f"{document.get_kind_display()}-{document.code}.pdf",
        content_type="application/pdf",
    )
