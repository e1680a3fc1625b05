"""The family's 惠民殡葬 pages under /benefits/ (B1), signed in. Thin: parse input, call a
service, render.

* ``index`` — 我的申请, the schemes open today, and the family's orders to apply from;
* ``apply`` — a new application, standalone or from the family's own order (``?order=``);
  ``checks`` answers the live eligibility checks of what the form holds as an HTML fragment
  (``core/live-checks.js``; without JavaScript they show when the form is saved);
* ``detail`` and its actions — edit, upload a document, submit, withdraw, download a
  document and the sealed decision letter.

Every application is the applicant's own (``_own``) and every order the family's own
(``family_order_or_404``): anyone else gets 404, so nothing discloses that it exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.dates import special_days
from core.statemachine import IllegalTransition
from core.stored_files import serve_stored_file
from core.verification import serve_verified
from marketplace.catalogue.models import BurialChoice
from marketplace.catalogue.models.choices import District
from marketplace.orders import identity
from marketplace.orders.models import ChangeStatus
from marketplace.orders.permissions import family_order_or_404

from . import eligibility, services, waivers
from .forms import ApplicationForm, DocumentForm, WithdrawForm
from .models import (
    APPLICANT_FIELDS,
    DECIDED_STATES,
    ApplicationDocument,
    ApplicationStatus,
    BenefitApplication,
    FamilyStatus,
)

A = ApplicationStatus
# The identity number a family typed and the server validated, kept in its own session (never
# in the page) while the rest of the form is corrected: bad input loses nothing.
KEPT_ID_SESSION_KEY = "benefits_kept_id"
CHECKED_STATES = (A.DRAFT, A.MORE_DOCUMENTS, A.SUBMITTED)


def crumbs(*extra):
    index = reverse("benefits:index") if extra else None
    return [(_("惠民殡葬申请"), index), *extra]


def _own(request, number):
    """The signed-in family's application ``number``; anyone else's answers 404."""
    return get_object_or_404(
        BenefitApplication.objects.select_related(
            "scheme", "order", "order__provider", "decision_letter", "waiver_change"
        ),
        number=number.upper(),
        applicant=request.user,
    )


def _open_scheme_or_404(code):
    """A scheme a family can apply for today (``services.schemes_open_on``)."""
    for scheme in services.schemes_open_on(timezone.localdate()):
        if scheme.code == code:
            return scheme
    raise Http404


def _order_from(request):
    """The family's own order named by ``order`` (query or form), or None. Another family's
    order answers 404."""
    reference = (request.POST.get("order") or request.GET.get("order") or "").strip().upper()
    if not reference:
        return None
    return family_order_or_404(request.user, reference=reference)


def _needs_verification(request):
    return render(
        request,
        "benefits/needs_verification.html",
        {"breadcrumbs": crumbs((_("需要验证手机号码"), None))},
        status=403,
    )


# --- Presentation ------------------------------------------------------------------------------------


def _labels(choices, values):
    labels = dict(choices)
    return eligibility.joined(labels.get(value, value) for value in values)


def scheme_terms(scheme):
    """The scheme's criteria in words, as the family reads them before applying."""
    terms = []
    if scheme.districts:
        terms.append(
            _("逝者户籍在%(districts)s。") % {"districts": _labels(District.choices, scheme.districts)}
        )
    else:
        terms.append(_("逝者户籍在本市任一区。"))
    if scheme.burial_types:
        terms.append(
            _("安葬方式为%(types)s。") % {"types": _labels(BurialChoice.choices, scheme.burial_types)}
        )
    if scheme.family_statuses:
        terms.append(
            _("家庭情况为%(statuses)s之一。")
            % {"statuses": _labels(FamilyStatus.choices, scheme.family_statuses)}
        )
    if scheme.effective_until:
        terms.append(
            _("死亡日期在 %(start)s 至 %(end)s 之间。")
            % {"start": scheme.effective_from.isoformat(), "end": scheme.effective_until.isoformat()}
        )
    else:
        terms.append(_("死亡日期在 %(start)s 以后。") % {"start": scheme.effective_from.isoformat()})
    if scheme.claim_window_days is not None:
        terms.append(_("须在死亡后 %(days)s 天内申请。") % {"days": scheme.claim_window_days})
    if scheme.is_waiver:
        terms.append(_("须通过本平台的殡葬服务订单申请，减免计入订单账单。"))
    else:
        terms.append(_("同一逝者只能享受一次。"))
    return terms


# The answers each criterion reads: while one is blank the criterion is pending (待填写),
# not failed, so a form being filled in doesn't start as a wall of crosses.
CHECK_INPUTS = {
    "in_force": ("date_of_death",),
    "window": ("date_of_death",),
    "district": ("hukou_district",),
    "burial": ("burial_type",),
    "family_status": ("family_status",),
    "payee": ("payee_name", "payee_bank", "payee_account"),
    "once": ("deceased_id_hmac",),
}


def check_rows(checks, application, *, new=False):
    """The checks as the pages show them: passed, failed, or pending with what it waits for."""
    rows = []
    for check in checks:
        row = {"check": check, "state": "pass" if check.passed else "fail", "explanation": check.explanation}
        blank = check.key in CHECK_INPUTS and not all(
            getattr(application, name, "") for name in CHECK_INPUTS[check.key]
        )
        if check.key == "documents" and new and not check.passed:
            row.update(
                state="pending",
                badge=_("待上传"),
                explanation=_("保存草稿后，逐项上传所需材料。") + " " + check.explanation,
            )
        elif check.key == "once" and blank:
            row.update(state="pending", badge=_("待填写"), explanation=_("填写逝者身份证号后核对。"))
        elif blank and not check.passed:
            row.update(state="pending", badge=_("待填写"))
        rows.append(row)
    return rows


def _days_left_each(applications, today):
    """``services.days_left`` for a list, with one calendar lookup for all of them (the page's
    queries stay flat however many applications the family has)."""
    waiting = [a for a in applications if a.status == A.SUBMITTED and a.decision_due is not None]
    if not waiting:
        return {}
    days = [today, *(a.decision_due for a in waiting)]
    special = special_days(min(days), max(days))
    return {a.pk: services.days_left(a, today, special) for a in waiting}


def facts_of(application):
    """The application's facts as (label, value) rows; the identity number and the bank
    account only masked."""
    rows = [
        (_("政策"), application.scheme.display_name),
        (_("逝者姓名"), application.deceased_name),
        (_("逝者居民身份证号"), application.deceased_id_masked),
        (_("死亡日期"), application.date_of_death.isoformat()),
        (_("逝者户籍所在区"), application.get_hukou_district_display() or "—"),
        (_("安葬方式"), application.get_burial_type_display() or "—"),
        (_("家庭情况"), application.get_family_status_display() or "—"),
        (_("申请人与逝者关系"), application.relation or "—"),
    ]
    if not application.scheme.is_waiver:
        rows += [
            (_("收款人姓名"), application.payee_name or "—"),
            (_("开户银行"), application.payee_bank or "—"),
            (_("银行账号"), application.payee_account_masked or "—"),
        ]
    return rows


def steps_of(application, days_left):
    """The timeline: submitted, more documents requested (each item and why), the bureau's
    review and its deadline, the decision. Each step done, current or upcoming."""

    def step(key, title):
        return {"key": key, "title": title, "state": "upcoming", "date": None, "note": "", "items": []}

    status = application.status
    submitted = step("submitted", _("提交申请"))
    if application.first_submitted_on:
        submitted.update(state="done", date=application.first_submitted_on)
    elif status == A.DRAFT:
        submitted.update(state="current", note=_("上传全部材料、各项条件都通过后提交。"))
    steps = [submitted]
    if application.documents_requested_on:
        more = step("more_documents", _("补充材料"))
        more.update(date=application.documents_requested_on, items=application.requested_documents)
        if status == A.MORE_DOCUMENTS:
            more.update(state="current", note=_("请按要求上传后重新提交；重新提交后，审核期限重新计算。"))
        else:
            more.update(state="done")
            if application.submitted_on and application.submitted_on >= application.documents_requested_on:
                more["note"] = _("已于 %(date)s 重新提交。") % {"date": application.submitted_on.isoformat()}
        steps.append(more)
    review = step("review", _("民政部门审核"))
    if status == A.SUBMITTED:
        review["state"] = "current"
        if application.decision_due:
            review["note"] = _("民政部门应在 %(date)s 前作出决定。") % {
                "date": application.decision_due.isoformat()
            }
            if days_left is not None and days_left < 0:
                review["note"] += " " + _("已超过审核期限，已自动提醒民政部门。")
    elif status in DECIDED_STATES:
        review.update(state="done", date=application.submitted_on)
    steps.append(review)
    decision = step("decision", _("审核决定"))
    if status in DECIDED_STATES:
        decision.update(state="done", date=application.decided_on, note=application.get_status_display())
    elif status == A.WITHDRAWN:
        decision.update(state="done", title=_("已撤回"), note=_("申请人撤回了申请。"))
    steps.append(decision)
    return steps


def waiver_state(application):
    """Where an approved waiver stands: waiting for the contract, a change order to sign,
    signed (and what was refunded), or a payment instruction for a completed service."""
    if application.instruction_number:
        return {"state": "instruction"}
    change = application.waiver_change
    if change is None:
        return {"state": "waiting"}
    state = {"change": change, "order": application.order}
    if change.status == ChangeStatus.PROPOSED:
        return {**state, "state": "to_sign"}
    if change.status == ChangeStatus.FAMILY_SIGNED:
        return {**state, "state": "countersign"}
    if change.status == ChangeStatus.SIGNED:
        return {**state, "state": "signed", "refunded": waivers.refunded_for(application)}
    return {**state, "state": "waiting"}


def _documents(application, bound=None):
    """One row per required item: the current upload, the files it replaced, the bureau's
    reason when it asked for the item again, and (while editable) its upload form."""
    required = eligibility.criteria_of(application)["required_documents"]
    reasons = {}
    if application.status == A.MORE_DOCUMENTS:
        for request in application.requested_documents or ():
            reasons.setdefault(request.get("item"), []).append(request.get("reason", ""))
    uploads = {}
    for document in application.documents.all().order_by("item", "-pk"):
        uploads.setdefault(document.item, []).append(document)
    current_uploads = {d.item: d.uploaded_at for files in uploads.values() for d in files if d.current}
    missing = set(
        eligibility.missing_documents(application, eligibility.criteria_of(application), current_uploads)
    )
    rows = []
    for index, item in enumerate(required):
        files = uploads.get(item, [])
        current = next((d for d in files if d.current), None)
        form = None
        if application.is_editable:
            if bound is not None and bound.data.get("item") == item:
                form = bound
            else:
                form = DocumentForm(auto_id=f"doc{index}_%s", initial={"item": item}, item=item)
        requested = reasons.get(item, [])
        rows.append(
            {
                "index": index,
                "item": item,
                "current": current,
                # Asked for again: the file on record is from before the request (B1's documents check).
                "reupload": bool(requested) and item in missing,
                "replaced": [d for d in files if not d.current],
                "reasons": reasons.get(item, []),
                "form": form,
            }
        )
    return rows


def _detail_context(request, application, *, bound_upload=None, submit_errors=()):
    today = timezone.localdate()
    days_left = services.days_left(application, today)
    approved = application.status == A.APPROVED
    return {
        "application": application,
        "scheme": application.scheme,
        "facts": facts_of(application),
        "days_left": days_left,
        "steps": steps_of(application, days_left),
        "checks": check_rows(eligibility.check(application, today=today), application)
        if application.status in CHECKED_STATES
        else None,
        "documents": _documents(application, bound_upload),
        "can_withdraw": (application.status, A.WITHDRAWN) in BenefitApplication.TRANSITIONS,
        "waiver": waiver_state(application) if approved and application.scheme.is_waiver else None,
        "letter": application.decision_letter,
        "submit_errors": list(submit_errors),
        "upload_form": bound_upload,
        "breadcrumbs": crumbs((application.number, None)),
    }


def _render_detail(request, application, status=200, **extra):
    return render(
        request, "benefits/detail.html", _detail_context(request, application, **extra), status=status
    )


def _form_errors(form, error):
    """Put a service's ValidationError on the form: a field's message next to that field,
    anything else at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            messages_ = [m for e in errors for m in e.messages]
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


# --- 我的申请 -----------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    today = timezone.localdate()
    user = request.user
    selected = _order_from(request)
    applications = list(services.applications_for(user).order_by("-created_at", "-pk"))
    days = _days_left_each(applications, today)
    schemes = services.schemes_open_on(today)
    prefetch_related_objects(schemes, "waived_categories")
    orders = list(services.family_orders(user).select_related("provider")[:20])
    return render(
        request,
        "benefits/index.html",
        {
            "applications": [(a, days.get(a.pk)) for a in applications],
            "schemes": [(scheme, scheme_terms(scheme)) for scheme in schemes],
            "orders": orders,
            "selected_order": selected,
            "can_apply": services.can_apply(user),
            "breadcrumbs": crumbs(),
        },
    )


# --- A new application, and editing a draft ------------------------------------------------------------


def _kept_id(request, scheme):
    return (request.session.get(KEPT_ID_SESSION_KEY) or {}).get(scheme.code, "")


def _keep_id(request, scheme, number):
    kept = dict(request.session.get(KEPT_ID_SESSION_KEY) or {})
    if number:
        kept[scheme.code] = number
    else:
        kept.pop(scheme.code, None)
    request.session[KEPT_ID_SESSION_KEY] = kept


def _initial(scheme, order, user):
    if order is not None:
        facts = services.facts_from_order(order)
        return {name: facts[name] for name in facts if name not in services.ORDER_FACTS}
    return {"payee_name": user.real_name} if user.real_name else {}


def _new_draft(request, scheme, order, form):
    """The unsaved application the form describes, for the live checks."""
    fields = form.applicant_fields() if form.is_bound else dict(form.initial)
    fields = {name: value for name, value in fields.items() if name in APPLICANT_FIELDS and value}
    draft = BenefitApplication(scheme=scheme, applicant=request.user, order=order, **fields)
    if order is not None:
        for name in services.ORDER_FACTS:
            setattr(draft, name, getattr(order, name))
        draft.deceased_id_masked, draft.deceased_id_hmac = order.deceased_id_masked, order.deceased_id_hmac
    else:
        number = (getattr(form, "cleaned_data", {}) or {}).get("deceased_id") or _kept_id(request, scheme)
        if number:
            draft.deceased_id_masked, draft.deceased_id_hmac = identity.mask(number), identity.digest(number)
    return draft


def _edited(application, form):
    """The stored application with what the form holds now (not saved)."""
    if form.is_bound:
        form.is_valid()
        for name, value in form.applicant_fields().items():
            if name in APPLICANT_FIELDS:
                setattr(application, name, value)
    return application


def _form_page(request, *, scheme, form, draft, order=None, application=None, status=200):
    if application is not None:
        trail = crumbs(
            (application.number, application.get_absolute_url()),
            (_("修改申请"), None),
        )
    else:
        trail = crumbs((scheme.display_name, None))
    return render(
        request,
        "benefits/apply.html",
        {
            "scheme": scheme,
            "terms": scheme_terms(scheme),
            "form": form,
            "order": order or (application.order if application else None),
            "application": application,
            "draft": draft,
            "checks": check_rows(eligibility.check(draft), draft, new=application is None),
            "new": application is None,
            "breadcrumbs": trail,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, scheme):
    scheme = _open_scheme_or_404(scheme)
    if not services.can_apply(request.user):
        return _needs_verification(request)
    order = _order_from(request)
    if order is not None and order.status not in waivers.WAIVABLE_ORDER_STATUSES:
        messages.error(request, _("订单 %(ref)s 已取消，不能申请。") % {"ref": order.reference})
        return redirect("benefits:index")
    kept = "" if order is not None else _kept_id(request, scheme)
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        scheme=scheme,
        order=order,
        kept_id=kept,
        initial=_initial(scheme, order, request.user),
    )
    if request.method == "POST":
        valid = form.is_valid()
        typed = form.cleaned_data.get("deceased_id", "") if order is None else ""
        if typed:
            # Validated: kept in the session, never written back into the page.
            _keep_id(request, scheme, typed)
            form.keep_id(typed)
        if valid:
            fields = {k: v for k, v in form.applicant_fields().items() if k in APPLICANT_FIELDS}
            try:
                application = services.start_application(
                    scheme, applicant=request.user, order=order, deceased_id=typed, **fields
                )
            except ValidationError as error:
                _form_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                _keep_id(request, scheme, "")
                messages.success(
                    request,
                    _("申请已保存为草稿，编号 %(number)s。请上传所需材料后提交。")
                    % {"number": application.number},
                )
                return redirect(application)
    draft = _new_draft(request, scheme, order, form)
    return _form_page(
        request,
        scheme=scheme,
        form=form,
        draft=draft,
        order=order,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, number):
    application = _own(request, number)
    if not application.is_editable:
        messages.error(request, _("申请已提交，审核期间不能修改。"))
        return redirect(application)
    scheme = application.scheme
    initial = {name: getattr(application, name) for name in APPLICANT_FIELDS}
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        scheme=scheme,
        application=application,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        _edited(application, form)
        try:
            services.update_application(application, user=request.user)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("申请已保存。"))
            return redirect(application)
    return _form_page(
        request,
        scheme=scheme,
        form=form,
        draft=_edited(application, form),
        application=application,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def checks(request, scheme):
    """The live eligibility checks of what the form holds now, as an HTML fragment."""
    scheme = _open_scheme_or_404(scheme)
    if not services.can_apply(request.user):
        raise Http404
    number = request.POST.get("number", "").strip()
    if number:
        application = _own(request, number)
        if application.scheme_id != scheme.pk or not application.is_editable:
            raise Http404
        form = ApplicationForm(request.POST, scheme=scheme, application=application)
        draft = _edited(application, form)
    else:
        order = _order_from(request)
        kept = "" if order is not None else _kept_id(request, scheme)
        form = ApplicationForm(request.POST, scheme=scheme, order=order, kept_id=kept)
        form.is_valid()
        draft = _new_draft(request, scheme, order, form)
    return render(
        request,
        "benefits/_checks.html",
        {"checks": check_rows(eligibility.check(draft), draft, new=draft.pk is None)},
    )


# --- One application ---------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request, number):
    return _render_detail(request, _own(request, number))


@login_required
@require_POST
def upload(request, number):
    application = _own(request, number)
    required = eligibility.criteria_of(application)["required_documents"]
    item = request.POST.get("item", "")
    index = required.index(item) if item in required else 0
    form = DocumentForm(
        request.POST, request.FILES, auto_id=f"doc{index}_%s", item=item if item in required else ""
    )
    back = reverse("benefits:detail", args=[application.number]) + "#documents-h"
    if form.is_valid():
        try:
            services.upload_document(
                application, form.cleaned_data["item"], form.cleaned_data["file"], user=request.user
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已上传“%(item)s”。") % {"item": form.cleaned_data["item"]})
            return redirect(back)
    if item not in required or not application.is_editable:
        # No upload form on the page to show it by (not this application's item, or no longer
        # editable): the messages go at the top.
        for message in [m for errors in form.errors.values() for m in errors]:
            messages.error(request, message)
        return redirect(back)
    return _render_detail(request, application, status=400, bound_upload=form)


@login_required
@require_GET
def document(request, number, pk):
    application = _own(request, number)
    uploaded = get_object_or_404(ApplicationDocument, pk=pk, application=application)
    return serve_stored_file(
        request, uploaded, file_field="file", sha_field="file_sha256", filename=uploaded.original_name
    )


@login_required
@require_POST
def submit(request, number):
    application = _own(request, number)
    resubmit = application.status == A.MORE_DOCUMENTS
    try:
        application = services.submit(application, user=request.user)
    except ValidationError as error:
        failed = eligibility.failures(eligibility.check(application))
        if failed:
            errors = [
                {
                    "anchor": "documents-h" if check.key == "documents" else f"check-{check.key}",
                    "message": _("%(label)s：%(explanation)s")
                    % {"label": check.label, "explanation": check.explanation},
                }
                for check in failed
            ]
        else:
            errors = [{"anchor": "", "message": message} for message in error.messages]
        return _render_detail(request, application, status=400, submit_errors=errors)
    except IllegalTransition as error:
        messages.error(request, str(error))
        return redirect(application)
    text = (
        _("已重新提交。民政部门将在 %(date)s 前作出决定。")
        if resubmit
        else _("申请已提交。民政部门将在 %(date)s 前作出决定。")
    )
    messages.success(request, text % {"date": application.decision_due.isoformat()})
    return redirect(application)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, number):
    application = _own(request, number)
    if (application.status, A.WITHDRAWN) not in BenefitApplication.TRANSITIONS:
        messages.error(request, _("申请已有审核决定或已撤回，不能撤回。"))
        return redirect(application)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(application, user=request.user, reason=form.cleaned_data["reason"])
        except IllegalTransition as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("申请已撤回。"))
        return redirect(application)
    return render(
        request,
        "benefits/withdraw.html",
        {
            "application": application,
            "form": form,
            "breadcrumbs": crumbs(
                (application.number, application.get_absolute_url()), (_("撤回申请"), None)
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def letter(request, number):
    """The sealed decision letter, served only while its bytes match what was sealed (409 with
    an explanation otherwise)."""
    application = _own(request, number)
    if application.decision_letter is None:
        raise Http404
    return serve_verified(request, application.decision_letter, f"{application.number}.pdf")


__all__ = [
    "apply",
    "checks",
    "detail",
    "document",
    "edit",
    "index",
    "letter",
    "submit",
    "upload",
    "withdraw",
]
