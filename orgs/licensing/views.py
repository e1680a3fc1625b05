"""The organisation's own licences in its workbench: every version, and the sealed PDF of each,
served only while its bytes match the hash recorded when it was sealed."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import otp
from accounts.permissions import get_managed_or_404
from accounts.services import client_ip
from core.forms import add_service_error
from core.verification import DocumentIntegrityError, integrity_failure_response, serve_verified
from orgs.registry.models import Organization
from orgs.registry.services import is_admin

from . import consents, registration
from .archive import build_archive
from .forms import ConsentForm
from .models import Licence
from .presentation import summary_sections


def _managed(request, uscc):
    return get_managed_or_404(request.user, Organization.objects.all(), uscc=uscc.upper())


@login_required
@require_GET
def home(request, uscc):
    organization = _managed(request, uscc)
    licences = list(
        Licence.objects.filter(organization=organization).select_related("document").order_by("-version")
    )
    return render(
        request,
        "licensing/workbench.html",
        {
            "organization": organization,
            "current": next((licence for licence in licences if licence.current), None),
            "licences": licences,
            "can_download_archive": is_admin(request.user, organization),
            "breadcrumbs": [
                (_("机构工作台"), reverse("workbench:index")),
                (organization.name, reverse("registry_workbench:home", args=[organization.uscc])),
                (_("电子证照"), None),
            ],
        },
    )


@login_required
@require_GET
def download(request, uscc, pk):
    organization = _managed(request, uscc)
    licence = get_object_or_404(Licence.objects.select_related("document"), pk=pk, organization=organization)
    filename = f"{licence.organization.uscc}-{licence.document.code}-v{licence.version}.pdf"
    return serve_verified(request, licence.document, filename)


@require_GET
def progress(request):
    """The public progress lookup (S9): by application number, the step and its date only."""
    number = request.GET.get("number", "").strip()[:20]
    found = registration.progress(number) if number else None
    return render(
        request,
        "licensing/progress.html",
        {
            "number": number,
            "found": found,
            "breadcrumbs": [(_("社会组织"), reverse("registry:index")), (_("登记申请办理进度"), None)],
        },
    )


def archive_response(request, organization):
    """The organisation's e-archive as a zip, or the integrity page when a stored file fails its hash."""
    try:
        data, _manifest = build_archive(organization)
    except DocumentIntegrityError as error:
        return integrity_failure_response(request, error)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{organization.uscc}-archive-{stamp}.zip"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def archive(request, uscc):
    """S9: the organisation's admin downloads its whole e-archive."""
    organization = _managed(request, uscc)
    if not is_admin(request.user, organization):
        raise PermissionDenied
    return archive_response(request, organization)


@require_http_methods(["GET", "POST"])
def consent(request, token):
    """S9: a person named in an application confirms it with a code sent to their own number.
    The link is their capability; it stops working once the application changes or is submitted."""
    item = consents.open_consent(token)
    if item is None:
        return render(
            request, "licensing/consent_closed.html", {"breadcrumbs": _consent_crumbs()}, status=404
        )
    form = ConsentForm(request.POST or None)
    sent = False
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            consents.send_consent_code(item, ip=client_ip(request))
        except otp.OtpError as error:
            form.add_error(None, str(error))
        else:
            sent = True
            form = ConsentForm(initial={"full_name": request.POST.get("full_name", "")})
    elif request.method == "POST" and form.is_valid():
        try:
            consents.sign(
                item,
                full_name=form.cleaned_data["full_name"],
                agree=form.cleaned_data["agree"],
                code=form.cleaned_data["code"],
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
            )
        except ValidationError as error:
            add_service_error(form, error)
        except otp.OtpError as error:
            form.add_error("code", str(error))
        else:
            item.refresh_from_db()
    return render(
        request,
        "licensing/consent.html",
        {
            "consent": item,
            "application": item.application,
            "sections": summary_sections(item.application),
            "form": form,
            "sent": sent,
            "breadcrumbs": _consent_crumbs(),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _consent_crumbs():
    return [(_("社会组织"), reverse("registry:index")), (_("确认登记申请"), None)]
