"""Submitting a report (S2, S3): validate, freeze the content in a submission record with its
SHA-256, mark it late when past the deadline, and start the S3 review countdown.

Setting: ``S3_REVIEW_WORKING_DAYS``."""

import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import add_working_days
from core.statemachine import transition

from ..models import AnnualReport, ImmutableRecord, ReportStatus, ReportSubmission
from .deadlines import applicable_deadline
from .ratios import c3_for
from .validation import attachment_errors, content_errors, current_attachments


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def snapshot(report, attachments, *, sequence, submitted_at, user):
    organization = report.organization
    return {
        "organization": {"name": organization.name, "uscc": organization.uscc, "type": organization.org_type},
        "year": report.year,
        "sequence": sequence,
        "submitted_at": submitted_at.isoformat(),
        "submitted_by": user.pk,
        "fields": {name: _plain(getattr(report, name)) for name in AnnualReport.CONTENT_FIELDS},
        "attachments": [
            {"kind": a.kind, "name": a.original_name, "sha256": a.sha256, "size": a.size} for a in attachments
        ],
    }


def content_digest(content):
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def submit_report(report, *, user, now=None):
    """Validate, freeze the content in a new submission record and move to 待审核.
    A late submission is accepted and marked late."""
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().select_related("organization").get(pk=report.pk)
        if not report.is_editable:
            raise ImmutableRecord(_("该年度报告已提交，不能重复提交。"))
        data = {name: getattr(report, name) for name in AnnualReport.CONTENT_FIELDS}
        attachments = current_attachments(report)
        errors = content_errors(data, report.organization)
        errors.update(attachment_errors(report, attachments))
        if errors:
            raise ValidationError(errors)
        now = now or timezone.now()
        today = timezone.localdate(now)
        deadline = applicable_deadline(report)
        resubmission = report.status == ReportStatus.RETURNED
        sequence = report.submissions.count() + 1
        content = snapshot(report, attachments, sequence=sequence, submitted_at=now, user=user)
        submission = ReportSubmission.objects.create(
            report=report,
            sequence=sequence,
            receipt_number=f"NB{report.year}-{report.organization.uscc}-{sequence:02d}",
            submitted_at=now,
            submitted_by=user,
            deadline=deadline,
            is_late=today > deadline,
            content=content,
            sha256=content_digest(content),
        )
        report.is_late = report.is_late or submission.is_late
        report.first_submitted_at = report.first_submitted_at or now
        report.last_submitted_at = now
        report.review_due = add_working_days(today, settings.S3_REVIEW_WORKING_DAYS)
        report.c3_breach = any(not check.ok for check in c3_for(report))
        reason = _("补正后重新提交") if resubmission else _("提交年度报告")
        if submission.is_late:
            reason = f"{reason}（{_('逾期')}）"
        transition(
            report,
            ReportStatus.SUBMITTED,
            user=user,
            reason=reason,
            save_fields=(
                "is_late",
                "first_submitted_at",
                "last_submitted_at",
                "review_due",
                "c3_breach",
                "updated_at",
            ),
        )
        return submission
