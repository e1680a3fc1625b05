"""Files that organisations and bureau staff upload are checked against their hash when served.

A sealed document's SHA-256 is recorded when the platform issues it (``core.verification``);
an uploaded file's (credit-record attachment, objection evidence, charity vouchers,
progress-report attachments, C1 articles) is recorded when the record is saved. Both are
served through the same check, ``core.verification.read_verified``: the stored bytes are read
once, hashed and served only if they still match; otherwise the download answers 409 with an
explanation, a ``SecurityEvent`` is recorded, the ``security`` logger is told and the
``core.document_integrity`` early warning is raised (``record_integrity_failure``).

A model opts in with ``HashedFilesMixin`` and ``hashed_files = {"file field": "hash field"}``."""

import hashlib
from io import BytesIO
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import uploads
from .verification import DocumentIntegrityError, read_verified, record_integrity_failure

CHUNK = 64 * 1024


def sha256_of(file):
    """The SHA-256 (hex) of a ``File``'s whole content, read in chunks and rewound."""
    digest = hashlib.sha256()
    for chunk in file.chunks(CHUNK):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def sha256_of_stored(storage, name):
    """The SHA-256 of a stored file, or ``""`` if it is not there."""
    try:
        with storage.open(name, "rb") as handle:
            return sha256_of(handle)
    except OSError:
        return ""


def stamp_hash(instance, file_field, sha_field):
    """Record the SHA-256 of ``instance.<file_field>``: for a new upload (not yet stored) from
    its bytes, for a stored file without a recorded hash from the store. A stored file that
    already has a hash keeps it: re-hashing it would accept whatever is on disk now."""
    field_file = getattr(instance, file_field)
    if not field_file:
        setattr(instance, sha_field, "")
        return
    if not field_file._committed:
        setattr(instance, sha_field, sha256_of(field_file.file))
    elif not getattr(instance, sha_field):
        setattr(instance, sha_field, sha256_of_stored(field_file.storage, field_file.name))


class HashedFilesMixin:
    """Stamps each ``hashed_files`` hash before the row is saved (put it before the model base)."""

    hashed_files = {}

    def save(self, *args, **kwargs):
        for file_field, sha_field in self.hashed_files.items():
            stamp_hash(self, file_field, sha_field)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            touched = set(update_fields)
            kwargs["update_fields"] = [
                *update_fields,
                *(sha for field, sha in self.hashed_files.items() if field in touched and sha not in touched),
            ]
        super().save(*args, **kwargs)


def hash_existing(model, file_field, sha_field):
    """Data-migration helper: record the hash of every stored file that has none yet.

    Uses the model's plain base manager (historical models in a migration have no custom
    save). Returns how many rows were hashed; a row whose file is missing keeps ``""`` and is
    answered as missing when requested."""
    hashed = 0
    rows = model._base_manager.exclude(**{file_field: ""}).filter(**{sha_field: ""})
    for pk, name in rows.values_list("pk", file_field):
        storage = model._meta.get_field(file_field).storage
        digest = sha256_of_stored(storage, name)
        if digest:
            model._base_manager.filter(pk=pk).update(**{sha_field: digest})
            hashed += 1
    return hashed


def _content_type(filename, data, allowed):
    try:
        return uploads.content_type(filename, data, allowed)
    except ValidationError:
        return None


def serve_stored_file(
    request, subject, *, file_field, sha_field, filename=None, allowed=uploads.DOCUMENTS, public=False
):
    """Serve ``subject.<file_field>`` only if its bytes still have the SHA-256 recorded in
    ``subject.<sha_field>``; otherwise record the failure and answer 409 with an explanation.

    The checked bytes are served with the content type they really are (PDF, JPEG, PNG);
    anything else (a file stored before content checks) as ``application/octet-stream``.
    ``public`` files of a checked type open in the browser (``inline``) and may be cached but
    must be revalidated, so every download goes through this check; private ones are always
    a download (``attachment``) and never cached."""
    try:
        data = read_verified(subject, file_field=file_field, sha_field=sha_field)
    except DocumentIntegrityError as error:
        record_integrity_failure(error, request)
        return render(
            request,
            "core/stored_file_integrity_failed.html",
            {"missing": error.missing, "subject": subject, "breadcrumbs": [(_("文件下载"), None)]},
            status=409,
        )
    filename = filename or PurePath(getattr(subject, file_field).name).name
    kind = _content_type(filename, data, allowed)
    response = FileResponse(
        BytesIO(data),
        as_attachment=kind is None or not public,
        filename=filename,
        content_type=kind or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, no-cache" if public else "private, no-store"
    return response
