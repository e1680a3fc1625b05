from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import get_managed_or_404
from core.models import EarlyWarning
from core.stored_files import serve_stored_file
from core.verification import serve_verified
from orgs.registry import uscc as uscc_module
from orgs.registry.models import Organization

from . import public
from .forms import LookupForm, ObjectionForm
from .models import CreditRecord, EntryStatus, ListEntry, Objection
from .services.objections import file_objection


def _lookup_page(request, form, result, status=200):
    """The lookup form with what was searched kept in it, and the results, or a message that
    says why there are none and what to try instead: never a blank page."""
    page_obj = None
    if result.organizations is not None:
        page_obj = Paginator(result.organizations, settings.CREDIT_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        if result.error:
            form.is_valid()
            form.add_error("q", result.error)
    return render(
        request,
        "credit/index.html",
        {
            "form": form,
            "result": result,
            "searched": result.organizations is not None,
            # An exact USCC that is well formed but names no organisation.
            "searched_code": uscc_module.normalize(result.query) if result.exact else "",
            "page_obj": page_obj,
            "organizations": page_obj.object_list if page_obj else [],
            "query_string": urlencode({"q": request.GET.get("q", "")}),
            "today": timezone.localdate(),
            "breadcrumbs": [(_("信用查询"), None)],
        },
        status=status,
    )


def index(request):
    return _lookup_page(request, LookupForm(request.GET or None), public.lookup(request.GET.get("q", "")))


def detail(request, uscc):
    organization = Organization.objects.filter(uscc=uscc_module.normalize(uscc)).first()
    if organization is None:
        # The URL names no organisation: still a 404 (crawlers and the API rely on it), but the
        # page is the lookup form with the code kept and what is wrong with it (S1's precise
        # message), or that nothing is registered under a well-formed code.
        try:
            code = uscc_module.validate(uscc)
        except ValidationError as error:
            result = public.Lookup(
                query=uscc, error=" ".join(error.messages), organizations=Organization.objects.none()
            )
        else:
            result = public.Lookup(query=code, organizations=Organization.objects.none(), exact=True)
        return _lookup_page(request, LookupForm({"q": uscc}), result, status=404)
    profile = public.credit_profile(organization)
    return render(
        request,
        "credit/detail.html",
        {
            "organization": organization,
            "profile": profile,
            "breadcrumbs": [(_("信用查询"), reverse("credit:index")), (organization.name, None)],
        },
    )


@require_http_methods(["GET"])
def report_pdf(request, uscc):
    organization = get_object_or_404(Organization, uscc=uscc.upper())
    document = public.issue_report(organization, base_url=request.build_absolute_uri("/").rstrip("/"))
    return serve_verified(
        request, document, filename=f"credit-report-{organization.uscc}-{document.code}.pdf"
    )


# --- Workbench (organisation staff) -----------------------------------------------------


def _managed(request, uscc):
    return get_managed_or_404(request.user, Organization.objects.all(), uscc=uscc.upper())


def _crumbs(organization, label=None):
    crumbs = [(_("机构工作台"), reverse("workbench:index"))]
    if label:
        return [
            *crumbs,
            (organization.name, reverse("credit_workbench:home", args=[organization.uscc])),
            (label, None),
        ]
    return [*crumbs, (_("%(org)s · 信用信息") % {"org": organization.name}, None)]


@login_required
def workbench_home(request, uscc):
    organization = _managed(request, uscc)
    records = list(
        CreditRecord.objects.filter(organization=organization)
        .select_related("corrects")
        .order_by("-decided_on", "-pk")
    )
    corrected = {r.corrects_id for r in records if r.corrects_id}
    pending = set(
        Objection.objects.filter(organization=organization, status="pending").values_list(
            "record_id", flat=True
        )
    )
    return render(
        request,
        "credit/workbench_home.html",
        {
            "organization": organization,
            "warnings": EarlyWarning.objects.open().for_organisation(organization.uscc).order_by("deadline"),
            "entries": ListEntry.objects.filter(organization=organization).order_by("-listed_on"),
            "records": records,
            "corrected": corrected,
            "pending_records": pending,
            "objections": Objection.objects.filter(organization=organization).select_related("record"),
            "listed": EntryStatus.LISTED,
            "breadcrumbs": _crumbs(organization),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection_new(request, uscc, record_id):
    organization = _managed(request, uscc)
    record = get_object_or_404(CreditRecord, pk=record_id, organization=organization)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection = file_objection(
                record,
                user=request.user,
                grounds=form.cleaned_data["grounds"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                for message in error.messages:
                    form.add_error(None, message)
        else:
            messages.success(request, _("异议已提交，登记管理机关处理后您可在此查看结果。"))
            return redirect("credit_workbench:objection", uscc=organization.uscc, pk=objection.pk)
    return render(
        request,
        "credit/objection_form.html",
        {
            "organization": organization,
            "record": record,
            "form": form,
            "breadcrumbs": _crumbs(organization, _("提出异议")),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def objection_detail(request, uscc, pk):
    organization = _managed(request, uscc)
    objection = get_managed_or_404(
        request.user,
        Objection.objects.select_related("record", "correction", "filed_by").filter(
            organization=organization
        ),
        pk=pk,
    )
    return render(
        request,
        "credit/objection_detail.html",
        {
            "organization": organization,
            "objection": objection,
            "breadcrumbs": _crumbs(organization, _("异议详情")),
        },
    )


def evidence_response(request, objection):
    """The objection's evidence, only if its bytes still match the hash recorded on upload."""
    if not objection.evidence:
        raise Http404
    return serve_stored_file(
        request,
        objection,
        file_field="evidence",
        sha_field="evidence_sha256",
        filename=objection.evidence_name,
    )


def record_attachment_response(request, record):
    """A credit record's attachment, only if its bytes still match the hash recorded on upload."""
    if not record.attachment:
        raise Http404
    return serve_stored_file(request, record, file_field="attachment", sha_field="attachment_sha256")


@login_required
def objection_evidence(request, uscc, pk):
    organization = _managed(request, uscc)
    objection = get_managed_or_404(request.user, Objection.objects.filter(organization=organization), pk=pk)
    return evidence_response(request, objection)
