"""B1: a 惠民殡葬 application from the family's first step to the bureau's decision.

| function | who | what |
|---|---|---|
| :func:`start_application` | a family member whose mobile number is proven by SMS | a draft; from an order (its owner only) the deceased's facts are copied from it and can't be changed |
| :func:`update_application` | the applicant | the facts, while a draft or asked for more documents |
| :func:`upload_document` | the applicant | one required document, checked by content and size; replaces an earlier upload |
| :func:`submit` | the applicant | every criterion must pass (``eligibility``); the scheme's criteria are stored with it; the decision is due in ``B1_DECISION_WORKING_DAYS`` working days |
| :func:`request_documents` | the bureau | names each document wanted and why; the clock stops |
| :func:`approve` | the bureau | the criteria are checked again; a waiver goes to the bill or a refund (``waivers``), a subsidy to a payment instruction (``payouts``); the sealed decision letter |
| :func:`reject` | the bureau | with reasons; the sealed decision letter |
| :func:`withdraw` | the applicant | until the decision |

Deadlines are working days (``core.dates``, the bureau's holiday calendar); ``warnings`` opens
an early warning ``B1_WARNING_WORKING_DAYS`` before the deadline and keeps it open once missed.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.dates import add_working_days, working_days_between
from core.money import round_money
from core.statemachine import IllegalTransition, transition
from marketplace.orders import identity
from marketplace.orders.models import Order

from . import letters
from .eligibility import check, explain, failures
from .models import (
    APPLICANT_FIELDS,
    EDITABLE_STATES,
    ApplicationDocument,
    ApplicationStatus,
    BenefitApplication,
    SchemeKind,
)
from .payouts import instruct_payment
from .waivers import WAIVABLE_ORDER_STATUSES, apply_waiver, waived_amount, waiver_lines

A = ApplicationStatus
# Facts an application from an order takes from the order and keeps (B1: the order is the record).
ORDER_FACTS = ("deceased_name", "date_of_death")


def _today(today):
    return today or timezone.localdate()


def _locked(application):
    return BenefitApplication.objects.select_for_update().select_related("scheme").get(pk=application.pk)


def _new_number(day):
    prefix = f"HM{day:%Y%m%d}"
    taken = BenefitApplication.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def can_apply(user):
    """A benefit is money: the applicant's mobile number is proven by SMS."""
    return user.is_authenticated and user.is_mobile_verified


def _own(application, user):
    if application.applicant_id != user.pk:
        raise PermissionDenied(_("只有申请人本人可以办理这一步。"))


def facts_from_order(order):
    """What an application from ``order`` starts with (the deceased's facts, the burial type)."""
    return {
        "deceased_name": order.deceased_name,
        "date_of_death": order.date_of_death,
        "burial_type": order.burial_choice or "",
        "relation": order.contact_relation,
        "payee_name": order.contact_name,
    }


def start_application(scheme, *, applicant, order=None, deceased_id="", today=None, **fields):
    """A draft. From an order, only the order's owner may apply and the deceased is the order's;
    standalone, the deceased's identity number is checked (GB 11643) and kept masked plus a
    keyed digest, so the same death can't claim a scheme twice."""
    if not can_apply(applicant):
        raise PermissionDenied(_("请先用短信验证码验证手机号码，再申请惠民殡葬。"))
    if order is not None:
        if order.user_id != applicant.pk:
            raise PermissionDenied(_("只能为自己的订单申请。"))
        if order.status not in WAIVABLE_ORDER_STATUSES:
            raise ValidationError(_("订单 %(ref)s 已取消，不能申请。") % {"ref": order.reference})
        fields = {**facts_from_order(order), **fields, **{name: getattr(order, name) for name in ORDER_FACTS}}
        masked, digest = order.deceased_id_masked, order.deceased_id_hmac
    else:
        try:
            number = identity.validate_resident_id(deceased_id)
        except ValidationError as error:
            raise ValidationError({"deceased_id": error.messages}) from error
        masked, digest = identity.mask(number), identity.digest(number)
    unknown = set(fields) - set(APPLICANT_FIELDS)
    if unknown:
        raise ValidationError(_("未知的申请事项：%(names)s") % {"names": ", ".join(sorted(unknown))})
    application = BenefitApplication(
        scheme=scheme,
        applicant=applicant,
        order=order,
        deceased_id_masked=masked,
        deceased_id_hmac=digest,
        **fields,
    )
    application.full_clean(exclude=["number"])
    day = _today(today)
    for _attempt in range(5):
        application.number = _new_number(day)
        try:
            with transaction.atomic():
                application.save()
            return application
        except IntegrityError:
            application.pk = None
            continue  # two drafts took the same number at once; take the next one
    raise IntegrityError("could not allot an application number")


def update_application(application, *, user):
    """Save what the applicant changed while it is a draft or asked for more documents. The
    deceased's facts of an application from an order stay the order's."""
    with transaction.atomic():
        stored = _locked(application)
        _own(stored, user)
        if stored.status not in EDITABLE_STATES:
            raise ValidationError(_("申请已提交，审核期间不能修改。"))
        names = [n for n in APPLICANT_FIELDS if not (stored.order_id and n in ORDER_FACTS)]
        for name in names:
            setattr(stored, name, getattr(application, name))
        stored.full_clean(exclude=["number"])
        stored.save(update_fields=names)
        return stored


def upload_document(application, item, uploaded, *, user):
    """Upload one document the scheme requires (PDF, JPG or PNG, checked by content and size). A
    new upload of the same item replaces the old one, which stays on file, no longer current."""
    with transaction.atomic():
        application = _locked(application)
        _own(application, user)
        if application.status not in EDITABLE_STATES:
            raise ValidationError(_("申请已提交，不能再更换材料；如被要求补充材料，可重新上传。"))
        from .eligibility import criteria_of

        if item not in criteria_of(application)["required_documents"]:
            raise ValidationError({"item": _("请选择所需材料中的一项。")})
        document = ApplicationDocument(
            application=application,
            item=item,
            file=uploaded,
            original_name=str(getattr(uploaded, "name", "") or item)[:200],
            uploaded_by=user,
        )
        document.full_clean(exclude=["application", "uploaded_by"])
        for old in ApplicationDocument.objects.filter(application=application, item=item, current=True):
            old.current = False
            old.save(update_fields=["current"])
        document.save()
        return document


def _start_clock(application, day):
    application.submitted_on = day
    application.first_submitted_on = application.first_submitted_on or day
    application.decision_due = add_working_days(day, settings.B1_DECISION_WORKING_DAYS)


def submit(application, *, user, today=None):
    """B1: submit (or resubmit after a request for documents). Every criterion must pass; the
    scheme's criteria are stored with the application on its first submission."""
    with transaction.atomic():
        application = _locked(application)
        _own(application, user)
        day = _today(today)
        if application.status == A.DRAFT:
            # Stored before the move, so the move's audit entry stays readable (the criteria are data).
            application.criteria = application.scheme.criteria()
            application.save(update_fields=["criteria"])
        failed = explain(check(application, today=day))
        if failed:
            raise ValidationError(failed)
        _start_clock(application, day)
        try:
            with transaction.atomic():
                return transition(
                    application,
                    A.SUBMITTED,
                    user=user,
                    save_fields=("submitted_on", "first_submitted_on", "decision_due"),
                )
        except IntegrityError as error:  # another application for this death was submitted meanwhile
            raise ValidationError(_("该逝者已有同一政策的申请在办理或已批准。")) from error


def request_documents(application, requests, *, user, today=None):
    """B1: the bureau asks for more documents, each with its reason, in one go. The clock stops
    until the family resubmits."""
    with transaction.atomic():
        application = _locked(application)
        if (application.status, A.MORE_DOCUMENTS) not in BenefitApplication.TRANSITIONS:
            raise IllegalTransition(application, application.status, A.MORE_DOCUMENTS)
        wanted = [
            {"item": str(r.get("item", "")).strip(), "reason": str(r.get("reason", "")).strip()}
            for r in requests or ()
        ]
        wanted = [r for r in wanted if r["item"]]
        if not wanted or any(not r["reason"] for r in wanted):
            raise ValidationError({"requested_documents": _("请一次性列明需补充的每项材料及其原因。")})
        required = set(application.criteria.get("required_documents", ()))
        unknown = [r["item"] for r in wanted if r["item"] not in required]
        if unknown:
            raise ValidationError(
                {
                    "requested_documents": _("“%(items)s”不在本政策的所需材料中。")
                    % {"items": "、".join(unknown)}
                }
            )
        application.documents_requested_on = _today(today)
        application.documents_requested_at = timezone.now()
        application.requested_documents = wanted
        application.decision_due = None
        return transition(
            application,
            A.MORE_DOCUMENTS,
            user=user,
            reason="；".join(f"{r['item']}：{r['reason']}" for r in wanted),
            save_fields=(
                "documents_requested_on",
                "documents_requested_at",
                "requested_documents",
                "decision_due",
            ),
        )


def _decide(application, target, *, user, day, reason, save_fields=(), base_url=""):
    application.decided_on = day
    application.decided_by = user
    application.decision_reason = reason
    transition(
        application,
        target,
        user=user,
        reason=reason,
        save_fields=("decided_on", "decided_by", "decision_reason", *save_fields),
    )
    application.decision_letter = letters.issue(application, base_url=base_url)
    application.save(update_fields=["decision_letter"])
    return application


def approve(application, *, user, today=None, reason="", base_url=""):
    """B1: approve. Every criterion is checked again against the stored criteria (the order may
    have changed, another application may have been approved meanwhile)."""
    with transaction.atomic():
        application = _locked(application)
        day = _today(today)
        if application.status != A.SUBMITTED:
            raise IllegalTransition(application, application.status, A.APPROVED)
        checks = check(application, today=day)
        if failures(checks):
            raise ValidationError(explain(checks))
        kind = application.criteria["kind"]
        if kind == SchemeKind.SUBSIDY:
            application.amount = round_money(application.criteria["amount"])
        else:
            lines = waiver_lines(
                application.order, application.criteria["waived_categories"], policy_reference=""
            )
            application.amount = waived_amount(lines)
        with translation.override(settings.LANGUAGE_CODE):  # the decision letter is Chinese
            default = _("经审核，符合%(scheme)s的条件。") % {"scheme": application.scheme.name}
        reason = str(reason or "").strip() or default
        _decide(
            application,
            A.APPROVED,
            user=user,
            day=day,
            reason=reason,
            save_fields=("amount",),
            base_url=base_url,
        )
        if kind == SchemeKind.SUBSIDY:
            instruct_payment(application, application.amount, user=user)
        else:
            apply_waiver(application, user=user)
            application.refresh_from_db()
        return application


def reject(application, *, user, reason, today=None, base_url=""):
    """B1: not approved, with the reasons the family can appeal against."""
    with transaction.atomic():
        application = _locked(application)
        if not str(reason or "").strip():
            raise ValidationError({"decision_reason": _("请写明不予批准的理由。")})
        if (application.status, A.REJECTED) not in BenefitApplication.TRANSITIONS:
            raise IllegalTransition(application, application.status, A.REJECTED)
        return _decide(
            application, A.REJECTED, user=user, day=_today(today), reason=reason.strip(), base_url=base_url
        )


def withdraw(application, *, user, reason=""):
    with transaction.atomic():
        application = _locked(application)
        _own(application, user)
        application.decision_due = None
        return transition(application, A.WITHDRAWN, user=user, reason=reason, save_fields=("decision_due",))


def days_left(application, today=None, special_days=None) -> int | None:
    """Working days until the bureau's deadline (negative once missed), or None. A list passes
    ``special_days`` (``core.dates.special_days``) read once for all its rows."""
    if application.status != A.SUBMITTED or application.decision_due is None:
        return None
    return working_days_between(_today(today), application.decision_due, special_days)


def schemes_open_on(day):
    from .models import BenefitScheme

    return [
        s
        for s in BenefitScheme.objects.order_by("sort_order", "code")
        if s.effective_until is None or s.effective_until >= day
    ]


def applications_for(user):
    return BenefitApplication.objects.filter(applicant=user).select_related("scheme", "order")


def family_orders(user):
    """The family's orders an application can cite."""
    return Order.objects.filter(user=user, status__in=WAIVABLE_ORDER_STATUSES).order_by("-submitted_at")


__all__ = [
    "approve",
    "applications_for",
    "can_apply",
    "days_left",
    "facts_from_order",
    "reject",
    "request_documents",
    "start_application",
    "submit",
    "update_application",
    "upload_document",
    "withdraw",
]
