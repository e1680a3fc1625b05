"""S4: recording credit information.

Credit information falls in five categories (basic, annual report, inspection, penalty,
other) and is recorded within S4_RECORDING_WORKING_DAYS working days of its decision date
(working days from ``core.dates``, holidays from the bureau's calendar); a later recording
is kept but marked late with its working-day count. Records are append-only: a correction
(S8) is a new record that points at the one it corrects, and both stay on record.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import working_days_between

from ..models import ATTACHMENT_CONTENT, Category, CreditRecord
from ._common import _required


def lateness(decided_on, recorded_on):
    """S4: (working days from the decision to the recording, late?)."""
    days = max(working_days_between(decided_on, recorded_on), 0)
    return days, days > settings.S4_RECORDING_WORKING_DAYS


def record_credit(
    organization,
    *,
    category,
    decided_on,
    summary,
    authority,
    document_number,
    user,
    fine_amount=None,
    attachment=None,
    corrects=None,
    correction_reason="",
    now=None,
):
    """Append a credit record (S4). A correction points at the record it corrects; both stay."""
    with transaction.atomic():
        now = now or timezone.now()
        recorded_on = timezone.localdate(now)
        if category not in Category.values:
            raise ValidationError({"category": _("请选择信息类别。")})
        summary = _required(summary, "summary", _("请填写内容摘要。"))
        authority = _required(authority, "authority", _("请填写决定机关。"))
        document_number = _required(document_number, "document_number", _("请填写决定文书号。"))
        if decided_on is None:
            raise ValidationError({"decided_on": _("请填写决定日期。")})
        if decided_on > recorded_on:
            raise ValidationError({"decided_on": _("决定日期不能晚于记录日期。")})
        if fine_amount is not None and category != Category.PENALTY:
            raise ValidationError({"fine_amount": _("只有行政处罚信息可以填写罚款金额。")})
        if corrects is not None:
            corrects = CreditRecord.objects.select_for_update().get(pk=corrects.pk)
            if corrects.organization_id != organization.pk:
                raise ValidationError({"corrects": _("更正记录必须与被更正记录属于同一社会组织。")})
            if corrects.corrections.exists():
                raise ValidationError({"corrects": _("该记录已被更正，请对最新的更正记录进行更正。")})
            correction_reason = _required(correction_reason, "correction_reason", _("请填写更正理由。"))
        days, late = lateness(decided_on, recorded_on)
        record = CreditRecord(
            organization=organization,
            category=category,
            decided_on=decided_on,
            summary=summary,
            authority=authority,
            document_number=document_number,
            fine_amount=fine_amount,
            corrects=corrects,
            correction_reason=correction_reason or "",
            recorded_by=user,
            recorded_at=now,
            recorded_on=recorded_on,
            is_late=late,
            late_working_days=days,
        )
        if attachment is not None:
            try:
                ATTACHMENT_CONTENT(attachment)
            except ValidationError as error:
                raise ValidationError({"attachment": error.messages}) from error
            record.attachment.save(attachment.name.rsplit("/", 1)[-1], attachment, save=False)
        record.save()
        return record
