from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import get_managed_or_404, scope
from core.stored_files import serve_stored_file
from orgs.registry.models import Organization

from .forms import AttachmentForm, ReportForm, StartReportForm, answers_by_section
from .models import AnnualReport, ImmutableRecord, ReportAttachment
from .services.attachments import add_attachment, withdraw_attachment
from .services.deadlines import applicable_deadline, countdown, deadlines_for, filing_years, start_report
from .services.ratios import c3_for
from .services.receipt import receipt_pdf
from .services.sections import section_statuses
from .services.sections import totals as sum_of_parts
from .services.submission import submit_report
from .services.validation import (
    attachment_errors,
    content_errors,
    current_attachments,
    required_attachment_kinds,
)


def _report(request, uscc, year):
    return get_managed_or_404(
        request.user,
        AnnualReport.objects.select_related("organization"),
        organization__uscc=uscc.upper(),
        year=year,
    )


def _crumbs(organization, label=None):
    items = [
        (_("机构工作台"), reverse("workbench:index")),
        (organization.name, reverse("registry_workbench:home", args=[organization.uscc])),
        (_("年度报告"), reverse("reports_workbench:list", args=[organization.uscc]) if label else None),
    ]
    if label:
        items.append((label, None))
    return items


@login_required
def index(request):
    organizations = list(scope(request.user, Organization).order_by("name"))
    if len(organizations) == 1:
        return redirect("reports_workbench:list", uscc=organizations[0].uscc)
    return render(
        request,
        "reports/workbench_index.html",
        {
            "organizations": organizations,
            "breadcrumbs": [(_("机构工作台"), reverse("workbench:index")), (_("年度报告"), None)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request, uscc):
    organization = get_managed_or_404(request.user, Organization.objects.all(), uscc=uscc.upper())
    reports = list(organization.annual_reports.order_by("-year"))
    started = {report.year for report in reports}
    years = [year for year in filing_years(organization) if year not in started]
    form = StartReportForm(request.POST or None, years=years) if years else None
    if request.method == "POST" and form is not None and form.is_valid():
        report = start_report(organization, form.cleaned_data["year"], user=request.user)
        return redirect("reports_workbench:edit", uscc=organization.uscc, year=report.year)
    today = timezone.localdate()
    rows = [{"report": report, "countdown": countdown(report, today)} for report in reports]
    return render(
        request,
        "reports/workbench_list.html",
        {
            "organization": organization,
            "rows": rows,
            "form": form,
            "deadlines": deadlines_for(organization, today.year - 1),
            "breadcrumbs": _crumbs(organization),
        },
    )


def _form_context(report, form):
    """The task list (status per section, from the saved draft) and the sums of the parts
    (from what was typed when the form is bound, else from the draft)."""
    values = {name: getattr(report, name) for name in AnnualReport.CONTENT_FIELDS}
    if form.is_bound:
        values.update(getattr(form, "cleaned_data", {}))
    return {
        "tasks": form.tasks(section_statuses(report, form.section_names())),
        "sections": list(form.sections(sum_of_parts(values))),
    }


def _context(report, form=None, attachment_form=None, missing_attachments=None):
    organization = report.organization
    submissions = list(report.submissions.select_related("decision").order_by("-sequence"))
    return {
        **(_form_context(report, form) if form is not None else {}),
        "report": report,
        "organization": organization,
        "form": form,
        "attachment_form": attachment_form or AttachmentForm(),
        "attachments": current_attachments(report),
        "required_kinds": required_attachment_kinds(organization),
        "attachment_errors": missing_attachments or {},
        "submissions": submissions,
        "latest_decision": next((s.decision for s in submissions if hasattr(s, "decision")), None),
        "c3": c3_for(report),
        "countdown": countdown(report),
        "max_mb": settings.REPORT_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "applicable_deadline": applicable_deadline(report),
        "breadcrumbs": _crumbs(organization, _("%(year)s 年度报告") % {"year": report.year}),
    }


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, uscc, year):
    """One multipart form: the report's sections plus an optional file. Every POST first
    saves what was typed as a draft, so nothing is lost whatever happens next."""
    report = _report(request, uscc, year)
    if not report.is_editable:
        return render(request, "reports/report_detail.html", _context(report))
    organization = report.organization
    form = ReportForm(request.POST or None, instance=report, organization=organization)
    attachment_form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return render(request, "reports/report_form.html", _context(report, form))
    here = reverse("reports_workbench:edit", args=[organization.uscc, report.year])
    if not form.is_valid():
        messages.error(request, _("报告尚未保存，请修改标出的问题。"))
        return render(request, "reports/report_form.html", _context(report, form, attachment_form))
    with transaction.atomic():
        form.save()
    if request.POST.get("withdraw"):
        attachment = report.attachments.filter(pk=request.POST["withdraw"], superseded=False).first()
        if attachment is None:
            raise Http404
        withdraw_attachment(attachment, user=request.user)
        messages.success(request, _("附件已移除，草稿已保存。"))
        return redirect(here + "#attachments")
    if request.FILES.get("file"):
        if attachment_form.is_valid():
            try:
                add_attachment(
                    report,
                    attachment_form.cleaned_data["kind"],
                    attachment_form.cleaned_data["file"],
                    user=request.user,
                )
            except ValidationError as error:
                attachment_form.add_error("file", error)
        if attachment_form.errors:
            messages.error(request, _("附件未上传，请查看错误提示。您填写的内容已保存为草稿。"))
            return render(request, "reports/report_form.html", _context(report, form, attachment_form))
        messages.success(request, _("附件已上传。"))
    if "submit" not in request.POST:
        messages.success(request, _("草稿已保存。"))
        return redirect(here + ("#attachments" if request.FILES.get("file") else ""))
    errors = content_errors(form.cleaned_data, organization)
    missing_attachments = attachment_errors(report)
    if not errors and not missing_attachments:
        # Nothing is submitted yet: the check-your-answers page comes first.
        return redirect("reports_workbench:check", uscc=organization.uscc, year=report.year)
    for field, field_errors in errors.items():
        for message in field_errors:
            form.add_error(field if field in form.fields else None, message)
    messages.error(request, _("报告尚未提交，请修改标出的问题。您填写的内容已保存为草稿。"))
    report.refresh_from_db()
    return render(
        request, "reports/report_form.html", _context(report, form, AttachmentForm(), missing_attachments)
    )


def _check_context(report):
    organization = report.organization
    data = {name: getattr(report, name) for name in AnnualReport.CONTENT_FIELDS}
    errors = content_errors(data, organization)
    errors.update(attachment_errors(report))
    form = ReportForm(instance=report, organization=organization)
    here = reverse("reports_workbench:edit", args=[organization.uscc, report.year])
    return {
        "report": report,
        "organization": organization,
        "summary": answers_by_section(form, report, here),
        "sums": sum_of_parts(data),
        "attachments": current_attachments(report),
        "required_kinds": required_attachment_kinds(organization),
        "edit_url": here,
        "problems": [message for messages_ in errors.values() for message in messages_],
        "applicable_deadline": applicable_deadline(report),
        "countdown": countdown(report),
        "breadcrumbs": [
            *_crumbs(organization, _("%(year)s 年度报告") % {"year": report.year})[:-1],
            (_("%(year)s 年度报告") % {"year": report.year}, here),
            (_("核对并提交"), None),
        ],
    }


@login_required
@require_http_methods(["GET", "POST"])
def check(request, uscc, year):
    """Check your answers: every saved answer by section, each with a link back to change it;
    only "确认提交" here submits (``submit_report`` re-checks every S2 rule)."""
    report = _report(request, uscc, year)
    here = reverse("reports_workbench:edit", args=[report.organization.uscc, report.year])
    if not report.is_editable:
        if request.method == "POST":
            messages.info(request, _("该年度报告已提交，不能重复提交。"))
        return redirect(here)
    if request.method == "POST":
        try:
            submission = submit_report(report, user=request.user)
        except ValidationError:
            messages.error(request, _("报告尚未提交，请先修改下列问题。"))
            return render(request, "reports/report_check.html", _check_context(report), status=400)
        except ImmutableRecord:
            messages.info(request, _("该年度报告已提交，不能重复提交。"))
            return redirect(here)
        if submission.is_late:
            messages.warning(request, _("年度报告已提交。已超过截止日期，本次报送标记为逾期。"))
        else:
            messages.success(request, _("年度报告已提交，请下载报送回执。"))
        return redirect(here)
    return render(request, "reports/report_check.html", _check_context(report))


def attachment_response(request, attachment):
    """The attachment's bytes, only if they still have the SHA-256 recorded at upload
    (``core.stored_files``): otherwise 409, a security event and an early warning."""
    return serve_stored_file(
        request, attachment, file_field="file", sha_field="sha256", filename=attachment.original_name
    )


@login_required
def download_attachment(request, uscc, year, pk):
    report = _report(request, uscc, year)
    try:
        attachment = report.attachments.get(pk=pk)
    except ReportAttachment.DoesNotExist as exc:
        raise Http404 from exc
    return attachment_response(request, attachment)


def receipt_response(submission):
    response = HttpResponse(receipt_pdf(submission), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{submission.receipt_number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def receipt(request, uscc, year, sequence):
    report = _report(request, uscc, year)
    submission = report.submissions.filter(sequence=sequence).first()
    if submission is None:
        raise Http404
    return receipt_response(submission)
