"""Complaints (R2): filing, the workflow, deadlines, refunds and the overdue warning.

| function | what | rule / settings |
|---|---|---|
| ``file_complaint`` | one form for everyone: a signed-in family (optionally one of its own orders and the disputed lines), a visitor with an SMS-proven number, the platform channel | R2 |
| ``accept`` / ``reject`` | the bureau accepts (starting the response and decision clocks) or rejects with a reason | R2_ACCEPT_WORKING_DAYS, R2_RESPONSE_WORKING_DAYS, R2_DECISION_WORKING_DAYS |
| ``respond`` | the provider answers a complaint about itself | R2_RESPONSE_WORKING_DAYS |
| ``decide`` / ``reexamine`` | the bureau's decision; an upheld price complaint (F2, F4, F9) writes a ``ProviderCreditNote`` and may order a refund of the disputed lines; one re-examination by another officer | R2_DECISION_WORKING_DAYS |
| ``request_reexamination`` / ``rate_and_close`` / ``close`` | the complainant asks once for 复核, or rates and closes | R2 |
| ``overdue_items`` / ``overdue_warnings`` | who is past which deadline; the early-warning source | R2 |

Every status change goes through ``core.statemachine.transition`` (audited in Wagtail's log),
and the complainant gets an SMS at each step (``accounts.sms``).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import otp
from accounts.sms import send_sms
from core.dates import add_working_days
from core.money import ZERO, round_money
from core.statemachine import transition
from marketplace.orders.models import Order, OrderLine
from marketplace.orders.services import paid_total
from payments import services as payment_services
from payments.models import PaymentIntent

from ..models.complaints import (
    UPHELD_DECISIONS,
    Complaint,
    ComplaintChannel,
    ComplaintDecision,
    ComplaintEvidence,
    ComplaintStatus,
    ProviderCreditNote,
)

S = ComplaintStatus
PROOF_PURPOSE = "complaint:mobile"
WARNING_KIND = "feedback.complaint_overdue"


class ComplaintError(ValidationError):
    """A workflow step that the rules refuse, with a translated message."""


# --- Deadlines ---------------------------------------------------------------------------------


def accept_due(received_on):
    return add_working_days(received_on, settings.R2_ACCEPT_WORKING_DAYS)


def response_due(accepted_on):
    return add_working_days(accepted_on, settings.R2_RESPONSE_WORKING_DAYS)


def decision_due(accepted_on):
    return add_working_days(accepted_on, settings.R2_DECISION_WORKING_DAYS)


@dataclass(frozen=True)
class Overdue:
    party: str  # "bureau" or "provider"
    step: str
    deadline: datetime.date


def overdue_items(complaint, today=None):
    """The deadlines ``complaint`` has missed on ``today`` (a deadline day itself is still on time)."""
    today = today or timezone.localdate()
    found = []
    if complaint.status == S.RECEIVED and today > complaint.accept_due:
        found.append(Overdue("bureau", "accept", complaint.accept_due))
    if (
        complaint.status == S.ACCEPTED
        and complaint.channel == ComplaintChannel.PROVIDER
        and today > complaint.response_due
    ):
        found.append(Overdue("provider", "respond", complaint.response_due))
    if complaint.status in (S.ACCEPTED, S.RESPONDED) and today > complaint.decision_due:
        found.append(Overdue("bureau", "decide", complaint.decision_due))
    if complaint.status == S.REEXAMINING and today > complaint.reexamination_due:
        found.append(Overdue("bureau", "reexamine", complaint.reexamination_due))
    return found


def current_deadline(complaint):
    """The deadline of the step the complaint waits for, or None when nothing is pending."""
    return {
        S.RECEIVED: complaint.accept_due,
        S.ACCEPTED: complaint.response_due
        if complaint.channel == ComplaintChannel.PROVIDER
        else complaint.decision_due,
        S.RESPONDED: complaint.decision_due,
        S.REEXAMINING: complaint.reexamination_due,
    }.get(complaint.status)


def concluded_on_time(complaint):
    """For the statistics: a rejection within the acceptance deadline, a decision within the
    decision deadline; None while the complaint is still open."""
    if complaint.status == S.REJECTED:
        return complaint.closed_on <= complaint.accept_due
    if complaint.decided_on is None:
        return None
    return complaint.decided_on <= complaint.decision_due


# --- SMS -------------------------------------------------------------------------------------


def _notify(complaint, text):
    send_sms(
        complaint.mobile,
        _("【北京市民政公共服务平台】您的投诉 %(ref)s：%(text)s")
        % {"ref": complaint.reference, "text": text},
    )


def send_proof_code(mobile, ip):
    """Step 1 for a visitor: prove the number by SMS (throttled per number and address)."""
    from accounts.services import request_mobile_proof

    return request_mobile_proof(mobile, ip, PROOF_PURPOSE, _("提交投诉"))


# --- Filing ----------------------------------------------------------------------------------


def orders_of(user, provider):
    """The orders a family may attach: its own, with that provider."""
    if user is None or not user.is_authenticated or provider is None:
        return Order.objects.none()
    return Order.objects.filter(user=user, provider=provider).order_by("-submitted_at")


def disputable_lines(order):
    """The lines a family can dispute: the contract and its changes once there is a contract,
    the order's own lines before that. Items only (not the policy discount line)."""
    lines = OrderLine.objects.filter(order=order, kind=OrderLine.Kind.ITEM)
    signed = lines.filter(stage__in=(OrderLine.Stage.CONTRACT, OrderLine.Stage.CHANGE))
    return (signed if signed.exists() else lines.filter(stage=OrderLine.Stage.ORDER)).order_by(
        "stage", "sort_order", "pk"
    )


def file_complaint(
    *,
    user,
    category,
    text,
    contact_name,
    provider=None,
    platform_subject="",
    subject_detail="",
    order=None,
    lines=(),
    mobile="",
    code="",
    files=(),
    now=None,
):
    """File a complaint. A signed-in user's verified number is used; a visitor's ``mobile`` must
    be proven with the SMS ``code`` (raises ``otp.OtpError``). ``order`` must be the user's own
    order with ``provider`` and ``lines`` lines of it (the view answers 404 for a foreign order
    before calling this; here it is refused again)."""
    now = now or timezone.now()
    signed_in = user is not None and user.is_authenticated
    if (provider is None) == (not platform_subject):
        raise ComplaintError(_("请选择被投诉的机构，或选择投诉举报事项。"))
    if len(files) > settings.R2_EVIDENCE_MAX_FILES:
        raise ComplaintError(_("最多上传 %(n)s 个证据文件。") % {"n": settings.R2_EVIDENCE_MAX_FILES})
    if order is not None:
        if not signed_in or order.user_id != user.pk or provider is None or order.provider_id != provider.pk:
            raise ComplaintError(_("只能选择您本人在该机构的订单。"))
        allowed = set(disputable_lines(order).values_list("pk", flat=True))
        if any(line.pk not in allowed for line in lines):
            raise ComplaintError(_("争议项目须是该订单合同中的项目。"))
    elif lines:
        raise ComplaintError(_("选择争议项目前请先选择订单。"))
    if signed_in:
        mobile = user.mobile
    else:
        otp.check_mobile_code(mobile, PROOF_PURPOSE, code)
    today = timezone.localdate(now)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            channel=ComplaintChannel.PROVIDER if provider else ComplaintChannel.PLATFORM,
            provider=provider,
            platform_subject=platform_subject if provider is None else "",
            subject_detail=subject_detail if provider is None else "",
            order=order,
            category=category,
            text=text,
            user=user if signed_in else None,
            contact_name=contact_name,
            mobile=mobile,
            received_at=now,
            received_on=today,
            accept_due=accept_due(today),
        )
        complaint.disputed_lines.set(lines)
        for upload in files:
            ComplaintEvidence.objects.create(complaint=complaint, file=upload, name=upload.name[:200])
    _notify(
        complaint,
        _("已收到，将于 %(due)s 前决定是否受理。") % {"due": complaint.accept_due.isoformat()},
    )
    return complaint


# --- The workflow ----------------------------------------------------------------------------


def _locked(complaint):
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("provider", "order")
        .get(pk=complaint.pk)
    )


def accept(complaint, officer, *, today=None):
    today = today or timezone.localdate()
    with transaction.atomic():
        complaint = _locked(complaint)
        complaint.accepted_on = today
        complaint.response_due = response_due(today)
        complaint.decision_due = decision_due(today)
        complaint.handled_by = officer
        transition(
            complaint,
            S.ACCEPTED,
            user=officer,
            reason=_("受理"),
            save_fields=["accepted_on", "response_due", "decision_due", "handled_by"],
        )
    if complaint.channel == ComplaintChannel.PROVIDER:
        text = _("已受理。被投诉机构须于 %(response)s 前答复，民政局将于 %(decision)s 前作出处理决定。") % {
            "response": complaint.response_due.isoformat(),
            "decision": complaint.decision_due.isoformat(),
        }
    else:
        text = _("已受理，民政局将于 %(decision)s 前作出处理决定。") % {
            "decision": complaint.decision_due.isoformat()
        }
    _notify(complaint, text)
    return complaint


def reject(complaint, officer, reason, *, today=None):
    if not (reason or "").strip():
        raise ComplaintError(_("不予受理须说明理由。"))
    today = today or timezone.localdate()
    with transaction.atomic():
        complaint = _locked(complaint)
        complaint.rejection_reason = reason.strip()
        complaint.closed_on = today
        complaint.handled_by = officer
        transition(
            complaint,
            S.REJECTED,
            user=officer,
            reason=reason,
            save_fields=["rejection_reason", "closed_on", "handled_by"],
        )
    _notify(complaint, _("不予受理，理由：%(reason)s") % {"reason": complaint.rejection_reason})
    return complaint


def respond(complaint, user, text, *, now=None):
    """The provider's answer (provider complaints only; the caller has checked membership)."""
    if not (text or "").strip():
        raise ComplaintError(_("请填写答复内容。"))
    if complaint.channel != ComplaintChannel.PROVIDER:
        raise ComplaintError(_("平台投诉举报由民政局直接处理。"))
    with transaction.atomic():
        complaint = _locked(complaint)
        complaint.response = text.strip()
        complaint.responded_at = now or timezone.now()
        complaint.responded_by = user
        transition(
            complaint,
            S.RESPONDED,
            user=user,
            reason=_("机构答复"),
            save_fields=["response", "responded_at", "responded_by"],
        )
    _notify(
        complaint,
        _("被投诉机构已答复，民政局将于 %(due)s 前作出处理决定。") % {"due": complaint.decision_due},
    )
    return complaint


def refund_ceiling(complaint):
    """The most a decision may order back: the disputed lines' amounts, never more than what
    the family has paid on the order (net of refunds already made)."""
    if complaint.order_id is None or not complaint.is_price_complaint:
        return ZERO
    lines_total = sum((line.amount for line in complaint.disputed_lines.all() if line.amount > 0), ZERO)
    return round_money(max(min(lines_total, paid_total(complaint.order)), ZERO))


def _refund_online(complaint, amount, officer):
    """Refund ``amount`` through the payments app over the order's paid intents, newest first;
    returns what was refunded online (the rest the provider must return offline)."""
    reason = _("投诉 %(ref)s 处理决定：退还争议项目费用") % {"ref": complaint.reference}
    remaining, refunded = amount, ZERO
    for intent in payment_services.intents_for(complaint.order):
        if remaining <= ZERO:
            break
        if intent.status != PaymentIntent.Status.SUCCEEDED:
            continue
        part = min(payment_services.refundable_amount(intent), remaining)
        if part > ZERO:
            try:
                payment_services.create_refund(intent, part, reason, user=officer)
            except payment_services.PaymentError:
                continue  # refused by the gateway: that part is returned offline
            remaining -= part
            refunded += part
    return refunded


def _apply_decision(complaint, officer, decision, text, refund, today):
    if decision not in ComplaintDecision.values:
        raise ComplaintError(_("请选择处理结果。"))
    if not (text or "").strip():
        raise ComplaintError(_("请填写处理决定说明。"))
    refund = round_money(Decimal(refund)) if refund not in (None, "") else None
    if refund is not None and refund > ZERO:
        if decision not in UPHELD_DECISIONS or not complaint.is_price_complaint:
            raise ComplaintError(_("只有成立的价格类投诉（F2、F4、F9）可以责令退款。"))
        ceiling = refund_ceiling(complaint)
        if refund > ceiling:
            raise ComplaintError(
                _("退款金额 ¥%(amount)s 超过争议项目已支付的金额 ¥%(ceiling)s。")
                % {"amount": refund, "ceiling": ceiling}
            )
    elif refund is not None and refund < ZERO:
        raise ComplaintError(_("退款金额不能为负数。"))
    complaint.decision = decision
    complaint.decision_text = text.strip()
    complaint.decided_on = today
    complaint.decided_by = officer
    complaint.refund_ordered = refund if refund and refund > ZERO else None
    return complaint.refund_ordered


def _credit_note(complaint, today):
    """Upheld price complaints leave a credit-relevant record; a re-examination that finds the
    complaint not upheld revokes it."""
    existing = ProviderCreditNote.objects.filter(complaint=complaint).first()
    if complaint.is_upheld and complaint.is_price_complaint:
        if existing is None:
            ProviderCreditNote.objects.create(
                provider=complaint.provider,
                complaint=complaint,
                rule_id=complaint.rule_id,
                decision=complaint.decision,
                summary=complaint.decision_text,
                refund_ordered=complaint.refund_ordered,
                decided_on=today,
            )
    elif existing is not None and existing.revoked_on is None:
        existing.revoked_on = today
        existing.revocation_reason = _("复核认定投诉不成立：%(text)s") % {"text": complaint.decision_text}
        existing.save(update_fields=["revoked_on", "revocation_reason"])


DECISION_FIELDS = ["decision", "decision_text", "decided_on", "decided_by", "refund_ordered"]


def _after_decision(complaint, officer, refund):
    note = ""
    if refund:
        if complaint.order is not None and payment_services.intents_for(complaint.order).exists():
            online = _refund_online(complaint, refund, officer)
            offline = refund - online
            note = _("已通过原支付渠道退还 ¥%(online)s") % {"online": online}
            if offline > ZERO:
                note += _("；其余 ¥%(offline)s 由机构线下退还") % {"offline": offline}
        else:
            note = _("由机构线下退还 ¥%(amount)s") % {"amount": refund}
        Complaint.objects.filter(pk=complaint.pk).update(refund_note=note[:300])
        complaint.refund_note = note[:300]
    text = _("处理决定：%(decision)s。%(text)s") % {
        "decision": complaint.get_decision_display(),
        "text": complaint.decision_text,
    }
    if note:
        text += note + "。"
    _notify(complaint, text)


def decide(complaint, officer, decision, text, *, refund=None, today=None):
    today = today or timezone.localdate()
    with transaction.atomic():
        complaint = _locked(complaint)
        if (
            complaint.status == S.ACCEPTED
            and complaint.channel == ComplaintChannel.PROVIDER
            and today <= complaint.response_due
        ):
            raise ComplaintError(
                _("机构答复期限（%(due)s）未到，须等待机构答复后再作决定。") % {"due": complaint.response_due}
            )
        refund = _apply_decision(complaint, officer, decision, text, refund, today)
        complaint.first_decided_by = officer
        transition(
            complaint,
            S.DECIDED,
            user=officer,
            reason=complaint.get_decision_display(),
            save_fields=[*DECISION_FIELDS, "first_decided_by"],
        )
        if complaint.provider_id:
            _credit_note(complaint, today)
    _after_decision(complaint, officer, refund)
    return complaint


def request_reexamination(complaint, user, reason, *, today=None):
    """The complainant asks once for 复核 by another officer."""
    if not (reason or "").strip():
        raise ComplaintError(_("请说明申请复核的理由。"))
    today = today or timezone.localdate()
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.reexamination_requested_on is not None:
            raise ComplaintError(_("每件投诉只能申请一次复核。"))
        complaint.reexamination_reason = reason.strip()
        complaint.reexamination_requested_on = today
        complaint.reexamination_due = decision_due(today)
        transition(
            complaint,
            S.REEXAMINING,
            user=user,
            reason=reason,
            save_fields=["reexamination_reason", "reexamination_requested_on", "reexamination_due"],
        )
    _notify(
        complaint,
        _("已申请复核，另一名工作人员将于 %(due)s 前作出复核决定。") % {"due": complaint.reexamination_due},
    )
    return complaint


def reexamine(complaint, officer, decision, text, *, refund=None, today=None):
    """The re-examination decision, by an officer other than the one who decided first. A refund
    ordered the first time has been made; a re-examination can add to it, up to the ceiling."""
    today = today or timezone.localdate()
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.status == S.REEXAMINING and officer.pk == complaint.first_decided_by_id:
            raise ComplaintError(_("复核须由原决定人以外的工作人员办理。"))
        earlier = complaint.refund_ordered or ZERO
        refund = _apply_decision(complaint, officer, decision, text, refund, today)
        extra = (refund or ZERO) - earlier
        complaint.refund_ordered = max(refund or ZERO, earlier) or None
        transition(
            complaint,
            S.DECIDED,
            user=officer,
            reason=_("复核：%(decision)s") % {"decision": complaint.get_decision_display()},
            save_fields=DECISION_FIELDS,
        )
        if complaint.provider_id:
            _credit_note(complaint, today)
    _after_decision(complaint, officer, extra if extra > ZERO else None)
    return complaint


def rate_and_close(complaint, user, satisfaction, *, today=None):
    """The complainant rates the outcome (1–5) and closes the complaint."""
    try:
        satisfaction = int(satisfaction)
    except (TypeError, ValueError):
        satisfaction = 0
    if not 1 <= satisfaction <= 5:
        raise ComplaintError(_("满意度须为 1 至 5 分。"))
    today = today or timezone.localdate()
    with transaction.atomic():
        complaint = _locked(complaint)
        complaint.satisfaction = satisfaction
        complaint.closed_on = today
        transition(
            complaint,
            S.CLOSED,
            user=user,
            reason=_("投诉人评价 %(n)s 分并办结") % {"n": satisfaction},
            save_fields=["satisfaction", "closed_on"],
        )
    return complaint


def close(complaint, officer, *, today=None):
    """The bureau closes a decided complaint the complainant has not closed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        complaint = _locked(complaint)
        complaint.closed_on = today
        transition(complaint, S.CLOSED, user=officer, reason=_("民政局办结"), save_fields=["closed_on"])
    _notify(complaint, _("已办结。"))
    return complaint


# --- The early warning -----------------------------------------------------------------------

STEP_TEXT = {
    "accept": (
        gettext_lazy("投诉 %(ref)s 未在受理期限 %(due)s 前受理"),
        gettext_lazy("在投诉处理队列中受理或不予受理（须说明理由）。"),
    ),
    "respond": (
        gettext_lazy("投诉 %(ref)s 未在答复期限 %(due)s 前答复"),
        gettext_lazy("在工作台“投诉处理”中提交答复；民政局也可直接作出处理决定。"),
    ),
    "decide": (
        gettext_lazy("投诉 %(ref)s 未在处理期限 %(due)s 前作出决定"),
        gettext_lazy("在投诉处理队列中作出处理决定。"),
    ),
    "reexamine": (
        gettext_lazy("投诉 %(ref)s 未在复核期限 %(due)s 前作出复核决定"),
        gettext_lazy("由原决定人以外的工作人员在投诉处理队列中作出复核决定。"),
    ),
}


def overdue_warnings(today):
    """Warning source (RULES.md: "a complaint is past its service-level deadline"): one warning
    per missed step, owned by the provider (its workbench) or the bureau."""
    from core.warnings import WarningSpec

    candidates = Complaint.objects.filter(status__in=Complaint.OPEN_STATUSES).select_related("provider")
    for complaint in candidates.order_by("pk"):
        for item in overdue_items(complaint, today):
            reason, how = STEP_TEXT[item.step]
            provider_owned = item.party == "provider"
            yield WarningSpec(
                subject=complaint,
                detail_key=item.step,
                subject_label=complaint.subject_label,
                reason=str(reason) % {"ref": complaint.reference, "due": item.deadline.isoformat()},
                deadline=item.deadline,
                how_to_clear=str(how),
                owner_key=f"provider:{complaint.provider.slug}" if provider_owned else "",
                link=reverse("complaint_workbench:detail", args=[complaint.reference])
                if provider_owned
                else reverse("feedback_complaints_admin:detail", args=[complaint.pk]),
            )
