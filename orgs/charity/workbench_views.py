"""Organisation staff: their projects and the disclosure records they publish.
Another organisation's projects answer 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import get_managed_or_404
from core.models import EarlyWarning
from core.statemachine import IllegalTransition
from orgs.registry.models import Organization

from . import services
from .forms import BasicInfoForm, DonationForm, ExpenditureForm, ImportForm, ProgressReportForm, ProjectForm
from .imports import staging
from .imports.checking import check, confirm
from .imports.reading import ImportFileError, read_rows
from .imports.specs import SPECS, template_csv
from .models import BasicInfoDisclosure, CharityProject

LATEST = 50  # rows of each kind on a workbench project page

RECORD_FORMS = {
    "donation": (DonationForm, gettext_lazy("登记捐赠")),
    "expenditure": (ExpenditureForm, gettext_lazy("登记支出")),
    "report": (ProgressReportForm, gettext_lazy("公开进展报告")),
}


def _organization(request, uscc):
    return get_managed_or_404(request.user, Organization.objects.all(), uscc=uscc.upper())


def _project(request, organization, pk):
    return get_managed_or_404(
        request.user,
        CharityProject.objects.filter(organization=organization).select_related("organization"),
        pk=pk,
    )


def _crumbs(organization, *extra):
    label = _("%(org)s · 慈善项目") % {"org": organization.name}
    home = reverse("charity_workbench:home", args=[organization.uscc]) if extra else None
    return [(_("机构工作台"), reverse("workbench:index")), (label, home), *extra]


@login_required
def home(request, uscc):
    organization = _organization(request, uscc)
    today = timezone.localdate()
    projects = services.quantize_totals(
        services.with_totals(services.projects_with_reports().filter(organization=organization))
    )
    for project in projects:
        project.overdue = services.overdue_items(project, today, reports=services.current_reports(project))
    return render(
        request,
        "charity/workbench_home.html",
        {
            "organization": organization,
            "projects": projects,
            "warnings": EarlyWarning.objects.open()
            .for_organisation(organization.uscc)
            .filter(kind__startswith="charity.")
            .order_by("deadline"),
            "breadcrumbs": _crumbs(organization),
        },
    )


@login_required
def project_form(request, uscc, pk=None):
    organization = _organization(request, uscc)
    project = _project(request, organization, pk) if pk else CharityProject(organization=organization)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.save_project(form.save(commit=False), user=request.user)
        messages.success(request, _("项目已保存。"))
        return redirect("charity_workbench:project", organization.uscc, form.instance.pk)
    title = _("修改项目") if pk else _("新建慈善项目")
    return render(
        request,
        "charity/workbench_form.html",
        {
            "organization": organization,
            "form": form,
            "title": title,
            "breadcrumbs": _crumbs(organization, (title, None)),
        },
    )


@login_required
def project_detail(request, uscc, pk):
    organization = _organization(request, uscc)
    project = _project(request, organization, pk)
    return render(
        request,
        "charity/workbench_project.html",
        {
            "organization": organization,
            "project": project,
            "overdue": services.overdue_items(project, timezone.localdate()),
            "status_actions": services.status_actions(project),
            # The latest rows; every row is on the public page and in the open data.
            "donations": project.donations.select_related("corrects").order_by("-donated_on", "-pk")[:LATEST],
            "donation_count": project.donations.count(),
            "expenditures": project.expenditures.select_related("corrects").order_by("-spent_on", "-pk")[
                :LATEST
            ],
            "expenditure_count": project.expenditures.count(),
            "reports": project.reports.select_related("corrects").order_by("-published_on", "-pk"),
            "breadcrumbs": _crumbs(organization, (project.name, None)),
        },
    )


@login_required
def record_form(request, uscc, pk, kind):
    organization = _organization(request, uscc)
    project = _project(request, organization, pk)
    form_class, title = RECORD_FORMS[kind]
    form = form_class(request.POST or None, request.FILES or None, project=project)
    if request.method == "POST" and form.is_valid():
        services.publish(
            form.save(commit=False), user=request.user, attachments=form.cleaned_data.get("attachments", [])
        )
        messages.success(request, _("已公开。"))
        return redirect("charity_workbench:project", organization.uscc, project.pk)
    return render(
        request,
        "charity/workbench_form.html",
        {
            "organization": organization,
            "project": project,
            "form": form,
            "title": title,
            "multipart": True,
            "breadcrumbs": _crumbs(
                organization,
                (project.name, reverse("charity_workbench:project", args=[organization.uscc, project.pk])),
                (title, None),
            ),
        },
    )


def _spec(kind):
    spec = SPECS.get(kind)
    if spec is None:
        raise Http404
    return spec


@login_required
def import_template(request, uscc, kind):
    _organization(request, uscc)
    spec = _spec(kind)
    response = HttpResponse(template_csv(spec), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{spec.kind}-template.csv"'
    return response


@login_required
def import_records(request, uscc, pk, kind):
    """Upload → dry run report; confirm → all-or-nothing import of the checked file."""
    organization = _organization(request, uscc)
    project = _project(request, organization, pk)
    spec = _spec(kind)
    form = ImportForm()
    result = token = None
    if request.method == "POST" and "token" in request.POST:
        staged_token = request.POST["token"]
        kept = staging.staged(request.user, staged_token, project, spec)
        if kept is None:
            messages.error(request, _("检查结果已过期，请重新上传文件。"))
            return redirect("charity_workbench:import", organization.uscc, project.pk, spec.kind)
        try:
            rows = read_rows(*kept, spec)
        except ImportFileError as error:  # the limits changed since the dry run
            staging.discard(request.user, staged_token)
            messages.error(request, str(error))
            return redirect("charity_workbench:import", organization.uscc, project.pk, spec.kind)
        result = confirm(project, rows, user=request.user, spec=spec)
        if result.ok:
            staging.discard(request.user, staged_token)
            messages.success(
                request,
                _("已导入%(created)s条记录，跳过已登记的%(skipped)s条。")
                % {"created": result.created, "skipped": result.skipped},
            )
            return redirect("charity_workbench:project", organization.uscc, project.pk)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                rows = read_rows(upload.name, data, spec)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                result = check(project, rows, spec=spec)
                if result.ok and result.new:
                    token = staging.stage(request.user, project, spec, upload.name, data)
    return render(
        request,
        "charity/workbench_import.html",
        {
            "organization": organization,
            "project": project,
            "spec": spec,
            "form": form,
            "result": result,
            "token": token,
            "title": spec.title,
            "breadcrumbs": _crumbs(
                organization,
                (project.name, reverse("charity_workbench:project", args=[organization.uscc, project.pk])),
                (spec.title, None),
            ),
        },
    )


@login_required
@require_POST
def change_status(request, uscc, pk):
    """Move the project along its transition table (see CharityProject.TRANSITIONS)."""
    organization = _organization(request, uscc)
    project = _project(request, organization, pk)
    try:
        services.change_status(project, request.POST.get("status", ""), user=request.user)
    except IllegalTransition:
        messages.error(request, _("项目当前状态下不能进行该操作。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("项目状态已变更为“%(status)s”。") % {"status": project.get_status_display()}
        )
    return redirect("charity_workbench:project", organization.uscc, project.pk)


@login_required
def basic_info(request, uscc):
    """C1: the charity publishes its basic information after recognition or a change."""
    organization = _organization(request, uscc)
    history = list(
        BasicInfoDisclosure.objects.filter(organization=organization).order_by("-published_on", "-pk")
    )
    latest = history[0] if history else None
    initial = (
        {"governing_body": latest.governing_body, "supervisory_body": latest.supervisory_body}
        if latest
        else {}
    )
    form = BasicInfoForm(request.POST or None, request.FILES or None, initial=initial)
    form.instance.organization = organization
    if request.method == "POST" and organization.is_charity and form.is_valid():
        disclosure = form.save(commit=False)
        if not disclosure.articles and latest:
            # The articles stay until a new version is uploaded, with the hash recorded on upload.
            disclosure.articles = latest.articles
            disclosure.articles_sha256 = latest.articles_sha256
        try:
            services.publish_basic_info(disclosure, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("基本信息已公开。"))
            return redirect("charity_workbench:basic_info", organization.uscc)
    title = _("基本信息公开")
    return render(
        request,
        "charity/workbench_basic_info.html",
        {
            "organization": organization,
            "form": form,
            "history": history,
            "obligations": services.basic_info_obligations(organization, disclosures=history),
            "today": timezone.localdate(),
            "c1_days": settings.C1_BASIC_INFO_DISCLOSURE_DAYS,
            "title": title,
            "breadcrumbs": _crumbs(organization, (title, None)),
        },
    )
