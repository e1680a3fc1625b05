"""Uploaded documents are judged by what they contain, not by what they are called.

A file is accepted only when its bytes are the kind its name claims: a ``.pdf`` must open
as a PDF with at least one page, a ``.jpg``/``.jpeg`` must start with the JPEG signature
and a ``.png`` with the PNG one. An executable or an HTML page renamed ``.pdf`` is refused,
so nothing the platform later serves from its storage can be a script in disguise.

One checker serves every app: annual-report attachments (``orgs.reports``), credit
evidence (through the reports checker) and the charity uploads — spending vouchers,
progress-report attachments and C1 articles. The charity checks sit on the model fields
(``ContentValidator`` is deconstructible), so the workbench forms, the Wagtail admin and a
shell ``full_clean()`` all refuse the same files."""

import io
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db.models.fields.files import FieldFile
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCUMENTS = (PDF, JPEG, PNG)
PDF_ONLY = (PDF,)

PDF_MAGIC = b"%PDF-"
IMAGE_MAGIC = {b"\xff\xd8\xff": JPEG, b"\x89PNG\r\n\x1a\n": PNG}
SUFFIXES = {PDF: {".pdf"}, JPEG: {".jpg", ".jpeg"}, PNG: {".png"}}


def is_real_pdf(data):
    """Starts with the PDF signature and opens with at least one page."""
    if not data.startswith(PDF_MAGIC):
        return False
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(io.BytesIO(data)).pages) > 0
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return False


def _bad_type(allowed):
    if tuple(allowed) == PDF_ONLY:
        return ValidationError(_("只接受 PDF 文件（.pdf），且内容须为有效的 PDF。"), code="bad_type")
    return ValidationError(_("只接受 PDF、JPG 或 PNG 文件，且文件内容须与扩展名一致。"), code="bad_type")


def content_type(name, data, allowed=DOCUMENTS):
    """The content type of ``data`` if it is one of ``allowed`` and matches the name's
    extension; otherwise raise ValidationError (code ``fake_pdf`` or ``bad_type``)."""
    suffix = PurePath(name or "").suffix.lower()
    if PDF in allowed and suffix == ".pdf":
        if not is_real_pdf(data):
            raise ValidationError(_("该文件扩展名为 .pdf，但内容不是有效的 PDF 文件。"), code="fake_pdf")
        return PDF
    for magic, kind in IMAGE_MAGIC.items():
        if kind in allowed and data.startswith(magic) and suffix in SUFFIXES[kind]:
            return kind
    raise _bad_type(allowed)


def read_upload(uploaded, max_bytes):
    """The uploaded bytes, refusing a file over ``max_bytes`` (before and after reading)
    and an empty one."""
    if uploaded.size is not None and uploaded.size > max_bytes:
        raise ValidationError(
            _("文件大小为 %(size)s MB，超过 %(limit)s MB 的上限。")
            % {"size": f"{uploaded.size / 1048576:.1f}", "limit": f"{max_bytes / 1048576:.0f}"},
            code="too_large",
        )
    uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_("文件超过大小上限。"), code="too_large")
    if not data:
        raise ValidationError(_("文件为空。"), code="empty")
    return data


def check_upload(uploaded, *, allowed=DOCUMENTS, max_bytes):
    """Return (content type, bytes) of an acceptable upload or raise ValidationError."""
    data = read_upload(uploaded, max_bytes)
    return content_type(uploaded.name, data, allowed), data


def _pending_file(value):
    """The not-yet-stored file behind ``value``, or None for a file already stored.

    A form field hands the validator the upload itself; a model field (``full_clean``) hands
    it a ``FieldFile`` that wraps the upload until the row is saved."""
    if isinstance(value, FieldFile):
        return value.file if value and not value._committed else None
    if isinstance(value, File):
        return value
    return None


@deconstructible
class ContentValidator:
    """A form- or model-field validator: the file must be one of ``allowed`` by content, and at
    most ``settings.<max_bytes_setting>`` bytes. Files already stored (a form's initial value,
    a saved row) are not re-read. The upload is rewound for whoever saves it next."""

    def __init__(self, allowed=DOCUMENTS, max_bytes_setting="CHARITY_ATTACHMENT_MAX_BYTES"):
        self.allowed = tuple(allowed)
        self.max_bytes_setting = max_bytes_setting

    def __call__(self, value):
        pending = _pending_file(value)
        if pending is None:
            return
        try:
            check_upload(pending, allowed=self.allowed, max_bytes=getattr(settings, self.max_bytes_setting))
        finally:
            pending.seek(0)

    def __eq__(self, other):
        return (
            isinstance(other, ContentValidator)
            and self.allowed == other.allowed
            and self.max_bytes_setting == other.max_bytes_setting
        )
