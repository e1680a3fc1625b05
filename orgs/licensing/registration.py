"""S9: online registration (设立、变更、注销登记), from the application to its licence.

| function | who | what |
|---|---|---|
| :func:`start_application` | a verified account; for a change or deregistration the organisation's admin | a draft with its number |
| :func:`upload_material` | the applicant | one checklist item's file, checked by content; replaces an earlier upload |
| :func:`submit` | the applicant | runs the pre-checks (``prechecks``); any failure blocks; starts the formal-check clock |
| :func:`return_for_completion` | the bureau | the formal check returns it once, naming every missing item |
| :func:`accept` | the bureau | the formal check accepts it (受理); starts the decision clock |
| :func:`approve` | the bureau | the registry changes and the licence follows (below) |
| :func:`refuse` | the bureau | not approved, with reasons and the legal basis |
| :func:`withdraw` | the applicant | until the decision |
| :func:`progress` | anyone with the number | the step and its date only |

Deadlines are working days (``core.dates``, the bureau's holiday calendar):
``formal_check_due`` is ``S9_FORMAL_CHECK_WORKING_DAYS`` after each submission and
``decision_due`` is ``S9_DECISION_WORKING_DAYS[kind]`` after acceptance; ``warnings`` opens an
early warning ``S9_WARNING_WORKING_DAYS`` before either and keeps it open once it is missed.

On approval, in one transaction:

* **establishment**: a new organisation with a new USCC (S1; its organisation code is
  ``S9_ORGANISATION_CODE_PREFIX``, a sequence number and the GB 11714 check character), the
  applicant as its admin, its first licence, and a basic-information credit record (S4);
* **change**: each item through ``orgs.registry.services.record_change``, one new licence for
  the whole registration (the old one is superseded), and a credit record;
* **deregistration**: the status becomes 已注销 (the history stays public), the licence becomes
  the certificate of deregistration, and a credit record.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.dates import add_working_days, working_days_between
from core.statemachine import IllegalTransition, transition
from orgs.credit.models import Category
from orgs.credit.services import record_credit
from orgs.registry import uscc as uscc_module
from orgs.registry.models import (
    CITY_AUTHORITY,
    USCC_TYPE_CODES,
    MemberRole,
    Membership,
    Organization,
    OrgStatus,
    OrgType,
    RegistryChange,
)
from orgs.registry.services import check_change, is_admin, notify_change, record_change

from .consents import void_stale
from .models import (
    APPLICANT_FIELDS,
    EDITABLE_STATES,
    ApplicationKind,
    ApplicationMaterial,
    ApplicationStatus,
    RegistrationApplication,
)
from .prechecks import checklist_of, failures, run_prechecks
from .services import issue_licence

A = ApplicationStatus
Item = RegistryChange.Item
# Items a change registration may change (the status changes only by deregistration).
CHANGE_ITEMS = (
    Item.NAME,
    Item.DOMICILE,
    Item.LEGAL_REPRESENTATIVE,
    Item.BUSINESS_SCOPE,
    Item.REGISTERED_FUNDS,
)


def _today(today):
    return today or timezone.localdate()


def _locked(application):
    return RegistrationApplication.objects.select_for_update().get(pk=application.pk)


def _new_number(day):
    prefix = f"DJ{day:%Y%m%d}"
    taken = RegistrationApplication.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def can_apply(user):
    """A registration is a legal act: the applicant is a real-name account whose mobile number
    is proven by SMS (the same bar as a founding group's)."""
    return (
        user.is_authenticated
        and user.is_mobile_verified
        and user.is_real_name_verified
        and bool(user.real_name)
    )


def start_application(kind, *, applicant, organization=None, today=None, **fields):
    """A draft application by a real-name account whose mobile number is proven by SMS
    (:func:`can_apply`); a change or deregistration also needs the organisation's admin."""
    if kind not in ApplicationKind.values:
        raise ValidationError({"kind": _("请选择申请类型。")})
    if not can_apply(applicant):
        raise PermissionDenied(_("请先完成实名认证并用短信验证码验证手机号码，再办理登记申请。"))
    if kind == ApplicationKind.ESTABLISH:
        organization = None
    elif organization is None or not is_admin(applicant, organization):
        raise PermissionDenied(_("只有该社会组织的管理员可以为其申请变更或注销登记。"))
    day = _today(today)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return RegistrationApplication.objects.create(
                    number=_new_number(day),
                    kind=kind,
                    applicant=applicant,
                    organization=organization,
                    **fields,
                )
        except IntegrityError:
            continue  # two drafts took the same number at once; take the next one
    raise IntegrityError("could not allot an application number")


def _own(application, user):
    if application.applicant_id != user.pk:
        raise PermissionDenied(_("只有申请人本人可以办理这一步。"))


WITHDRAWABLE_STATES = tuple(
    source for source, target in RegistrationApplication.TRANSITIONS if target == A.WITHDRAWN
)


def update_application(application, *, user):
    """Save what the applicant changed on ``application`` while it is a draft or returned."""
    with transaction.atomic():
        stored = _locked(application)
        _own(stored, user)
        if stored.status not in EDITABLE_STATES:
            raise ValidationError(_("申请已提交，等待审查期间不能修改。"))
        for name in APPLICANT_FIELDS:
            setattr(stored, name, getattr(application, name))
        stored.save(update_fields=list(APPLICANT_FIELDS))
        void_stale(stored)  # a consent covers the facts as they were
        return stored


def upload_material(application, item, uploaded, *, user):
    """S9: upload one checklist item (PDF, JPG or PNG, checked by its content and size). A new
    upload of the same item replaces the old one, which stays on file, no longer current."""
    with transaction.atomic():
        application = _locked(application)
        _own(application, user)
        if application.status not in EDITABLE_STATES:
            raise ValidationError(_("申请已提交，不能再更换材料；如被退回补正，可重新上传。"))
        names = [material.name for material in checklist_of(application) or ()]
        if item not in names:
            raise ValidationError({"item": _("请选择材料清单中的一项。")})
        material = ApplicationMaterial(
            application=application,
            item=item,
            file=uploaded,
            original_name=str(getattr(uploaded, "name", "") or item)[:200],
            uploaded_by=user,
        )
        material.full_clean(exclude=["application", "uploaded_by"])
        for old in ApplicationMaterial.objects.filter(application=application, item=item, current=True):
            old.current = False
            old.save(update_fields=["current"])
        material.save()
        return material


def _check_change_items(application):
    items = application.change_items or {}
    if not items:
        raise ValidationError({"change_items": _("请至少填写一项变更事项。")})
    errors = []
    for item, after in items.items():
        if item not in CHANGE_ITEMS:
            errors.append(_("“%(item)s”不能通过变更登记申请办理。") % {"item": item})
            continue
        try:
            check_change(application.organization, item, after)
        except ValidationError as error:
            label = Item(item).label
            errors.extend(f"{label}：{message}" for message in error.messages)
    if errors:
        raise ValidationError({"change_items": errors})


def submit(application, *, user, today=None):
    """S9: submit (or resubmit after a return). Every pre-check must pass."""
    with transaction.atomic():
        application = _locked(application)
        _own(application, user)
        day = _today(today)
        if application.kind == ApplicationKind.CHANGE:
            _check_change_items(application)
        failed = failures(run_prechecks(application, today=day))
        if failed:
            raise ValidationError([f"{check.label}：{check.explanation}" for check in failed])
        application.submitted_on = day
        application.formal_check_due = add_working_days(day, settings.S9_FORMAL_CHECK_WORKING_DAYS)
        return transition(
            application,
            A.SUBMITTED,
            user=user,
            save_fields=("submitted_on", "formal_check_due"),
        )


def return_for_completion(application, missing_items, *, user, today=None):
    """S9: the formal check returns the application once, naming every missing item."""
    with transaction.atomic():
        application = _locked(application)
        missing = [str(item).strip() for item in missing_items or () if str(item).strip()]
        if not missing:
            raise ValidationError({"returned_items": _("退回补正时要一次性列明所有需补正的事项。")})
        if application.returned_on is not None and application.status == A.SUBMITTED:
            raise ValidationError(
                _(
                    "该申请已退回补正过一次（%(date)s），形式审查只能一次性告知补正，请受理后在实质审查中处理。"
                )
                % {"date": application.returned_on.isoformat()}
            )
        application.returned_on = _today(today)
        application.returned_items = missing
        application.formal_check_due = None
        return transition(
            application,
            A.RETURNED,
            user=user,
            reason="；".join(missing),
            save_fields=("returned_on", "returned_items", "formal_check_due"),
        )


def accept(application, *, user, today=None):
    """S9: the materials are complete; the decision is due in working days from today."""
    with transaction.atomic():
        application = _locked(application)
        day = _today(today)
        application.accepted_on = day
        application.formal_check_due = None
        application.decision_due = add_working_days(day, settings.S9_DECISION_WORKING_DAYS[application.kind])
        return transition(
            application,
            A.IN_REVIEW,
            user=user,
            save_fields=("accepted_on", "formal_check_due", "decision_due"),
        )


def refuse(application, *, user, reason, legal_basis, today=None):
    """S9: not approved, with the reasons and the legal basis the applicant can appeal against."""
    with transaction.atomic():
        application = _locked(application)
        errors = {}
        if not str(reason or "").strip():
            errors["decision_reason"] = _("请写明不予登记的理由。")
        if not str(legal_basis or "").strip():
            errors["legal_basis"] = _("请写明不予登记的法律依据。")
        if errors:
            raise ValidationError(errors)
        application.decided_on = _today(today)
        application.decision_reason = reason.strip()
        application.legal_basis = legal_basis.strip()
        return transition(
            application,
            A.REFUSED,
            user=user,
            reason=application.decision_reason,
            save_fields=("decided_on", "decision_reason", "legal_basis"),
        )


def withdraw(application, *, user, reason=""):
    with transaction.atomic():
        application = _locked(application)
        _own(application, user)
        return transition(application, A.WITHDRAWN, user=user, reason=reason)


# --- Approval ---------------------------------------------------------------------------------


def authority_for(org_type, district):
    """Foundations register with the city bureau (基金会管理条例, art. 6: the provincial
    level); social groups and social service organisations with their district's bureau."""
    return CITY_AUTHORITY if org_type == OrgType.FOUNDATION else district


def next_uscc(org_type, division):
    """S1 and GB 11714: the next unused code for a new organisation of ``org_type``."""
    prefix = settings.S9_ORGANISATION_CODE_PREFIX
    width = 8 - len(prefix)
    codes = Organization.objects.filter(uscc__regex=rf"^.{{8}}{prefix}").values_list("uscc", flat=True)
    numbers = [int(code[8 + len(prefix) : 16]) for code in codes if code[8 + len(prefix) : 16].isdigit()]
    first8 = f"{prefix}{(max(numbers, default=0) + 1):0{width}d}"
    organisation_code = first8 + uscc_module.organisation_code_check_char(first8)
    return uscc_module.build(USCC_TYPE_CODES[org_type], division, organisation_code)


def _credit(organization, application, summary, *, user, day):
    authority = organization.get_registration_authority_display()
    record_credit(
        organization,
        category=Category.BASIC,
        decided_on=day,
        summary=summary,
        authority=str(authority),
        document_number=application.number,
        user=user,
    )


def _establish(application, *, user, day):
    authority = authority_for(application.org_type, application.district)
    organization = Organization(
        name=application.proposed_name.strip(),
        uscc=next_uscc(application.org_type, authority),
        org_type=application.org_type,
        registration_authority=authority,
        supervising_unit=application.supervising_unit,
        registered_on=day,
        legal_representative=application.legal_representative.strip(),
        domicile=application.domicile.strip(),
        district=application.district,
        business_scope=application.business_scope.strip(),
        service_field=application.service_field,
        registered_funds=application.registered_capital,
        status=OrgStatus.NORMAL,
    )
    organization.full_clean()
    organization.save()
    Membership.objects.create(user=application.applicant, organization=organization, role=MemberRole.ADMIN)
    issue_licence(
        organization, reason=_("设立登记（%(number)s）") % {"number": application.number}, user=user
    )
    _credit(organization, application, _("准予成立登记"), user=user, day=day)
    return organization


def _apply_items(application, items, reason, *, user, day):
    organization = application.organization
    note = _("登记申请 %(number)s") % {"number": application.number}
    changes = [
        record_change(organization, item, after, changed_on=day, user=user, note=note, notify=False)
        for item, after in items
    ]
    application.changed_from = {change.item: change.before for change in changes}
    organization.refresh_from_db()
    issue_licence(organization, reason=reason, user=user)
    notify_change(organization, changes[-1], user=user)  # the others stay in step; the licence is issued
    _credit(organization, application, reason, user=user, day=day)
    return organization


def approve(application, *, user, today=None, reason=""):
    """S9: approve. The pre-checks run again (a name may have been registered meanwhile)."""
    with transaction.atomic():
        application = _locked(application)
        day = _today(today)
        if application.status != A.IN_REVIEW:
            raise IllegalTransition(application, application.status, A.APPROVED)
        if application.kind == ApplicationKind.CHANGE:
            _check_change_items(application)
        failed = failures(run_prechecks(application, today=day))
        if failed:
            raise ValidationError([f"{check.label}：{check.explanation}" for check in failed])
        with translation.override(settings.LANGUAGE_CODE):  # the registry and the licence are in Chinese
            if application.kind == ApplicationKind.ESTABLISH:
                application.organization = _establish(application, user=user, day=day)
            elif application.kind == ApplicationKind.CHANGE:
                items = [
                    (item, application.change_items[item])
                    for item in CHANGE_ITEMS
                    if item in application.change_items
                ]
                labels = "、".join(str(Item(item).label) for item, _after in items)
                _apply_items(
                    application,
                    items,
                    _("变更登记：%(items)s（%(number)s）") % {"items": labels, "number": application.number},
                    user=user,
                    day=day,
                )
            else:
                _apply_items(
                    application,
                    [(Item.STATUS, OrgStatus.DEREGISTERED)],
                    _("注销登记（%(number)s）") % {"number": application.number},
                    user=user,
                    day=day,
                )
        application.decided_on = day
        application.decision_reason = str(reason or "").strip()
        return transition(
            application,
            A.APPROVED,
            user=user,
            reason=application.decision_reason,
            save_fields=("organization", "changed_from", "decided_on", "decision_reason"),
        )


# --- The public's view --------------------------------------------------------------------------


def progress(number):
    """The step an application is at and the date it got there, and nothing else (S9): a
    number is not a secret, so its holder learns no name, person or reason from it."""
    application = (
        RegistrationApplication.objects.exclude(status=A.DRAFT)
        .filter(number=str(number or "").strip().upper())
        .only("number", "kind", "status", "submitted_on", "returned_on", "accepted_on", "decided_on")
        .first()
    )
    if application is None:
        return None
    dates = {
        A.SUBMITTED: application.submitted_on,
        A.RETURNED: application.returned_on,
        A.IN_REVIEW: application.accepted_on,
        A.APPROVED: application.decided_on,
        A.REFUSED: application.decided_on,
    }
    return {
        "number": application.number,
        "kind": application.get_kind_display(),
        "status": application.status,
        "step": application.get_status_display(),
        "since": dates.get(application.status),
    }


def days_left(application, today=None) -> int | None:
    """Working days until the bureau's current deadline (negative once missed), or None."""
    due = application.formal_check_due or application.decision_due
    if due is None or application.status not in (A.SUBMITTED, A.IN_REVIEW):
        return None
    return working_days_between(_today(today), due)


__all__ = [
    "CHANGE_ITEMS",
    "accept",
    "approve",
    "authority_for",
    "can_apply",
    "days_left",
    "next_uscc",
    "progress",
    "refuse",
    "return_for_completion",
    "start_application",
    "submit",
    "update_application",
    "upload_material",
    "withdraw",
]
