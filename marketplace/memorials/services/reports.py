"""Reports of abuse and the bureau's decisions (M1).

Anyone reports a published message or a memorial they can see, with a reason: signed in, or
anonymously, throttled per client IP (``M1_REPORTS_PER_IP_PER_HOUR``). Reports wait in the
bureau's queue in the Wagtail admin. The bureau dismisses a report or upholds it by hiding the
message or the memorial; either decision requires a reason and moves through the transition
tables, so it is written to the audit log. A hidden memorial answers 404 to the public and
shows its keepers the reason.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.statemachine import transition

from ..models import Memorial, MemorialReport, MemorialStatus, ReportStatus, Tribute, TributeStatus
from .common import MemorialRefused, ip_hash


def open_reports():
    return MemorialReport.objects.filter(status=ReportStatus.OPEN).select_related("memorial", "tribute")


def report(memorial, *, reason, reporter=None, ip="", tribute=None):
    reason = (reason or "").strip()
    if not reason:
        raise MemorialRefused(_("请写明举报理由。"), code="reason")
    if tribute is not None and (
        tribute.memorial_id != memorial.pk or tribute.status != TributeStatus.PUBLISHED
    ):
        raise MemorialRefused(_("只能举报已发布的留言。"), code="not_published")
    client = ip_hash(ip)
    since = timezone.now() - datetime.timedelta(hours=1)
    with transaction.atomic():
        Memorial.objects.select_for_update().filter(pk=memorial.pk).first()
        if (
            MemorialReport.objects.filter(ip_hash=client, created_at__gte=since).count()
            >= settings.M1_REPORTS_PER_IP_PER_HOUR
        ):
            raise MemorialRefused(_("举报过于频繁，请一小时后再试。"), code="throttled")
        return MemorialReport.objects.create(
            memorial=memorial,
            tribute=tribute,
            reason=reason[:500],
            reporter=reporter if reporter is not None and reporter.is_authenticated else None,
            ip_hash=client,
        )


def decide_report(report_obj, *, decision, user, reason):
    """The bureau's decision on a report: ``dismissed`` or ``upheld`` (hide the reported message
    or memorial). A reason is required either way; every move is audited."""
    reason = (reason or "").strip()
    if not reason:
        raise MemorialRefused(_("处理举报必须写明理由。"), code="reason")
    if decision not in (ReportStatus.DISMISSED, ReportStatus.UPHELD):
        raise MemorialRefused(_("请选择处理结果。"), code="decision")
    with transaction.atomic():
        report_obj = MemorialReport.objects.select_for_update().get(pk=report_obj.pk)
        if report_obj.status != ReportStatus.OPEN:
            raise MemorialRefused(_("该举报已处理。"), code="decided")
        if decision == ReportStatus.UPHELD:
            if report_obj.tribute_id:
                tribute = Tribute.objects.select_for_update().get(pk=report_obj.tribute_id)
                if tribute.status == TributeStatus.PUBLISHED:
                    tribute.decision_reason = reason[:500]
                    transition(
                        tribute,
                        TributeStatus.HIDDEN,
                        user=user,
                        reason=reason,
                        save_fields=("decision_reason",),
                    )
            else:
                memorial = Memorial.objects.select_for_update().get(pk=report_obj.memorial_id)
                if memorial.status == MemorialStatus.ACTIVE:
                    memorial.status_reason = reason[:500]
                    transition(
                        memorial,
                        MemorialStatus.HIDDEN,
                        user=user,
                        reason=reason,
                        save_fields=("status_reason",),
                    )
        report_obj.decision_reason = reason[:500]
        report_obj.decided_by = user
        report_obj.decided_at = timezone.now()
        transition(
            report_obj,
            decision,
            user=user,
            reason=reason,
            save_fields=("decision_reason", "decided_by", "decided_at"),
        )
        # Other open reports of the same target are settled by the same decision.
        same = MemorialReport.objects.filter(
            status=ReportStatus.OPEN, memorial_id=report_obj.memorial_id, tribute_id=report_obj.tribute_id
        ).exclude(pk=report_obj.pk)
        for other in same.select_for_update():
            other.decision_reason, other.decided_by, other.decided_at = (
                reason[:500],
                user,
                report_obj.decided_at,
            )
            transition(
                other,
                decision,
                user=user,
                reason=reason,
                save_fields=("decision_reason", "decided_by", "decided_at"),
            )
    return report_obj


def restore_memorial(memorial, *, user, reason):
    """The bureau shows a hidden memorial again, with a reason (audited)."""
    reason = (reason or "").strip()
    if not reason:
        raise MemorialRefused(_("恢复显示必须写明理由。"), code="reason")
    memorial.status_reason = ""
    return transition(
        memorial, MemorialStatus.ACTIVE, user=user, reason=reason, save_fields=("status_reason",)
    )


def moderate_tribute(tribute, *, target, user, reason):
    """The bureau decides a held message (publish or not) or hides a published one; a reason is
    required except to publish, and the move is audited."""
    reason = (reason or "").strip()
    if target != TributeStatus.PUBLISHED and not reason:
        raise MemorialRefused(_("不发布或隐藏留言必须写明理由。"), code="reason")
    with transaction.atomic():
        tribute = Tribute.objects.select_for_update().get(pk=tribute.pk)
        tribute.decision_reason = reason[:500]
        return transition(
            tribute, target, user=user, reason=reason or _("民政局审核通过"), save_fields=("decision_reason",)
        )
