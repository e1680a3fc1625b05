"""Uploading and withdrawing a report's attachments while the report is editable.

Setting: ``REPORT_ATTACHMENT_MAX_BYTES``; the content sniffing is ``core.uploads``."""

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core import uploads

from ..models import AnnualReport, AttachmentKind, ImmutableRecord, ReportAttachment


def check_upload(kind, uploaded):
    """Return (content_type, bytes) or raise ValidationError naming the problem.

    The content sniffing is shared (``core.uploads``); the audit report must be a PDF."""
    data = uploads.read_upload(uploaded, settings.REPORT_ATTACHMENT_MAX_BYTES)
    if kind == AttachmentKind.AUDIT_REPORT:
        if PurePath(uploaded.name or "").suffix.lower() != ".pdf":
            raise ValidationError(_("审计报告须为 PDF 文件（.pdf）。"), code="not_pdf")
        return uploads.content_type(uploaded.name, data, uploads.PDF_ONLY), data
    return uploads.content_type(uploaded.name, data, uploads.DOCUMENTS), data


def add_attachment(report, kind, uploaded, *, user):
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if not report.is_editable:
            raise ImmutableRecord(_("报告已提交，不能再更换附件。"))
        content_type, data = check_upload(kind, uploaded)
        digest = hashlib.sha256(data).hexdigest()
        if kind != AttachmentKind.OTHER:
            report.attachments.filter(kind=kind, superseded=False).update(superseded=True)
        attachment = ReportAttachment(
            report=report,
            kind=kind,
            original_name=PurePath(uploaded.name).name[:200],
            content_type=content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=user,
        )
        attachment.file.save(f"{kind}.bin", ContentFile(data), save=False)
        attachment.save()
        log(
            report,
            "reports.attachment_added",
            user=user,
            data={"kind": kind, "sha256": digest, "name": attachment.original_name},
        )
        return attachment


def withdraw_attachment(attachment, *, user):
    """Remove an attachment from an editable report (the file itself is kept)."""
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().get(pk=attachment.report_id)
        if not report.is_editable:
            raise ImmutableRecord(_("报告已提交，不能再更换附件。"))
        ReportAttachment.objects.filter(pk=attachment.pk).update(superseded=True)
        log(
            report,
            "reports.attachment_withdrawn",
            user=user,
            data={"kind": attachment.kind, "sha256": attachment.sha256},
        )
