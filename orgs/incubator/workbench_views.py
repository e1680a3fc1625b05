"""An organisation's incubator workbench: the programmes open now, each with this
organisation's eligibility (I1) at a glance; the application page with every criterion
explained; and its applications with their state and the bureau's reasons."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import get_managed_or_404
from core.statemachine import IllegalTransition
from core.stored_files import serve_stored_file
from orgs.registry.models import Organization

from .forms import ApplicationForm, EvidenceForm, NeedForm, WithdrawForm
from .models import (
    TRANSITIONS,
    Application,
    ApplicationState,
    Milestone,
    MilestoneEvidence,
    Need,
    Offer,
    OfferApplicationState,
    Programme,
)
from .services.applications import active_application, submit, withdraw
from .services.eligibility import Facts, evaluate, from_json
from .services.matching import match, rank
from .services.milestones import milestone_rows, registration_row, submit_evidence
from .services.offers import (
    active_offer_application,
    apply_to_offer,
    close_need,
    offers_by_kind,
    post_need,
    withdraw_offer_application,
)


def _organization(request, uscc):
    return get_managed_or_404(request.user, Organization.objects.all(), uscc=uscc.upper())


def _crumbs(organization, *extra):
    label = _("%(org)s · 孵化培育") % {"org": organization.name}
    home = reverse("incubator_workbench:home", args=[organization.uscc]) if extra else None
    return [(_("机构工作台"), reverse("workbench:index")), (label, home), *extra]


@login_required
def home(request, uscc):
    organization = _organization(request, uscc)
    today = timezone.localdate()
    facts = Facts.load(organization, today)
    applications = list(
        organization.incubator_applications.select_related("programme").order_by("-submitted_at", "-pk")
    )
    applied = {a.programme_id: a for a in applications if a.state != ApplicationState.WITHDRAWN}
    programmes = [
        {
            "programme": programme,
            "eligibility": evaluate(programme, organization, today, facts=facts),
            "application": applied.get(programme.pk),
        }
        for programme in Programme.objects.open_on(today)
        .select_related("operator")
        .order_by("closes_on", "pk")
    ]
    return render(
        request,
        "incubator/workbench_home.html",
        {
            "organization": organization,
            "programmes": programmes,
            "applications": applications,
            "breadcrumbs": _crumbs(organization),
        },
    )


def apply_page(request, programme, *, existing, file, eligibility, context):
    """The apply page of an organisation or a founding group: the eligibility, and the form
    that files the application through ``file(statement)`` (which re-checks everything)."""
    form = ApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            application = file(form.cleaned_data["statement"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else str(error))
            status = 400
        else:
            messages.success(
                request,
                _("申请已提交，民政局将在 %(date)s 前作出决定。")
                % {"date": application.decision_due.isoformat()},
            )
            return redirect(application.get_absolute_url())
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "incubator/workbench_apply.html",
        {
            **context,
            "programme": programme,
            "eligibility": eligibility,
            "open": programme.is_open(eligibility.checked_on),
            "existing": existing,
            "form": form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, uscc, pk):
    organization = _organization(request, uscc)
    programme = get_object_or_404(Programme.objects.published().select_related("operator"), pk=pk)
    return apply_page(
        request,
        programme,
        existing=active_application(programme, organization),
        file=lambda statement: submit(programme, organization, user=request.user, statement=statement),
        eligibility=evaluate(programme, organization, timezone.localdate()),
        context={
            "organization": organization,
            "applicant_name": organization.name,
            "breadcrumbs": _crumbs(organization, (programme.title, None)),
        },
    )


def _evidence_prefix(milestone):
    # One upload form per milestone on the page: each with its own field ids.
    return f"m{milestone.pk}"


def _with_forms(rows):
    for row in rows:
        row.form = EvidenceForm(prefix=_evidence_prefix(row.milestone))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def application(request, uscc, pk):
    organization = _organization(request, uscc)
    application = get_managed_or_404(
        request.user,
        Application.objects.filter(organization=organization).select_related("programme", "organization"),
        pk=pk,
    )
    withdrawing = request.method == "POST" and request.POST.get("action") == "withdraw"
    form = WithdrawForm(request.POST if withdrawing else None)
    if withdrawing and form.is_valid():
        try:
            withdraw(application, user=request.user, reason=form.cleaned_data["reason"])
        except IllegalTransition:
            messages.error(request, _("该申请当前不能撤回。"))
        else:
            messages.success(request, _("申请已撤回。"))
        return redirect(application.get_absolute_url())
    return _application_page(request, application, form, status=400 if request.method == "POST" else 200)


def _application_page(request, application, withdraw_form, status=200, evidence_form=None):
    """The application page; ``evidence_form`` (bound, with its errors) replaces the empty
    upload form of its milestone, so a refused upload keeps what was typed."""
    rows = _with_forms(milestone_rows(application))
    if evidence_form is not None:
        for row in rows:
            if evidence_form.prefix == _evidence_prefix(row.milestone):
                row.form = evidence_form
    return render(
        request,
        "incubator/workbench_application.html",
        {
            "organization": application.organization,
            "application": application,
            "can_withdraw": (application.state, ApplicationState.WITHDRAWN) in TRANSITIONS,
            "submitted": from_json(application.eligibility),
            "milestones": rows,
            "registration": registration_row(application),
            "incubating": application.state == ApplicationState.INCUBATING,
            "form": withdraw_form,
            "breadcrumbs": _crumbs(application.organization, (application.programme.title, None)),
        },
        status=status,
    )


@login_required
def matches(request, uscc):
    """I2: the open offers ranked for this organisation, each with why and what blocks it."""
    organization = _organization(request, uscc)
    ranked = rank(organization)
    applications = list(
        organization.offer_applications.select_related("offer").order_by("-submitted_at", "-pk")
    )
    applied = {a.offer_id: a for a in applications if a.state != OfferApplicationState.WITHDRAWN}
    return render(
        request,
        "incubator/workbench_matches.html",
        {
            "organization": organization,
            "matches": [{"match": m, "application": applied.get(m.offer.pk)} for m in ranked],
            "applications": applications,
            "breadcrumbs": _crumbs(organization, (_("资源匹配"), None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer(request, uscc, pk):
    organization = _organization(request, uscc)
    offer = get_object_or_404(Offer.objects.published().select_related("funder"), pk=pk)
    existing = active_offer_application(offer, organization)
    action = request.POST.get("action")
    form = ApplicationForm(request.POST if action == "apply" else None)
    status = 200
    if request.method == "POST" and action == "withdraw" and existing is not None:
        try:
            withdraw_offer_application(existing, user=request.user)
        except IllegalTransition:
            messages.error(request, _("该申请当前不能撤回。"))
        else:
            messages.success(request, _("申请已撤回。"))
        return redirect("incubator_workbench:offer", uscc=organization.uscc, pk=offer.pk)
    if request.method == "POST" and action == "apply" and form.is_valid():
        try:
            apply_to_offer(offer, organization, user=request.user, statement=form.cleaned_data["statement"])
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        else:
            messages.success(request, _("申请已提交。"))
            return redirect("incubator_workbench:offer", uscc=organization.uscc, pk=offer.pk)
    elif request.method == "POST":
        status = 400
    today = timezone.localdate()
    return render(
        request,
        "incubator/workbench_offer.html",
        {
            "organization": organization,
            "offer": offer,
            "match": match(offer, organization, today),
            "open": offer.is_open(today),
            "existing": existing,
            "form": form,
            "breadcrumbs": _crumbs(
                organization,
                (_("资源匹配"), reverse("incubator_workbench:matches", args=[organization.uscc])),
                (offer.title, None),
            ),
        },
        status=status,
    )


def _with_answers(needs):
    offers = offers_by_kind()
    for need in needs:
        need.answers = offers.get(need.kind, []) if need.open else []
    return needs


@login_required
@require_http_methods(["GET", "POST"])
def needs(request, uscc):
    organization = _organization(request, uscc)
    form = NeedForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            post_need(organization, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        else:
            messages.success(request, _("需求已发布。"))
            return redirect("incubator_workbench:needs", uscc=organization.uscc)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "incubator/workbench_needs.html",
        {
            "organization": organization,
            "needs": _with_answers(list(organization.incubator_needs.order_by("-posted_at", "-pk"))),
            "form": form,
            "breadcrumbs": _crumbs(organization, (_("资源需求"), None)),
        },
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def close_need_view(request, uscc, pk):
    organization = _organization(request, uscc)
    need = get_object_or_404(Need, organization=organization, pk=pk)
    close_need(need, user=request.user)
    messages.success(request, _("需求已关闭。"))
    return redirect("incubator_workbench:needs", uscc=organization.uscc)


def _own_application(request, uscc, pk):
    organization = _organization(request, uscc)
    return get_managed_or_404(
        request.user,
        Application.objects.filter(organization=organization).select_related("programme", "organization"),
        pk=pk,
    )


@login_required
@require_http_methods(["POST"])
def submit_milestone(request, uscc, pk, milestone):
    application = _own_application(request, uscc, pk)
    milestone = get_object_or_404(Milestone, programme=application.programme, pk=milestone)
    form = EvidenceForm(request.POST, request.FILES, prefix=_evidence_prefix(milestone))
    if form.is_valid():
        try:
            submit_evidence(
                application,
                milestone,
                user=request.user,
                summary=form.cleaned_data["summary"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("里程碑证明已提交，等待民政局确认。"))
            return redirect(application.get_absolute_url())
    return _application_page(request, application, WithdrawForm(), status=400, evidence_form=form)


@login_required
def evidence_file(request, uscc, pk):
    organization = _organization(request, uscc)
    evidence = get_object_or_404(
        MilestoneEvidence.objects.select_related("application"), application__organization=organization, pk=pk
    )
    return serve_stored_file(request, evidence, file_field="file", sha_field="file_sha256")
