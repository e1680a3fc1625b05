"""The resource pool's applications and awards (issue 16, point 3; I1 and I2).

* :func:`apply_to_offer`: only an eligible organisation applies (the criteria engine of I1);
* :func:`award`: the bureau records what was won (amount, period, deliverables). A government
  purchase-of-services award also becomes a credit record in the S4 category "other";
* :func:`decline`, :func:`withdraw_offer_application`;
* :func:`post_need`: an organisation says what it needs, in public.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.money import format_money
from core.statemachine import IllegalTransition, transition
from orgs.credit.models import Category
from orgs.credit.services import record_credit

from ..models import (
    Award,
    Need,
    Offer,
    OfferApplication,
    OfferApplicationState,
    OfferKind,
)
from .applications import NotEligible, decision_due
from .eligibility import evaluate

OS = OfferApplicationState


def active_offer_application(offer, organization):
    return (
        OfferApplication.objects.filter(offer=offer, organization=organization)
        .exclude(state=OS.WITHDRAWN)
        .first()
    )


def apply_to_offer(offer, organization, *, user, statement, now=None):
    """File ``organization``'s application to ``offer``; refused unless eligible (I1)."""
    with transaction.atomic():
        now = now or timezone.now()
        today = timezone.localdate(now)
        offer = Offer.objects.select_for_update().get(pk=offer.pk)
        if not offer.is_open(today):
            raise ValidationError(
                _("该资源的申请期为 %(start)s 至 %(end)s，当前不接受申请。")
                % {"start": offer.opens_on.isoformat(), "end": offer.deadline.isoformat()}
            )
        statement = (statement or "").strip()
        if not statement:
            raise ValidationError({"statement": _("请填写申请说明。")})
        if active_offer_application(offer, organization) is not None:
            raise ValidationError(_("本机构已申请过该资源，不能重复申请。"))
        eligibility = evaluate(offer, organization, today)
        if not eligibility.eligible:
            raise NotEligible(eligibility)
        try:
            with transaction.atomic():
                application = OfferApplication.objects.create(
                    offer=offer,
                    organization=organization,
                    statement=statement,
                    submitted_by=user,
                    submitted_at=now,
                    decision_due=decision_due(today),
                    eligibility=eligibility.as_json(),
                )
        except IntegrityError as error:
            raise ValidationError(_("本机构已申请过该资源，不能重复申请。")) from error
        log(application, "incubator.offer_application_submitted", user=user)
        return application


def _locked(application):
    return (
        OfferApplication.objects.select_for_update()
        .select_related("offer", "organization")
        .get(pk=application.pk)
    )


def award(application, *, amount, starts_on, ends_on, deliverables, document_number, user, now=None):
    """I2: record an award. The organisation must still be eligible; a government service
    contract becomes a credit record (S4, other) in the same transaction."""
    with transaction.atomic():
        now = now or timezone.now()
        today = timezone.localdate(now)
        application = _locked(application)
        if (application.state, OS.AWARDED) not in OfferApplication.TRANSITIONS:
            raise IllegalTransition(application, application.state, OS.AWARDED)
        errors = {}
        deliverables = (deliverables or "").strip()
        document_number = (document_number or "").strip()
        if not deliverables:
            errors["deliverables"] = _("请填写交付成果。")
        if not document_number:
            errors["document_number"] = _("请填写合同或协议编号。")
        if starts_on is None or ends_on is None or ends_on < starts_on:
            errors["ends_on"] = _("结束日期不能早于开始日期。")
        offer = application.offer
        if amount is not None and offer.budget is not None and amount > offer.budget:
            errors["amount"] = _("金额不能超过预算或资助上限 %(budget)s 元。") % {
                "budget": format_money(offer.budget)
            }
        if offer.kind in (OfferKind.SERVICE_PURCHASE, OfferKind.GRANT) and amount is None:
            errors["amount"] = _("政府购买服务和基金会资助须填写金额。")
        if errors:
            raise ValidationError(errors)
        eligibility = evaluate(offer, application.organization, today)
        if not eligibility.eligible:
            raise NotEligible(eligibility)
        record = None
        if offer.kind == OfferKind.SERVICE_PURCHASE:
            record = record_credit(
                application.organization,
                category=Category.OTHER,
                decided_on=today,
                summary=_(
                    "承接政府购买服务项目“%(title)s”，金额 %(amount)s 元，服务期 %(start)s 至 %(end)s。"
                )
                % {
                    "title": offer.title,
                    "amount": format_money(amount),
                    "start": starts_on.isoformat(),
                    "end": ends_on.isoformat(),
                },
                authority=offer.provider_name,
                document_number=document_number,
                user=user,
                now=now,
            )
        result = Award.objects.create(
            application=application,
            amount=amount,
            starts_on=starts_on,
            ends_on=ends_on,
            deliverables=deliverables,
            document_number=document_number,
            awarded_on=today,
            credit_record=record,
            recorded_by=user,
        )
        application.decided_at = now
        transition(application, OS.AWARDED, user=user, field="state", save_fields=["decided_at"])
        return result


def decline(application, *, user, reason, now=None):
    with transaction.atomic():
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("请填写理由，申请机构将看到该理由。")})
        application = _locked(application)
        application.decision_reason = reason
        application.decided_at = now or timezone.now()
        transition(
            application,
            OS.DECLINED,
            user=user,
            reason=reason,
            field="state",
            save_fields=["decision_reason", "decided_at"],
        )
        return application


def withdraw_offer_application(application, *, user):
    with transaction.atomic():
        application = _locked(application)
        transition(application, OS.WITHDRAWN, user=user, field="state")
        return application


def post_need(organization, *, user, kind, title, description):
    errors = {}
    if kind not in OfferKind.values:
        errors["kind"] = _("请选择资源类型。")
    if not (title or "").strip():
        errors["title"] = _("请填写需求。")
    if not (description or "").strip():
        errors["description"] = _("请填写说明。")
    if errors:
        raise ValidationError(errors)
    need = Need.objects.create(
        organization=organization,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        posted_by=user,
    )
    log(need, "incubator.need_posted", user=user)
    return need


def close_need(need, *, user):
    if need.open:
        need.open = False
        need.save(update_fields=["open"])
        log(need, "incubator.need_closed", user=user)
    return need


def offers_by_kind(today=None):
    """The open offers grouped by kind: what can answer a need of that kind."""
    today = today or timezone.localdate()
    grouped = {}
    for offer in Offer.objects.open_on(today).order_by("deadline", "pk"):
        grouped.setdefault(offer.kind, []).append(offer)
    return grouped
