"""The bureau's complaint queue in the Wagtail admin (R2): filters by status, channel and
overdue, sorted by the deadline of the step each complaint waits for, with the processing SLA
shown; each complaint's page carries the bureau's steps (accept or reject, decide with an
optional refund, re-examine, close). The credit-relevant records of upheld price complaints
are listed beside it. Viewing needs ``feedback.view_complaint``, acting
``feedback.change_complaint`` (granted to the funeral section)."""

from urllib.parse import urlencode

import django_filters
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
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from accounts.groups import FUNERAL_SECTION
from core.admin_policies import VIEW_ONLY, RefusingPolicy
from core.admin_queues import (
    AnnotatedDueQueue,
    ComputedExportMixin,
    DeadlineColumn,
    QueueIndexView,
    QueueViewSetMixin,
    countdown_text,
    register_queue,
)
from core.statemachine import IllegalTransition
from core.stored_files import serve_stored_file
from marketplace.catalogue.models.choices import District

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


class ComplaintQueue(AnnotatedDueQueue):
    """R2: the queue's deadline (``bureau_due``) is the next one the **bureau** owns in the
    complaint's current state: acceptance (received), the decision (accepted, also while the
    provider's answer is awaited, and responded), the re-examination (reexamining). The
    provider's answer deadline is shown beside it but is not the bureau's clock. Closed
    complaints keep their decision deadline (accept deadline when rejected), which the monthly
    statistics compare with the decision date."""

    def due_expression(self):
        return Case(
            When(status__in=(S.RECEIVED, S.REJECTED), then=F("accept_due")),
            When(status=S.REEXAMINING, then=F("reexamination_due")),
            default=F("decision_due"),
            output_field=DateField(),
        )


COMPLAINTS = register_queue(
    ComplaintQueue(
        key="feedback_complaint",
        label=gettext_lazy("投诉处理"),
        model=Complaint,
        section=FUNERAL_SECTION,
        permission=CHANGE,
        open_states=tuple(Complaint.OPEN_STATUSES),
        due_field="bureau_due",
        received_field="received_on",
        decided_field="decided_on",
        district_field="provider__district",
        district_choices=lambda: District.choices,
        type_field="category",
        type_label=gettext_lazy("投诉类别"),
        extra_filters={
            "channel": django_filters.ChoiceFilter(
                label=gettext_lazy("渠道"), field_name="channel", choices=ComplaintChannel.choices
            )
        },
    )
)


def with_deadline(queryset):
    """Annotate ``waiting_due``: the bureau's deadline for each complaint (``COMPLAINTS``)."""
    return COMPLAINTS.annotated(queryset).annotate(waiting_due=F(COMPLAINTS.due_field))


def _provider_district(complaint):
    return complaint.provider.get_district_display() if complaint.provider_id else ""


class ComplaintIndexView(ComputedExportMixin, QueueIndexView):
    """The complaint queue: each row opens the complaint's decision page."""

    export_computed = {"countdown": countdown_text(COMPLAINTS), "district": _provider_district}
    queryset = Complaint.objects.select_related("provider")

    def get_edit_url(self, instance):
        return reverse("feedback_complaints_admin:detail", args=[instance.pk])

    def get_inspect_url(self, instance):
        return None


class ComplaintViewSet(QueueViewSetMixin, ModelViewSet):
    model = Complaint
    queue = COMPLAINTS
    index_view_class = ComplaintIndexView
    icon = "warning"
    menu_label = gettext_lazy("投诉处理")
    add_to_admin_menu = False  # the menu item below points here
    copy_view_enabled = False
    inspect_view_enabled = False
    search_fields = ["reference", "subject_detail", "provider__name"]
    list_display = [
        "reference",
        "channel",
        Column("subject", label=gettext_lazy("被投诉方"), accessor="subject_label"),
        "category",
        "status",
        DeadlineColumn(COMPLAINTS, label=gettext_lazy("民政局办理期限")),
        "response_due",
        "received_at",
    ]
    list_export = [
        "reference",
        "get_channel_display",
        "subject_label",
        "district",
        "get_category_display",
        "get_status_display",
        "bureau_due",
        "countdown",
        "response_due",
        "received_at",
        "decided_on",
        "get_decision_display",
    ]
    export_headings = {
        "reference": gettext_lazy("投诉编号"),
        "get_channel_display": gettext_lazy("渠道"),
        "subject_label": gettext_lazy("被投诉方"),
        "district": gettext_lazy("所在区"),
        "get_category_display": gettext_lazy("投诉类别"),
        "get_status_display": gettext_lazy("状态"),
        "bureau_due": gettext_lazy("民政局办理期限"),
        "countdown": gettext_lazy("剩余期限"),
        "response_due": gettext_lazy("机构答复期限"),
        "received_at": gettext_lazy("收到时间（北京时间）"),
        "decided_on": gettext_lazy("决定日期"),
        "get_decision_display": gettext_lazy("处理结果"),
    }
    export_filename = "complaints"
    form_fields = []


# Officers decide on the complaint's own page (``detail``); the generic views add, edit and
# delete nothing. Viewing the listing needs ``feedback.view_complaint``.
register_permission_policy(Complaint, RefusingPolicy(Complaint, VIEW_ONLY))


@hooks.register("register_admin_viewset")
def register_complaint_viewset():
    return ComplaintViewSet("feedback_complaint")


def filtered_queue(params, today=None):
    """The open queue with the old filters (``status``, ``channel``, ``overdue``), sorted by the
    bureau's deadline: kept for code that lists complaints without the admin listing."""
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
    """The old queue address: the queue listing, with its filters carried over."""
    _require(request, VIEW)
    params = {}
    if request.GET.get("overdue") == "yes":
        params["view"] = "overdue"
    status = request.GET.get("status")
    if status in S.values:
        params["state"], params["view"] = status, "all"
    elif status == "all":
        params["view"] = "all"
    if request.GET.get("channel") in ComplaintChannel.values:
        params["channel"] = request.GET["channel"]
    url = reverse("feedback_complaint:index")
    return redirect(f"{url}?{urlencode(params)}" if params else url)


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
        gettext_lazy("投诉处理"), reverse("feedback_complaint:index"), icon_name="warning", order=215
    )


@hooks.register("register_admin_menu_item")
def register_credit_note_menu_item():
    return ComplaintMenuItem(
        gettext_lazy("殡葬机构信用记录"),
        reverse("feedback_complaints_admin:credit_notes"),
        icon_name="warning",
        order=216,
    )
