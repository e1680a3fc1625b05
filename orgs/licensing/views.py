"""The organisation's own licences in its workbench: every version, and the sealed PDF of each,
served only while its bytes match the hash recorded when it was sealed."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import get_managed_or_404
from core.verification import serve_verified
from orgs.registry.models import Organization

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
