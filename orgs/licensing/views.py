"""The organisation's own licences in its workbench: every version, and the sealed PDF of each,
served only while its bytes match the hash recorded when it was sealed."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import get_managed_or_404
from core.verification import DocumentIntegrityError, integrity_failure_response, serve_verified
from orgs.registry.models import Organization
from orgs.registry.services import is_admin

from . import registration
from .archive import build_archive
from .models import Licence


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
