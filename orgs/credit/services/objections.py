"""S8: objections (异议) to credit records.

- Only a member of the organisation objects, with grounds and evidence (a PDF or image
  checked like a report attachment, REPORT_ATTACHMENT_MAX_BYTES); one pending objection per
  record, and only against the latest version of a record.
- Upheld: the record is corrected by a new record (S4 ``record_credit`` with ``corrects``);
  the original and the correction both stay on record. Dismissed: nothing changes.
  Either decision records who, when and why.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.dates import add_working_days
from orgs.reports.services import check_upload

from ..audit import snapshot
from ..models import Category, CreditRecord, Objection, ObjectionStatus
from ._common import _decide, _required
from .records import record_credit


def objection_due_on(filed_on):
    """S8: the bureau decides within S8_OBJECTION_DECISION_WORKING_DAYS working days of filing."""
    return add_working_days(filed_on, settings.S8_OBJECTION_DECISION_WORKING_DAYS)


def file_objection(record, *, user, grounds, evidence):
    """An organisation member objects to a credit record of their organisation, with evidence."""
    with transaction.atomic():
        record = (
            CreditRecord.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=record.pk)
        )
        if not record.organization.memberships.filter(user=user).exists():
            raise ValidationError(_("只有本机构成员可以对本机构的信用记录提出异议。"))
        if record.corrections.exists():
            raise ValidationError(_("该记录已被更正，请对更正后的记录提出异议。"))
        if Objection.objects.filter(record=record, status=ObjectionStatus.PENDING).exists():
            raise ValidationError(_("该记录已有待处理的异议，请等待处理结果。"))
        grounds = _required(grounds, "grounds", _("请填写异议理由。"))
        if evidence is None:
            raise ValidationError({"evidence": _("请上传证明材料。")})
        try:
            check_upload("other", evidence)
        except ValidationError as error:
            raise ValidationError({"evidence": error.messages}) from error
        evidence.seek(0)
        objection = Objection(
            organization=record.organization,
            record=record,
            grounds=grounds,
            filed_by=user,
            evidence_name=evidence.name.rsplit("/", 1)[-1][:200],
            due_on=objection_due_on(timezone.localdate()),
        )
        objection.evidence.save(objection.evidence_name, evidence, save=False)
        objection.save()
        log(objection, "credit.objection", user=user, data={"record": record.pk})
        return objection


def uphold_objection(
    objection,
    *,
    user,
    reason,
    summary,
    category=None,
    decided_on=None,
    authority=None,
    document_number=None,
    fine_amount=None,
):
    """S8: the objection is upheld; the record is corrected by a new record (both stay)."""
    with transaction.atomic():
        objection = (
            Objection.objects.select_for_update(of=("self",)).select_related("record").get(pk=objection.pk)
        )
        if objection.status != ObjectionStatus.PENDING:
            raise ValidationError(_("该异议已处理。"))
        reason = _required(reason, "decision_reason", _("请填写处理理由。"))
        original = objection.record
        category = category or original.category
        corrected = {
            "category": category,
            "decided_on": decided_on or original.decided_on,
            "summary": (summary or "").strip(),
            "authority": authority or original.authority,
            "document_number": document_number or original.document_number,
            "fine_amount": fine_amount if category == Category.PENALTY else None,
        }
        if all(value == getattr(original, field) for field, value in corrected.items()):
            # Upheld means the record was wrong: a "correction" identical to it would say the
            # bureau agreed while changing nothing. A record that is right is a dismissal.
            raise ValidationError({"summary": _("异议成立须更正记录的内容；如记录无误，请驳回异议。")})
        correction = record_credit(
            original.organization,
            category=category,
            decided_on=decided_on or original.decided_on,
            summary=summary,
            authority=authority or original.authority,
            document_number=document_number or original.document_number,
            fine_amount=fine_amount if category == Category.PENALTY else None,
            user=user,
            corrects=original,
            correction_reason=_("异议成立：%(reason)s") % {"reason": reason},
        )
        before = snapshot(objection, ("status", "correction", "decided_by", "decided_at", "decision_reason"))
        objection.correction = correction
        return _decide(
            objection,
            ObjectionStatus.UPHELD,
            user=user,
            reason=reason,
            extra_fields=("correction",),
            before=before,
        )


def dismiss_objection(objection, *, user, reason):
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.PENDING:
            raise ValidationError(_("该异议已处理。"))
        reason = _required(reason, "decision_reason", _("请填写处理理由。"))
        return _decide(objection, ObjectionStatus.DISMISSED, user=user, reason=reason)
