"""The bureau's verification of a provider (issue 23, point 6): ticking or unticking 已核验 is a
decision with a reason and the evidence it rests on, kept as an append-only history
(``ProviderVerification``) and audited in Wagtail's log with the reason."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..models import Provider, ProviderVerification
from .authorship import author_name

VERIFIED_ACTION = "catalogue.provider_verified"
UNVERIFIED_ACTION = "catalogue.provider_unverified"


def verification_errors(reason, evidence_reference):
    """The errors of a verification decision, by field ({} when it may be recorded)."""
    errors = {}
    if not (reason or "").strip():
        errors["verification_reason"] = _("核验或取消核验时，请写明原因。")
    if not (evidence_reference or "").strip():
        errors["verification_evidence"] = _("请填写证明材料的编号（如许可证号、检查记录编号）。")
    return errors


def record_verification(provider, *, verified, reason, evidence_reference, evidence_document=None, user=None):
    """Record the bureau's decision on ``provider`` (already saved), set its verified fields and
    audit it. Raises ``ValidationError`` when the reason or the evidence is missing."""
    with transaction.atomic():
        errors = verification_errors(reason, evidence_reference)
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        record = ProviderVerification.objects.create(
            provider=provider,
            verified=verified,
            reason=reason.strip(),
            evidence_reference=evidence_reference.strip(),
            evidence_document=evidence_document,
            recorded_by=user,
            recorded_by_name=author_name(user),
            recorded_at=now,
        )
        provider.is_verified = verified
        provider.verified_at = now if verified else None
        provider.verified_by = user if verified else None
        Provider.objects.filter(pk=provider.pk).update(
            is_verified=verified, verified_at=provider.verified_at, verified_by=provider.verified_by
        )
        log(
            provider,
            VERIFIED_ACTION if verified else UNVERIFIED_ACTION,
            user=user,
            data={
                "reason": record.reason,
                "evidence_reference": record.evidence_reference,
                "evidence_document": evidence_document.pk if evidence_document else None,
                "verification": record.pk,
            },
        )
        return record
