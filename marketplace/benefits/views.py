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

from core.statemachine import IllegalTransition
from core.stored_files import serve_stored_file
from core.verification import serve_verified
from marketplace.orders import identity
from marketplace.orders.permissions import family_order_or_404

from . import eligibility, services, waivers
from .forms import ApplicationForm, DocumentForm, WithdrawForm
from .models import (
    APPLICANT_FIELDS,
    ApplicationDocument,
    ApplicationStatus,
    BenefitApplication,
)
from .presentation import (
    check_rows,
    days_left_each,
    document_rows,
    facts_of,
    scheme_terms,
    steps_of,
    waiver_state,
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
        "documents": document_rows(application, bound_upload),
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
    days = days_left_each(applications, today)
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
