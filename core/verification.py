"""Issue sealed, verifiable documents and check uploads against them."""

import datetime
import logging
import secrets
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import sealing
from .models import EarlyWarning, SecurityEvent, VerifiableDocument

security_log = logging.getLogger("security")

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


def issue_document(
    *, source, kind, title, issuer_name, holder_name, render, reason, base_url="", holder_is_person=True
):
    """Render, seal and register a document.

    A person's name is shown masked on the public verification page; an organisation's
    name (``holder_is_person=False``) is public registry data and is shown whole.

    ``render(code, url)`` returns the unsealed PDF bytes; it receives the
    verification code and the absolute verification URL for the QR code.
    """
    with transaction.atomic():
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


def revoke(document, reason):
    """Mark an issued document revoked (作废), with its reason, on ``/verify/<code>/``.

    Only the status columns change; the sealed bytes and the facts stay as issued
    (``VerifiableDocument.mutable_columns``)."""
    document.status = VerifiableDocument.Status.REVOKED
    document.status_reason = str(reason)[: VerifiableDocument._meta.get_field("status_reason").max_length]
    document.save(update_fields=["status", "status_reason"])
    return document


def supersede(document, replacement, reason):
    """Mark ``document`` superseded (已被替换) by ``replacement``, with its reason: its
    verification page then names the replacement. Only the status columns change."""
    document.status = VerifiableDocument.Status.SUPERSEDED
    document.status_reason = str(reason)[: VerifiableDocument._meta.get_field("status_reason").max_length]
    document.superseded_by = replacement
    document.save(update_fields=["status", "status_reason", "superseded_by"])
    return document


def current_version(document, limit=100):
    """The document that now stands in for ``document``: the end of its ``superseded_by`` chain
    (``document`` itself when nothing replaced it). One query per replacement, at most ``limit``."""
    seen = {document.pk}
    while document.superseded_by_id is not None and len(seen) <= limit:
        document = document.superseded_by
        if document.pk in seen:
            break
        seen.add(document.pk)
    return document


# --- What a document's source says about it now (a pass used at the gate, …) ------------------
# An app whose documents have a life after issue registers ``func(document)`` for its kind; it
# returns a ``DocumentState`` (or None) that ``/verify/<code>/`` shows beside the status.


@dataclass(frozen=True)
class DocumentState:
    label: str
    ok: bool
    note: str = ""


_state_sources = {}


def register_state_source(kind, func):
    _state_sources[kind] = func


def current_state(document):
    func = _state_sources.get(document.kind)
    return func(document) if func is not None else None


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


# --- Integrity of stored files: checked every time a file is served ----------------------------
# A sealed document is registered with the SHA-256 of its exact bytes. Whoever can write to the
# file store could swap or alter the file; so every download and every verification page reads
# the stored bytes, hashes them and compares. A mismatch (or a missing file) is never served: it
# answers 409 with an explanation, is recorded as a SecurityEvent, logged to the ``security``
# logger and raised at once as an early warning to the bureau.

INTEGRITY_WARNING_KIND = "core.document_integrity"


class DocumentIntegrityError(Exception):
    """The stored file is missing or its bytes differ from the hash recorded when it was issued."""

    def __init__(self, subject, *, missing, expected, actual="", file_field="file", sha_field="sha256"):
        self.subject = subject
        self.missing = missing
        self.expected = expected
        self.actual = actual
        self.file_field = file_field
        self.sha_field = sha_field
        super().__init__(f"{subject!r}: {'missing' if missing else 'sha256 mismatch'}")


def _read(field_file):
    with field_file.open("rb") as handle:
        return handle.read()


def read_verified(subject, *, file_field="file", sha_field="sha256"):
    """The stored bytes of ``subject.<file_field>``, only if their SHA-256 is ``subject.<sha_field>``.

    Raises ``DocumentIntegrityError`` otherwise. The bytes returned are the bytes checked, so
    what is served can't change between the check and the response."""
    expected = getattr(subject, sha_field)
    field_file = getattr(subject, file_field)
    try:
        if not field_file:
            raise FileNotFoundError(file_field)
        data = _read(field_file)
    except OSError as exc:
        raise DocumentIntegrityError(
            subject, missing=True, expected=expected, file_field=file_field, sha_field=sha_field
        ) from exc
    actual = sealing.sha256(data)
    if actual != expected:
        raise DocumentIntegrityError(
            subject,
            missing=False,
            expected=expected,
            actual=actual,
            file_field=file_field,
            sha_field=sha_field,
        )
    return data


def open_verified(document):
    """The bytes of a ``VerifiableDocument``'s stored file, checked against its recorded hash."""
    return read_verified(document)


def stored_file_intact(subject, *, file_field="file", sha_field="sha256"):
    try:
        read_verified(subject, file_field=file_field, sha_field=sha_field)
    except DocumentIntegrityError:
        return False
    return True


def record_integrity_failure(error, request=None):
    """Record, log and raise as an early warning a stored file that failed its check."""
    subject = error.subject
    kind = SecurityEvent.Kind.DOCUMENT_MISSING if error.missing else SecurityEvent.Kind.DOCUMENT_ALTERED
    label = str(subject)[:200]
    details = {
        "file_field": error.file_field,
        "sha_field": error.sha_field,
        "expected_sha256": error.expected,
        "actual_sha256": error.actual,
        "file_name": getattr(getattr(subject, error.file_field), "name", "") or "",
    }
    if isinstance(subject, VerifiableDocument):
        details["code"] = subject.code
    user = getattr(request, "user", None)
    content_type = ContentType.objects.get_for_model(subject)
    with transaction.atomic():
        # One row per distinct state of the file (the same altered bytes seen again on every
        # page view are logged, not stored again).
        event = SecurityEvent.objects.filter(
            kind=kind,
            content_type=content_type,
            object_id=str(subject.pk),
            details__actual_sha256=error.actual,
            details__file_field=error.file_field,
        ).first()
        if event is None:
            event = _new_integrity_event(kind, content_type, subject, label, details, request, user, error)
    security_log.error(
        "stored document failed its integrity check",
        extra={
            "event": kind,
            "security_event_id": event.pk,
            "subject_type": content_type.model,
            "subject_id": str(subject.pk),
            "subject": label,
            "path": request.path if request is not None else "",
            "user_id": str(user.pk) if user is not None and user.is_authenticated else "",
            **details,
        },
    )
    return event


def _new_integrity_event(kind, content_type, subject, label, details, request, user, error):
    event = SecurityEvent.objects.create(
        kind=kind,
        occurred_at=timezone.now(),
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        subject_label=label,
        summary=("存档文件缺失，无法核对" if error.missing else "存档文件与签发时记录的 SHA-256 不一致"),
        details=details,
        path=(request.path[:300] if request is not None else ""),
        user_id_seen=str(user.pk) if user is not None and user.is_authenticated else "",
    )
    # The bureau sees the warning now, not after the next daily run.
    EarlyWarning.objects.refresh(kinds=[INTEGRITY_WARNING_KIND])
    return event


def integrity_failure_response(request, error, *, status=409):
    """The page shown instead of a file that no longer matches what the platform issued.

    409 Conflict: the stored file conflicts with the platform's own record of it. It is not
    410 Gone: nothing was withdrawn on purpose, and the file answers again once restored."""
    document = error.subject if isinstance(error.subject, VerifiableDocument) else None
    return render(
        request,
        "core/document_integrity_failed.html",
        {"document": document, "missing": error.missing, "breadcrumbs": [(_("文书核验"), None)]},
        status=status,
    )


def serve_verified(request, subject, filename=None, *, file_field="file", sha_field="sha256", inline=False):
    """Serve a stored file only if its bytes still match the recorded SHA-256.

    ``subject`` is a ``VerifiableDocument`` (defaults) or any record with a file field and its
    hash (for example a contract's draft: ``file_field="draft_file", sha_field="draft_sha256"``).
    A mismatch is recorded and answered with ``integrity_failure_response``."""
    try:
        data = read_verified(subject, file_field=file_field, sha_field=sha_field)
    except DocumentIntegrityError as error:
        record_integrity_failure(error, request)
        return integrity_failure_response(request, error)
    if filename is None and isinstance(subject, VerifiableDocument):
        filename = f"{subject.get_kind_display()}-{subject.code}.pdf"
    return FileResponse(
        BytesIO(data),
        as_attachment=not inline,
        filename=filename or "document.pdf",
        content_type="application/pdf",
    )


def file_response(document, filename=None):
    """Deprecated: use ``serve_verified(request, document, filename)``, which can answer a
    mismatch with a page. This one still refuses to serve altered bytes (it raises)."""
    return FileResponse(
        BytesIO(open_verified(document)),
        as_attachment=True,
        filename=filename or f"{document.get_kind_display()}-{document.code}.pdf",
        content_type="application/pdf",
    )


def integrity_warnings(today):
    """Warning source: every stored file with a recorded integrity failure that still fails.

    Restoring the original file (from backup) clears the warning at the next refresh."""
    from .warnings import WarningSpec

    events = (
        SecurityEvent.objects.filter(
            kind__in=[SecurityEvent.Kind.DOCUMENT_ALTERED, SecurityEvent.Kind.DOCUMENT_MISSING]
        )
        .select_related("content_type")
        .order_by("occurred_at", "pk")
    )
    first_seen = {}
    for event in events:
        first_seen.setdefault((event.content_type_id, event.object_id), event)
    for event in first_seen.values():
        model = event.content_type.model_class()
        subject = model._default_manager.filter(pk=event.object_id).first() if model else None
        if subject is None:
            continue
        file_field = event.details.get("file_field", "file")
        sha_field = event.details.get("sha_field", "sha256")
        if stored_file_intact(subject, file_field=file_field, sha_field=sha_field):
            continue
        detected = timezone.localdate(event.occurred_at)
        yield WarningSpec(
            subject=subject,
            detail_key=file_field,
            subject_label=event.subject_label,
            reason=_("存档文件与平台签发时不一致（%(since)s 起发现）：下载和核验已停止提供该文件。")
            % {"since": detected.isoformat()},
            deadline=detected + datetime.timedelta(days=settings.DOCUMENT_INTEGRITY_WARNING_DAYS),
            how_to_clear=_("查明改动来源，从备份恢复签发时的原始文件；文件哈希与登记值一致后预警自动解除。"),
            link=(
                reverse("verify:detail", kwargs={"code": subject.code})
                if isinstance(subject, VerifiableDocument)
                else ""
            ),
        )


INTEGRITY_WARNING_LABEL = gettext_lazy("存档文件被改动")
