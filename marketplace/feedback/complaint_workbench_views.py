"""Provider staff answer complaints about their provider under /workbench/complaints/. Every
complaint is fetched within the user's providers: another provider's complaint answers 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.models import EarlyWarning
from core.statemachine import IllegalTransition
from core.stored_files import serve_stored_file
from marketplace.catalogue.permissions import member_provider_ids

from .complaint_forms import ResponseForm
from .complaint_views import detail_context
from .models.complaints import Complaint, ComplaintChannel, ComplaintEvidence, ComplaintStatus
from .services import complaints as service


def crumbs(*extra):
    return [(_("机构工作台"), reverse("workbench:index")), *extra]


def provider_complaints(user):
    """Complaints about the providers ``user`` works for (none for anyone else)."""
    return Complaint.objects.filter(
        channel=ComplaintChannel.PROVIDER, provider_id__in=member_provider_ids(user)
    ).exclude(status=ComplaintStatus.RECEIVED)


def _complaint(request, reference):
    return get_object_or_404(
        provider_complaints(request.user).select_related("provider", "order"), reference=reference
    )


@login_required
@require_GET
def index(request):
    complaints = provider_complaints(request.user).select_related("provider").order_by("response_due", "pk")
    page = Paginator(complaints, settings.ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    slugs = {c.provider.slug for c in page.object_list}
    warnings = EarlyWarning.objects.open().filter(
        kind=service.WARNING_KIND, owner_key__in=[f"provider:{slug}" for slug in slugs]
    )
    return render(
        request,
        "feedback/complaints/workbench_index.html",
        {
            "page_obj": page,
            "complaints": page.object_list,
            "warnings": warnings,
            "breadcrumbs": crumbs((_("投诉处理"), None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, reference):
    complaint = _complaint(request, reference)
    can_respond = complaint.status == ComplaintStatus.ACCEPTED
    form = ResponseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                service.respond(complaint, request.user, form.cleaned_data["response"])
            except ValidationError as error:
                form.add_error(None, error.messages[0])
            except IllegalTransition as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("答复已提交，投诉人将收到短信通知。"))
                return redirect("complaint_workbench:detail", reference=complaint.reference)
        status = 400
    return render(
        request,
        "feedback/complaints/workbench_detail.html",
        detail_context(
            complaint,
            form=form,
            can_respond=can_respond,
            breadcrumbs=crumbs(
                (_("投诉处理"), reverse("complaint_workbench:index")), (complaint.reference, None)
            ),
        ),
        status=status,
    )


@login_required
@require_GET
def evidence(request, reference, pk):
    complaint = _complaint(request, reference)
    item = get_object_or_404(ComplaintEvidence, complaint=complaint, pk=pk)
    return serve_stored_file(request, item, file_field="file", sha_field="sha256", filename=item.name)
