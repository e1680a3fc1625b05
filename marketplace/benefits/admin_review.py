"""The bureau's review of 惠民殡葬 applications (B1) in the Wagtail admin: a queue ordered by the
working-day deadline, one page per application, and the finance office's listing of payment
instructions.

The review page shows the facts (the payee's account in full only to an officer who may
decide), the order the application cites, every criterion as it stands now
(``eligibility.check``), the documents (served only while their hash still matches), the
transition history from Wagtail's audit log, and the steps the state allows: ask for more
documents (each item with its reason, all at once), approve, or reject with reasons. Every step
goes through ``services``; a refusal of the service is shown on the form, nothing typed is lost.

| URL (under ``/admin/funeral/benefits/``) | name | what |
|---|---|---|
| ``applications/`` | ``benefit_applications:index`` | the queue (待办 = submitted), CSV/XLSX |
| ``applications/edit/<pk>/`` | ``benefit_applications:edit`` | the review page and its decisions |
| ``applications/document/<pk>/`` | ``benefit_applications:document`` | one uploaded document, hash re-checked |
| ``applications/letter/<pk>/`` | ``benefit_applications:letter`` | the sealed decision letter, hash re-checked |
| ``payment-instructions/`` | ``benefit_payment_instructions:index`` | approved payments for the finance office, CSV/XLSX |
"""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import ModelLogEntry

from accounts.groups import FUNERAL_SECTION
from core.admin_audit import format_changes, state_label
from core.admin_queues import (
    ComputedExportMixin,
    DeadlineColumn,
    Queue,
    QueueIndexView,
    QueueViewSetMixin,
    countdown,
    countdown_text,
    register_queue,
)
from core.forms import add_service_error
from core.money import format_money, round_money
from core.statemachine import TRANSITION_ACTION, IllegalTransition
from core.stored_files import serve_stored_file
from core.verification import serve_verified
from marketplace.catalogue.models.choices import District
from marketplace.orders.models import OrderStatus
from marketplace.orders.services.changes import CHANGEABLE_STATUSES

from . import services
from .admin_forms import ApproveForm, RejectForm, RequestDocumentsForm
from .eligibility import check, criteria_of, failures
from .models import ApplicationDocument, ApplicationStatus, BenefitApplication, SchemeKind

A = ApplicationStatus
PERMISSION = "benefits.change_benefitapplication"
VIEW_PERMISSION = "benefits.view_benefitapplication"
ORDER_PERMISSION = "orders.view_order"

APPROVE, REJECT, REQUEST_DOCUMENTS = "approve", "reject", "request_documents"
# The steps the bureau may take in each state (the rest of the table is the family's).
ACTIONS = {
    A.SUBMITTED: (APPROVE, REQUEST_DOCUMENTS, REJECT),
    A.MORE_DOCUMENTS: (REJECT,),
}


class BenefitQueue(Queue):
    """Arrival is the first submission (a resubmission after a request for documents restarts the
    deadline, not the arrival)."""

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .annotate(
                received_on=Coalesce(
                    models.F("first_submitted_on"), models.F("submitted_on"), output_field=models.DateField()
                )
            )
        )


APPLICATIONS = register_queue(
    BenefitQueue(
        key="benefit_applications",
        label=gettext_lazy("惠民殡葬申请审核"),
        model=BenefitApplication,
        section=FUNERAL_SECTION,
        permission=PERMISSION,
        open_states=(A.SUBMITTED,),
        due_field="decision_due",
        received_field="received_on",
        decided_field="decided_on",
        district_field="hukou_district",
        district_choices=lambda: District.choices,
        type_field="scheme",
        type_label=gettext_lazy("政策"),
        extra_filters={
            "scheme_kind": django_filters.ChoiceFilter(
                label=gettext_lazy("政策类型"), field_name="scheme__kind", choices=SchemeKind.choices
            )
        },
    )
)


def base_url(request):
    """Where the sealed letter's QR code points: this site, as the officer reached it."""
    return request.build_absolute_uri("/").rstrip("/")


def _require(request, permission=PERMISSION):
    if not request.user.has_perm(permission):
        raise PermissionDenied


# --- The review page -------------------------------------------------------------------------------


# Saved with a move but no reading for an officer: the criteria are shown as checks instead,
# the requested documents in their own section.
HIDDEN_CHANGES = {"criteria", "requested_documents"}


def _transition_text(entry):
    """A move in the model's labels, with its reason and the dates it set."""
    data = entry.data or {}
    field = data.get("field", "status")
    text = _("状态从“%(from)s”变为“%(to)s”") % {
        "from": state_label(BenefitApplication, field, data.get("from")),
        "to": state_label(BenefitApplication, field, data.get("to")),
    }
    if data.get("reason"):
        text = f"{text}：{data['reason']}"
    changes = [c for c in data.get("changes") or () if c.get("field") not in HIDDEN_CHANGES]
    if changes:
        text = f"{text}；{format_changes(BenefitApplication, changes)}"
    return text


def history_of(application):
    """Every audit entry of the application, oldest first, in words."""
    rows = []
    entries = (
        ModelLogEntry.objects.for_instance(application).select_related("user").order_by("timestamp", "pk")
    )
    for entry in entries:
        formatter = log_action_registry.get_formatter(entry)
        rows.append(
            {
                "timestamp": entry.timestamp,
                "label": formatter.label if formatter is not None else entry.action,
                "message": _transition_text(entry) if entry.action == TRANSITION_ACTION else entry.message,
                "user": entry.user_display_name if entry.user_id else _("系统"),
            }
        )
    return rows


def approval_summary(application):
    """What approving does, said before the officer decides."""
    criteria = criteria_of(application)
    if criteria.get("kind") == SchemeKind.SUBSIDY:
        amount = criteria.get("amount")
        return _(
            "批准后出具决定书，并向财务部门下达支付指令：向 %(payee)s（%(bank)s，账号 %(account)s）支付补贴 ¥%(amount)s。"
        ) % {
            "payee": application.payee_name or "—",
            "bank": application.payee_bank or "—",
            "account": application.payee_account_masked or "—",
            "amount": format_money(round_money(amount)) if amount else "—",
        }
    order = application.order
    if order is None:
        return _("批准后出具决定书。")
    if order.status == OrderStatus.COMPLETED:
        return _("批准后出具决定书。订单 %(ref)s 的服务已完成，减免金额以支付指令由财务部门支付给家属。") % {
            "ref": order.reference
        }
    if order.status in CHANGEABLE_STATUSES:
        return _(
            "批准后出具决定书，并以民政局名义向订单 %(ref)s 提出减免变更单，经家属和服务机构签署后计入账单；"
            "家属已多付的部分原路退回。"
        ) % {"ref": order.reference}
    return _("批准后出具决定书。订单 %(ref)s 的合同生效后，减免以变更单计入账单。") % {"ref": order.reference}


def _label(name):
    return BenefitApplication._meta.get_field(name).verbose_name


def _iso(day):
    return day.isoformat() if day else "—"


def facts_of(application, *, full_account):
    """The application's facts as label / value rows (choices as their labels)."""
    applicant = application.applicant
    rows = [
        (_label("scheme"), f"{application.scheme.display_name}（{application.scheme.get_kind_display()}）"),
        (
            _label("applicant"),
            " · ".join(
                part for part in (applicant.real_name, applicant.masked_mobile, application.relation) if part
            ),
        ),
        (_label("deceased_name"), application.deceased_name),
        (_("逝者身份证号"), application.deceased_id_masked),
        (
            _label("date_of_death"),
            application.date_of_death.isoformat() if application.date_of_death else "—",
        ),
        (_label("hukou_district"), application.get_hukou_district_display() or "—"),
        (_label("burial_type"), application.get_burial_type_display() or "—"),
        (_label("family_status"), application.get_family_status_display() or "—"),
    ]
    if criteria_of(application).get("kind") == SchemeKind.SUBSIDY or application.payee_account:
        account = application.payee_account if full_account else application.payee_account_masked
        rows += [
            (_label("payee_name"), application.payee_name or "—"),
            (_label("payee_bank"), application.payee_bank or "—"),
            (_label("payee_account"), account or "—"),
        ]
    rows += [
        (_label("first_submitted_on"), _iso(application.first_submitted_on)),
        (_label("submitted_on"), _iso(application.submitted_on)),
    ]
    return rows


class ReviewView(View):
    """One application: its facts, criteria, documents, history, and the bureau's steps."""

    model = BenefitApplication
    permission_policy = None
    index_url_name = None
    edit_url_name = None

    def dispatch(self, request, pk):
        _require(request)
        self.application = get_object_or_404(
            BenefitApplication.objects.select_related(
                "scheme",
                "applicant",
                "order__provider",
                "decided_by",
                "decision_letter",
                "waiver_change__order",
            ),
            pk=pk,
        )
        return super().dispatch(request, pk)

    def actions(self):
        return ACTIONS.get(self.application.status, ())

    def requestable_items(self):
        return list(criteria_of(self.application).get("required_documents") or ())

    def empty_forms(self):
        return {
            APPROVE: ApproveForm(prefix=APPROVE),
            REJECT: RejectForm(prefix=REJECT),
            REQUEST_DOCUMENTS: RequestDocumentsForm(prefix=REQUEST_DOCUMENTS, items=self.requestable_items()),
        }

    def bound_form(self, action, data):
        if action == APPROVE:
            return ApproveForm(data, prefix=APPROVE)
        if action == REJECT:
            return RejectForm(data, prefix=REJECT)
        return RequestDocumentsForm(data, prefix=REQUEST_DOCUMENTS, items=self.requestable_items())

    def render(self, request, bound=None, status=200):
        application = self.application
        user = request.user
        forms = self.empty_forms()
        if bound is not None:
            forms[bound[0]] = bound[1]
        checks = check(application)
        due = None
        if application.status == A.SUBMITTED and application.decision_due:
            due = countdown(application.decision_due)
        context = {
            "application": application,
            "facts": facts_of(application, full_account=user.has_perm(PERMISSION)),
            "checks": checks,
            "failed": failures(checks),
            "documents": list(
                application.documents.select_related("uploaded_by").order_by("item", "-current", "-pk")
            ),
            "required_documents": self.requestable_items(),
            "countdown": due,
            "history": history_of(application),
            "actions": self.actions(),
            "forms": forms,
            "approval_summary": approval_summary(application) if APPROVE in self.actions() else "",
            "order_url": (
                reverse("orders_admin:inspect", args=[application.order_id])
                if application.order_id and user.has_perm(ORDER_PERMISSION)
                else None
            ),
            "verify_url": (
                reverse("verify:detail", args=[application.decision_letter.code])
                if application.decision_letter_id
                else None
            ),
            "refunds": list(application.refunds.select_related("refund").order_by("pk")),
            "waiver_waiting": (
                application.status == A.APPROVED
                and criteria_of(application).get("kind") == SchemeKind.WAIVER
                and not application.waiver_change_id
                and not application.instruction_number
            ),
            "index_url": reverse("benefit_applications:index"),
            "page_title": _("惠民殡葬申请 %(number)s") % {"number": application.number},
            "page_subtitle": application.deceased_name,
            "header_icon": "tasks",
        }
        return TemplateResponse(request, "benefits/admin/review.html", context, status=status)

    def get(self, request, pk):
        return self.render(request)

    def post(self, request, pk):
        application = self.application
        action = request.POST.get("action")
        if action not in self.actions():
            messages.error(
                request,
                _("申请当前为“%(status)s”，不能进行这一步。") % {"status": application.get_status_display()},
            )
            return self.render(request, status=409)
        form = self.bound_form(action, request.POST)
        if not form.is_valid():
            return self.render(request, bound=(action, form), status=400)
        try:
            if action == APPROVE:
                decided = services.approve(
                    application,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    base_url=base_url(request),
                )
                done = self.approved_message(decided)
            elif action == REJECT:
                decided = services.reject(
                    application,
                    user=request.user,
                    reason=form.cleaned_data["decision_reason"],
                    base_url=base_url(request),
                )
                done = _("已作出不予批准的决定，决定书核验码 %(code)s；申请人会收到短信通知。") % {
                    "code": decided.decision_letter.code
                }
            else:
                services.request_documents(application, form.requests(), user=request.user)
                done = _("已要求补充材料，审核期限暂停；申请人会收到短信通知，重新提交后重新计算期限。")
        except (ValidationError, IllegalTransition) as error:
            add_service_error(form, error)
            return self.render(request, bound=(action, form), status=400)
        messages.success(request, done)
        return redirect("benefit_applications:edit", application.pk)

    @staticmethod
    def approved_message(application):
        text = _("已批准，决定书核验码 %(code)s。") % {"code": application.decision_letter.code}
        if application.instruction_number:
            text += _("支付指令 %(number)s 已下达，金额 ¥%(amount)s。") % {
                "number": application.instruction_number,
                "amount": format_money(application.amount),
            }
        elif application.waiver_change_id:
            text += _("减免变更单 %(number)s 已提出，待家属和服务机构签署。") % {
                "number": application.waiver_change.display_number
            }
        else:
            text += _("减免待合同生效后以变更单计入账单。")
        return text


def admin_document(request, pk):
    """One uploaded document, served only while its bytes match the hash recorded at upload (a
    mismatch is recorded and answered 409 with an explanation)."""
    _require(request)
    document = get_object_or_404(ApplicationDocument, pk=pk)
    return serve_stored_file(
        request, document, file_field="file", sha_field="file_sha256", filename=document.original_name
    )


def admin_letter(request, pk):
    """The sealed decision letter, served only while it matches the hash recorded at sealing."""
    _require(request)
    application = get_object_or_404(BenefitApplication.objects.select_related("decision_letter"), pk=pk)
    if application.decision_letter is None:
        raise Http404
    return serve_verified(
        request, application.decision_letter, f"惠民殡葬审核决定书-{application.number}.pdf"
    )


# --- The queue --------------------------------------------------------------------------------------


class ApplicationQueueView(ComputedExportMixin, QueueIndexView):
    """Open applications first by deadline. Only an officer who may decide sees the queue."""

    page_title = gettext_lazy("惠民殡葬申请审核")

    export_computed = {"countdown": countdown_text(APPLICATIONS)}

    def dispatch(self, request, *args, **kwargs):
        _require(request)
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        # Drafts are the family's own until submitted.
        queryset = APPLICATIONS.base_queryset().exclude(first_submitted_on__isnull=True)
        return APPLICATIONS.with_due(queryset.select_related("scheme"))


class ApplicationViewSet(QueueViewSetMixin, ModelViewSet):
    """B1: the bureau's review of 惠民殡葬 applications, open ones first by deadline."""

    queue = APPLICATIONS
    model = BenefitApplication
    icon = "tasks"
    menu_label = gettext_lazy("惠民殡葬申请审核")
    index_view_class = ApplicationQueueView
    edit_view_class = ReviewView
    copy_view_enabled = False
    search_fields = ["number", "deceased_name", "payee_name", "instruction_number"]
    form_fields = ["decision_reason"]  # never used: the review page is its own view
    list_display = [
        TitleColumn("number", label=gettext_lazy("申请编号"), url_name="benefit_applications:edit"),
        Column("scheme", label=gettext_lazy("政策"), accessor="scheme.display_name"),
        Column("deceased_name", label=gettext_lazy("逝者")),
        Column("status", label=gettext_lazy("办理状态"), accessor="get_status_display"),
        DeadlineColumn(APPLICATIONS, label=gettext_lazy("审核期限")),
    ]
    list_export = [
        "number",
        "scheme.name",
        "scheme.get_kind_display",
        "deceased_name",
        "get_hukou_district_display",
        "get_status_display",
        "received_on",
        "submitted_on",
        "decision_due",
        "countdown",
        "decided_on",
        "decision_reason",
        "amount",
        "payee_name",
        "payee_account_masked",
        "instruction_number",
    ]
    export_headings = {
        "number": gettext_lazy("申请编号"),
        "scheme.name": gettext_lazy("政策"),
        "scheme.get_kind_display": gettext_lazy("政策类型"),
        "deceased_name": gettext_lazy("逝者姓名"),
        "get_hukou_district_display": gettext_lazy("户籍所在区"),
        "get_status_display": gettext_lazy("办理状态"),
        "received_on": gettext_lazy("首次提交日期"),
        "submitted_on": gettext_lazy("提交日期"),
        "decision_due": gettext_lazy("审核期限"),
        "countdown": gettext_lazy("剩余期限"),
        "decided_on": gettext_lazy("决定日期"),
        "decision_reason": gettext_lazy("决定理由"),
        "amount": gettext_lazy("核定金额（元）"),
        "payee_name": gettext_lazy("收款人姓名"),
        "payee_account_masked": gettext_lazy("银行账号（脱敏）"),
        "instruction_number": gettext_lazy("支付指令编号"),
    }
    export_filename = "benefit-applications"

    def get_edit_view_kwargs(self, **kwargs):
        return {
            "index_url_name": self.get_url_name("index"),
            "edit_url_name": self.get_url_name("edit"),
            **kwargs,
        }

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("document/<int:pk>/", admin_document, name="document"),
            path("letter/<int:pk>/", admin_letter, name="letter"),
        ]


__all__ = ["APPLICATIONS", "ApplicationViewSet", "ReviewView"]
