"""The bureau's complaint queue in the Wagtail admin (R2): filters by status, channel and
overdue, sorted by the deadline of the step each complaint waits for, with the processing SLA
shown; each complaint's page carries the bureau's steps (accept or reject, decide with an
optional refund, re-examine, close). The credit-relevant records of upheld price complaints
are listed beside it. Viewing needs ``feedback.view_complaint``, acting
``feedback.change_complaint`` (granted to the funeral section)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, DateField, F, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from core.statemachine import IllegalTransition
from core.stored_files import serve_stored_file

from .complaint_forms import DecisionForm, ReasonForm
from .complaint_views import detail_context
from .models.complaints import (
    Complaint,
    ComplaintChannel,
    ComplaintEvidence,
    ComplaintStatus,
    ProviderCreditNote,
)
from .services import complaints as service

S = ComplaintStatus
VIEW, CHANGE = "feedback.view_complaint", "feedback.change_complaint"


def _require(request, permission):
    if not request.user.has_perm(permission):
        raise PermissionDenied


def with_deadline(queryset):
    """Annotate ``waiting_due``: the deadline of the step each complaint waits for."""
    return queryset.annotate(
        waiting_due=Case(
            When(status=S.RECEIVED, then=F("accept_due")),
            When(status=S.ACCEPTED, channel=ComplaintChannel.PROVIDER, then=F("response_due")),
            When(status__in=(S.ACCEPTED, S.RESPONDED), then=F("decision_due")),
            When(status=S.REEXAMINING, then=F("reexamination_due")),
            default=None,
            output_field=DateField(),
        )
    )


def filtered_queue(params, today=None):
    """The queue for the admin's filters: ``status``, ``channel`` and ``overdue`` (yes/no)."""
    today = today or timezone.localdate()
    queryset = with_deadline(Complaint.objects.select_related("provider"))
    status = params.get("status")
    if status in S.values:
        queryset = queryset.filter(status=status)
    elif status != "all":
        queryset = queryset.filter(status__in=Complaint.OPEN_STATUSES)
    if params.get("channel") in ComplaintChannel.values:
        queryset = queryset.filter(channel=params["channel"])
    if params.get("overdue") == "yes":
        queryset = queryset.filter(waiting_due__lt=today)
    return queryset.order_by(F("waiting_due").asc(nulls_last=True), "received_at", "pk")


def queue(request):
    _require(request, VIEW)
    today = timezone.localdate()
    queryset = filtered_queue(request.GET, today)
    page = Paginator(queryset, 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "feedback/complaints/admin/queue.html",
        {
            "page_title": _("投诉处理队列"),
            "header_icon": "warning",
            "page_obj": page,
            "complaints": page.object_list,
            "today": today,
            "status_choices": [("", _("未办结")), ("all", _("全部")), *S.choices],
            "channel_choices": ComplaintChannel.choices,
            "params": request.GET,
            "sla": {
                "accept": settings.R2_ACCEPT_WORKING_DAYS,
                "response": settings.R2_RESPONSE_WORKING_DAYS,
                "decision": settings.R2_DECISION_WORKING_DAYS,
            },
            "overdue_count": filtered_queue({"overdue": "yes"}, today).count(),
        },
    )


ACTIONS = {
    "accept": (S.RECEIVED,),
    "reject": (S.RECEIVED,),
    "decide": (S.ACCEPTED, S.RESPONDED),
    "reexamine": (S.REEXAMINING,),
    "close": (S.DECIDED,),
}


def _run(request, complaint, action):
    officer = request.user
    if action == "accept":
        service.accept(complaint, officer)
        return None, _("已受理。")
    if action == "reject":
        form = ReasonForm(request.POST, prefix="reject")
        if not form.is_valid():
            return form, None
        service.reject(complaint, officer, form.cleaned_data["reason"])
        return None, _("已决定不予受理。")
    if action in ("decide", "reexamine"):
        form = DecisionForm(request.POST, prefix="decide")
        if not form.is_valid():
            return form, None
        data = form.cleaned_data
        step = service.decide if action == "decide" else service.reexamine
        step(complaint, officer, data["decision"], data["text"], refund=data["refund"])
        return None, _("处理决定已作出，投诉人将收到短信通知。")
    service.close(complaint, officer)
    return None, _("已办结。")


def detail(request, pk):
    _require(request, VIEW)
    complaint = get_object_or_404(Complaint.objects.select_related("provider", "order"), pk=pk)
    reject_form = ReasonForm(prefix="reject")
    decision_form = DecisionForm(prefix="decide")
    status = 200
    if request.method == "POST":
        _require(request, CHANGE)
        action = request.POST.get("action")
        if action not in ACTIONS:
            raise PermissionDenied
        try:
            form, done = _run(request, complaint, action)
        except (ValidationError, IllegalTransition) as error:
            form, done = None, None
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            messages.error(request, message)
            status = 400
        if done:
            messages.success(request, done)
            return redirect("feedback_complaints_admin:detail", pk=complaint.pk)
        if form is not None:
            status = 400
            if form.prefix == "reject":
                reject_form = form
            else:
                decision_form = form
        complaint.refresh_from_db()
    can_act = request.user.has_perm(CHANGE)
    context = detail_context(
        complaint,
        page_title=_("投诉 %(ref)s") % {"ref": complaint.reference},
        header_icon="warning",
        reject_form=reject_form,
        decision_form=decision_form,
        actions=[a for a, states in ACTIONS.items() if can_act and complaint.status in states],
        refund_ceiling=service.refund_ceiling(complaint),
        history=_history(complaint),
    )
    return TemplateResponse(request, "feedback/complaints/admin/detail.html", context, status=status)


def _history(complaint):
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.for_instance(complaint).select_related("user").order_by("timestamp", "pk")


def evidence(request, reference, evidence_pk):
    _require(request, VIEW)
    item = get_object_or_404(ComplaintEvidence, complaint__reference=reference, pk=evidence_pk)
    return serve_stored_file(request, item, file_field="file", sha_field="sha256", filename=item.name)


def credit_notes(request):
    _require(request, VIEW)
    notes = ProviderCreditNote.objects.select_related("provider", "complaint").order_by("-decided_on", "-pk")
    page = Paginator(notes, 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "feedback/complaints/admin/credit_notes.html",
        {
            "page_title": _("殡葬机构信用记录"),
            "header_icon": "warning",
            "page_obj": page,
            "notes": page.object_list,
        },
    )


urlpatterns = [
    path("", queue, name="queue"),
    path("<int:pk>/", detail, name="detail"),
    path("evidence/<str:reference>/<int:evidence_pk>/", evidence, name="evidence_by_ref"),
    path("credit-notes/", credit_notes, name="credit_notes"),
]


@hooks.register("register_admin_urls")
def register_complaint_admin_urls():
    return [path("complaints/", include((urlpatterns, "feedback_complaints_admin")))]


class ComplaintMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW)


@hooks.register("register_admin_menu_item")
def register_complaint_menu_item():
    return ComplaintMenuItem(
        gettext_lazy("投诉处理"), reverse("feedback_complaints_admin:queue"), icon_name="warning", order=215
    )


@hooks.register("register_admin_menu_item")
def register_credit_note_menu_item():
    return ComplaintMenuItem(
        gettext_lazy("殡葬机构信用记录"),
        reverse("feedback_complaints_admin:credit_notes"),
        icon_name="warning",
        order=216,
    )
