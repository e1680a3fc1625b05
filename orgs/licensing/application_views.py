"""The applicant's side of online registration (S9), in the workbench: start an establishment,
change or deregistration, fill it in with the pre-checks explained as one types, upload the
checklist's materials, submit, follow every step, and withdraw. Every page is the applicant's
own: another account gets a 404. The rules are in ``registration`` and ``prechecks``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.statemachine import IllegalTransition
from core.stored_files import serve_stored_file
from orgs.registry.models import MemberRole, Organization, OrgStatus

from . import consents, registration
from .forms import ChangeForm, DeregistrationForm, EstablishmentForm, MaterialForm, WithdrawForm
from .models import ApplicationKind, ApplicationMaterial, ApplicationStatus, RegistrationApplication
from .prechecks import checklist_of, run_prechecks
from .presentation import steps_of, summary_sections

A = ApplicationStatus


def _crumbs(*extra):
    index = reverse("registration_workbench:index") if extra else None
    return [(_("机构工作台"), reverse("workbench:index")), (_("登记申请"), index), *extra]


def _own(request, number):
    return get_object_or_404(
        RegistrationApplication.objects.select_related("organization", "supervising_unit"),
        number=number.upper(),
        applicant=request.user,
    )


def _admin_orgs(user):
    return Organization.objects.filter(
        memberships__user=user, memberships__role=MemberRole.ADMIN, status=OrgStatus.NORMAL
    ).order_by("name")


def _errors(request, error):
    for message in error.messages:
        messages.error(request, message)


@login_required
def index(request):
    applications = RegistrationApplication.objects.filter(applicant=request.user).select_related(
        "organization"
    )
    return render(
        request,
        "licensing/applications.html",
        {
            "applications": applications,
            "can_apply": registration.can_apply(request.user),
            "organizations": _admin_orgs(request.user),
            "breadcrumbs": _crumbs(),
        },
    )


def _form_for(application, data=None):
    if application.kind == ApplicationKind.ESTABLISH:
        return EstablishmentForm(data, instance=application)
    if application.kind == ApplicationKind.CHANGE:
        return ChangeForm(data, initial=ChangeForm.initial_for(application) if application.pk else None)
    return DeregistrationForm(data, instance=application)


def _apply_form(application, form):
    """Copy the form's cleaned data onto the (possibly unsaved) application."""
    if application.kind == ApplicationKind.CHANGE:
        application.change_items = form.cleaned_data["change_items"]
        application.reason = form.cleaned_data["reason"]
        application.legal_representative_mobile = form.cleaned_data["legal_representative_mobile"]
    else:
        form.instance = application
        application = form.save(commit=False)
    return application


@login_required
@require_http_methods(["GET", "POST"])
def start(request, kind):
    if kind not in ApplicationKind.values:
        raise Http404
    if not registration.can_apply(request.user):
        return render(request, "licensing/needs_verification.html", {"breadcrumbs": _crumbs()}, status=403)
    organization = None
    if kind != ApplicationKind.ESTABLISH:
        organization = get_object_or_404(_admin_orgs(request.user), uscc=request.GET.get("org", "").upper())
    draft = RegistrationApplication(kind=kind, applicant=request.user, organization=organization)
    form = _form_for(draft, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        draft = _apply_form(draft, form)
        fields = {name: getattr(draft, name) for name in registration.APPLICANT_FIELDS}
        try:
            application = registration.start_application(
                kind, applicant=request.user, organization=organization, **fields
            )
        except (ValidationError, PermissionDenied) as error:
            _errors(request, ValidationError(str(error)) if isinstance(error, PermissionDenied) else error)
        else:
            messages.success(
                request,
                _("申请已保存为草稿，编号 %(number)s。请上传材料后提交。") % {"number": application.number},
            )
            return redirect("registration_workbench:detail", application.number)
    return render(
        request,
        "licensing/application_form.html",
        {
            "form": form,
            "application": draft,
            "checks": run_prechecks(draft) if request.method == "POST" and form.is_valid() else None,
            "breadcrumbs": _crumbs((ApplicationKind(kind).label, None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, number):
    application = _own(request, number)
    if application.status not in registration.EDITABLE_STATES:
        messages.error(request, _("申请已提交，等待审查期间不能修改。"))
        return redirect("registration_workbench:detail", application.number)
    form = _form_for(application, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            registration.update_application(_apply_form(application, form), user=request.user)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("申请已保存。"))
            return redirect("registration_workbench:detail", application.number)
    return render(
        request,
        "licensing/application_form.html",
        {
            "form": form,
            "application": application,
            "checks": run_prechecks(application),
            "breadcrumbs": _crumbs(
                (application.number, reverse("registration_workbench:detail", args=[application.number])),
                (_("修改"), None),
            ),
        },
    )


@login_required
@require_POST
def prechecks(request, kind):
    """The pre-checks of what the form holds now, as an HTML fragment (fetched as one types)."""
    if kind not in ApplicationKind.values or not registration.can_apply(request.user):
        raise Http404
    number = request.POST.get("number", "")
    if number:
        application = _own(request, number)
    else:
        organization = None
        if kind != ApplicationKind.ESTABLISH:
            organization = _admin_orgs(request.user).filter(uscc=request.POST.get("org", "").upper()).first()
            if organization is None:
                raise Http404
        application = RegistrationApplication(kind=kind, applicant=request.user, organization=organization)
    form = _form_for(application, request.POST)
    checks = run_prechecks(_apply_form(application, form)) if form.is_valid() else None
    return render(
        request, "licensing/_prechecks.html", {"checks": checks, "form_errors": not form.is_valid()}
    )


@login_required
def detail(request, number):
    application = _own(request, number)
    items = checklist_of(application)
    materials = {m.item: m for m in application.materials.filter(current=True)}
    editable = application.status in registration.EDITABLE_STATES
    return render(
        request,
        "licensing/application_detail.html",
        {
            "application": application,
            "editable": editable,
            "checks": run_prechecks(application) if editable else None,
            "checklist": [(item, materials.get(item.name)) for item in items or ()],
            "no_checklist": items is None,
            "material_form": MaterialForm(items=[item.name for item in items or ()]) if editable else None,
            "withdraw_form": WithdrawForm()
            if application.status in registration.WITHDRAWABLE_STATES
            else None,
            "steps": steps_of(application),
            "sections": summary_sections(application),
            "days_left": registration.days_left(application),
            "consents": consent_rows(application),
            "breadcrumbs": _crumbs((application.number, None)),
        },
    )


@login_required
@require_POST
def upload(request, number):
    application = _own(request, number)
    items = [item.name for item in checklist_of(application) or ()]
    form = MaterialForm(request.POST, request.FILES, items=items)
    if form.is_valid():
        try:
            registration.upload_material(
                application, form.cleaned_data["item"], form.cleaned_data["file"], user=request.user
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("已上传“%(item)s”。") % {"item": form.cleaned_data["item"]})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(reverse("registration_workbench:detail", args=[application.number]) + "#materials")


@login_required
def material(request, number, pk):
    application = _own(request, number)
    item = get_object_or_404(ApplicationMaterial, pk=pk, application=application)
    return serve_stored_file(
        request, item, file_field="file", sha_field="file_sha256", filename=item.original_name
    )


def consent_rows(application):
    """Each person who must consent, and whether they have (for the application as it stands)."""
    waiting = set(consents.missing_consents(application))
    return [(person, person not in waiting) for person in consents.consenters(application)]


@login_required
@require_POST
def invite(request, number):
    application = _own(request, number)
    try:
        sent = consents.invite(application, user=request.user, base_url=request.build_absolute_uri("/"))
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error if isinstance(error, ValidationError) else ValidationError(str(error)))
    else:
        if sent:
            messages.success(request, _("已向%(count)s人发送确认短信。") % {"count": sent})
        else:
            messages.info(request, _("没有需要发送的确认短信：相关人员已确认，或刚刚发送过，请稍后再试。"))
    return redirect(reverse("registration_workbench:detail", args=[application.number]) + "#consents-h")


@login_required
@require_POST
def submit(request, number):
    application = _own(request, number)
    try:
        application = registration.submit(application, user=request.user)
    except (ValidationError, IllegalTransition) as error:
        _errors(request, error if isinstance(error, ValidationError) else ValidationError(str(error)))
    else:
        messages.success(
            request,
            _("申请已提交。登记管理机关将在%(date)s前完成形式审查。")
            % {"date": application.formal_check_due.isoformat()},
        )
    return redirect("registration_workbench:detail", application.number)


@login_required
@require_POST
def withdraw(request, number):
    application = _own(request, number)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            registration.withdraw(application, user=request.user, reason=form.cleaned_data["reason"])
        except IllegalTransition as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("申请已撤回。"))
    return redirect("registration_workbench:detail", application.number)
