"""Bureau admin for credit: records (append-only, with corrections), listings and their
removal, the rules' proposals (confirm or reject with a reason, with the rule and the
triggering data shown), ratings (S7 eligibility) and objections (S8)."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views.generic import CreateView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from core.admin_policies import APPEND_ONLY, DECIDE_ONLY, NO_DELETE, RefusingPolicy

from . import services
from .forms import ConfirmProposalForm, DecisionForm, RemovalForm, UpholdForm
from .models import (
    REASONS_BY_LIST,
    CreditRecord,
    ListEntry,
    Objection,
    ObjectionStatus,
    Proposal,
    ProposalStatus,
    Rating,
    Rule,
)
from .views import evidence_response

RULE_TEXT = {
    Rule.S5_LIST_OVERDUE_REPORT: gettext_lazy(
        "S5：年度工作报告未按规定时限报送的，列入活动异常名录。截止日期次日起提出建议。"
    ),
    Rule.S5_LIST_PENALTY: gettext_lazy("S5：受到警告或不满5万元罚款的行政处罚的，列入活动异常名录。"),
    Rule.S6_LIST_PENALTY: gettext_lazy(
        "S6：受到5万元以上罚款，或3年内受到2次以上行政处罚的，列入严重违法失信名单。"
    ),
    Rule.S5_REMOVE_FIXED: gettext_lazy(
        "S5：已补报所涉年度工作报告，应在补报之日起5个工作日内移出活动异常名录。"
    ),
    Rule.S5_REMOVE_SIX_MONTHS: gettext_lazy("S5：列入事由无需整改的，列入满6个月移出活动异常名录。"),
    Rule.S6_LIST_TWO_YEARS: gettext_lazy("S6：被列入活动异常名录满2年的，列入严重违法失信名单。"),
    Rule.S6_REMOVE_TWO_YEARS: gettext_lazy(
        "S6：列入严重违法失信名单满2年且期间未再被列入的，整改完毕后移出。请核实整改情况。"
    ),
}

FACT_LABELS = {
    "year": gettext_lazy("报告年度"),
    "deadline": gettext_lazy("报送截止日期"),
    "report_status": gettext_lazy("报告状态"),
    "overdue_since": gettext_lazy("逾期起始日"),
    "entry": gettext_lazy("名录记录编号"),
    "listed_on": gettext_lazy("列入日期"),
    "listing_reason": gettext_lazy("列入事由"),
    "fixed_on": gettext_lazy("补报日期"),
    "removable_on": gettext_lazy("可移出日期"),
    "two_years_on": gettext_lazy("满2年日期"),
    "latest_listing": gettext_lazy("最近一次列入日期"),
    "records": gettext_lazy("行政处罚记录"),
    "fine": gettext_lazy("罚款金额（元）"),
    "penalties_within_years": gettext_lazy("3年内行政处罚次数"),
}


def apply_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ServiceCreateView(CreateView):
    """A create view whose save goes through a service; a ValidationError from the service
    re-renders the form with the error instead of failing."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            apply_errors(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


# --- Credit records ------------------------------------------------------------------------


class CreditRecordForm(WagtailAdminModelForm):
    class Meta:
        model = CreditRecord
        fields = [
            "organization",
            "category",
            "decided_on",
            "summary",
            "authority",
            "document_number",
            "fine_amount",
            "attachment",
            "corrects",
            "correction_reason",
        ]


class CreditRecordCreateView(ServiceCreateView):
    def get_initial(self):
        initial = super().get_initial()
        corrects = self.request.GET.get("corrects")
        if corrects:
            record = CreditRecord.objects.filter(pk=corrects).first()
            if record:
                initial.update(
                    organization=record.organization_id,
                    category=record.category,
                    decided_on=record.decided_on,
                    summary=record.summary,
                    authority=record.authority,
                    document_number=record.document_number,
                    fine_amount=record.fine_amount,
                    corrects=record.pk,
                )
        return initial

    def save_instance(self):
        data = self.form.cleaned_data
        return services.record_credit(
            data["organization"],
            category=data["category"],
            decided_on=data["decided_on"],
            summary=data["summary"],
            authority=data["authority"],
            document_number=data["document_number"],
            fine_amount=data.get("fine_amount"),
            attachment=data.get("attachment") or None,
            corrects=data.get("corrects"),
            correction_reason=data.get("correction_reason", ""),
            user=self.request.user,
        )


class CreditRecordViewSet(ModelViewSet):
    model = CreditRecord
    icon = "list-ul"
    menu_label = gettext_lazy("信用记录")
    add_view_class = CreditRecordCreateView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_filter = ["category", "is_late"]
    search_fields = ["organization__name", "organization__uscc", "document_number"]
    list_display = [
        "organization",
        "category",
        "decided_on",
        "document_number",
        Column("recorded_on", label=gettext_lazy("记录日期")),
        BooleanColumn("is_late", label=gettext_lazy("逾期记录")),
        Column("corrects", label=gettext_lazy("更正的记录")),
    ]

    def get_form_class(self, for_update=False):
        return CreditRecordForm


# --- Listings ---------------------------------------------------------------------------------


class ListingForm(WagtailAdminModelForm):
    class Meta:
        model = ListEntry
        fields = [
            "organization",
            "list_type",
            "reason",
            "report_year",
            "listed_on",
            "authority",
            "document_number",
            "note",
        ]

    def clean(self):
        cleaned = super().clean()
        list_type, reason = cleaned.get("list_type"), cleaned.get("reason")
        if list_type and reason and reason not in REASONS_BY_LIST[list_type]:
            self.add_error("reason", _("该事由不属于所选名录。"))
        return cleaned


class ListingCreateView(ServiceCreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.list_organization(
            data["organization"],
            list_type=data["list_type"],
            reason=data["reason"],
            listed_on=data["listed_on"],
            document_number=data["document_number"],
            authority=data["authority"],
            note=data.get("note", ""),
            report_year=data.get("report_year"),
            user=self.request.user,
        )


class AdminView(View):
    """Base for the decision pages (used as a viewset's edit view)."""

    model = None
    permission_policy = None
    index_url_name = None
    edit_url_name = None
    permission = ""
    template = ""

    def dispatch(self, request, pk):
        if not request.user.has_perm(self.permission.replace("change_", "view_")):
            raise PermissionDenied
        self.object = get_object_or_404(self.get_queryset(), pk=pk)
        return super().dispatch(request, pk)

    def can_change(self):
        return self.request.user.has_perm(self.permission)

    def render(self, status=200, **context):
        context.update(
            object=self.object,
            index_url=self.index_url_name,
            header_icon="warning",
            page_title=str(self.object),
        )
        return TemplateResponse(self.request, self.template, context, status=status)

    def decide(self, form, context_key, act, success_message):
        """Validate ``form`` and run ``act(cleaned_data)``: on success go back to this page with
        ``success_message``; otherwise show the page again with the form and its errors."""
        if form.is_valid():
            try:
                act(form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(self.request, success_message)
                return redirect(self.edit_url_name, self.object.pk)
        return self.render(status=400, **self.context(**{context_key: form}))


class RemoveEntryView(AdminView):
    permission = "credit.change_listentry"
    template = "credit/admin/entry.html"

    def get_queryset(self):
        return ListEntry.objects.select_related("organization", "from_entry")

    def get(self, request, pk):
        return self.render(
            form=RemovalForm(initial={"removed_on": timezone.localdate()}),
            can_change=self.can_change() and self.object.is_current,
        )

    def post(self, request, pk):
        if not self.can_change():
            raise PermissionDenied
        form = RemovalForm(request.POST)
        if form.is_valid():
            try:
                services.remove_entry(
                    self.object,
                    removed_on=form.cleaned_data["removed_on"],
                    removal_reason=form.cleaned_data["removal_reason"],
                    document_number=form.cleaned_data["removal_document_number"],
                    note=form.cleaned_data["removal_note"],
                    user=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已移出名录。"))
                return redirect(self.edit_url_name, pk)
        return self.render(form=form, can_change=True, status=400)


class ListEntryViewSet(ModelViewSet):
    model = ListEntry
    icon = "warning"
    menu_label = gettext_lazy("名录")
    add_view_class = ListingCreateView
    edit_view_class = RemoveEntryView
    copy_view_enabled = False
    list_filter = ["list_type", "status", "reason"]
    search_fields = ["organization__name", "organization__uscc", "document_number"]
    list_display = [
        TitleColumn(
            "organization",
            label=gettext_lazy("社会组织"),
            accessor="organization.name",
            url_name="credit_entries:edit",
        ),
        Column("list_type", label=gettext_lazy("名录"), accessor="get_list_type_display"),
        Column("reason", label=gettext_lazy("列入事由"), accessor="get_reason_display"),
        "listed_on",
        Column("status", label=gettext_lazy("状态"), accessor="get_status_display"),
        "removed_on",
    ]

    def get_form_class(self, for_update=False):
        return ListingForm

    def get_edit_view_kwargs(self, **kwargs):
        return {
            "index_url_name": self.get_url_name("index"),
            "edit_url_name": self.get_url_name("edit"),
            **kwargs,
        }


# --- Proposals --------------------------------------------------------------------------------


class ProposalFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("状态"), choices=ProposalStatus.choices)
    rule = django_filters.ChoiceFilter(label=gettext_lazy("规则"), choices=Rule.choices)

    class Meta:
        model = Proposal
        fields = ["status", "rule", "list_type"]


class ProposalIndexView(IndexView):
    def get_base_queryset(self):
        return Proposal.objects.select_related("organization")


class DecideProposalView(AdminView):
    permission = "credit.change_proposal"
    template = "credit/admin/proposal.html"

    def get_queryset(self):
        return Proposal.objects.select_related("organization", "entry", "result_entry", "decided_by")

    def context(self, confirm_form=None, reject_form=None):
        proposal = self.object
        return {
            "proposal": proposal,
            "rule_text": RULE_TEXT.get(proposal.rule, ""),
            "facts": [(FACT_LABELS.get(key, key), value) for key, value in proposal.facts.items()],
            "confirm_form": confirm_form or ConfirmProposalForm(initial={"decided_on": timezone.localdate()}),
            "reject_form": reject_form or DecisionForm(),
            "can_decide": proposal.status == ProposalStatus.PENDING and self.can_change(),
        }

    def get(self, request, pk):
        return self.render(**self.context())

    def post(self, request, pk):
        if not self.can_change():
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "confirm":
            return self.decide(
                ConfirmProposalForm(request.POST),
                "confirm_form",
                lambda data: services.confirm_proposal(
                    self.object,
                    user=request.user,
                    reason=data["decision_reason"],
                    decided_on=data["decided_on"],
                    document_number=data["document_number"],
                ),
                _("已确认该建议。"),
            )
        if action == "reject":
            return self.decide(
                DecisionForm(request.POST),
                "reject_form",
                lambda data: services.reject_proposal(
                    self.object, user=request.user, reason=data["decision_reason"]
                ),
                _("已驳回该建议；触发数据不变的，不会再次提出。"),
            )
        return self.render(status=400, **self.context())


class DecisionViewSetMixin:
    """Proposals and objections are decided, not edited: the edit view is the decision form."""

    def get_form_class(self, for_update=False):
        return DecisionForm

    def get_edit_view_kwargs(self, **kwargs):
        return {
            "index_url_name": self.get_url_name("index"),
            "edit_url_name": self.get_url_name("edit"),
            **kwargs,
        }


class ProposalViewSet(DecisionViewSetMixin, ModelViewSet):
    model = Proposal
    icon = "tasks"
    menu_label = gettext_lazy("名录建议")
    index_view_class = ProposalIndexView
    edit_view_class = DecideProposalView
    copy_view_enabled = False
    filterset_class = ProposalFilterSet
    search_fields = ["organization__name", "organization__uscc"]
    ordering = ["status", "proposed_on"]
    list_display = [
        TitleColumn(
            "organization",
            label=gettext_lazy("社会组织"),
            accessor="organization.name",
            url_name="credit_proposals:edit",
        ),
        Column("rule", label=gettext_lazy("规则"), accessor="get_rule_display"),
        Column("proposed_on", label=gettext_lazy("提出日期")),
        Column("due_on", label=gettext_lazy("建议决定期限")),
        Column("status", label=gettext_lazy("状态"), accessor="get_status_display"),
    ]


# --- Ratings ---------------------------------------------------------------------------------------


class RatingForm(WagtailAdminModelForm):
    class Meta:
        model = Rating
        fields = ["organization", "score", "evaluating_body", "rated_on", "document_number"]


class RatingCreateView(ServiceCreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.rate(
            data["organization"],
            score=data["score"],
            evaluating_body=data["evaluating_body"],
            rated_on=data["rated_on"],
            document_number=data.get("document_number", ""),
            user=self.request.user,
        )


class RatingViewSet(ModelViewSet):
    model = Rating
    icon = "pick"
    menu_label = gettext_lazy("等级评估")
    add_view_class = RatingCreateView
    copy_view_enabled = False
    inspect_view_enabled = True
    search_fields = ["organization__name", "organization__uscc"]
    list_filter = ["grade"]
    list_display = ["organization", "grade", "score", "rated_on", "expires_on", "evaluating_body"]

    def get_form_class(self, for_update=False):
        return RatingForm


# --- Objections ---------------------------------------------------------------------------------------


class DecideObjectionView(AdminView):
    permission = "credit.change_objection"
    template = "credit/admin/objection.html"

    def get_queryset(self):
        return Objection.objects.select_related(
            "organization", "record", "correction", "filed_by", "decided_by"
        )

    def context(self, uphold_form=None, dismiss_form=None):
        record = self.object.record
        return {
            "objection": self.object,
            "uphold_form": uphold_form
            or UpholdForm(
                initial={
                    "summary": record.summary,
                    "category": record.category,
                    "fine_amount": record.fine_amount,
                }
            ),
            "dismiss_form": dismiss_form or DecisionForm(),
            "can_decide": self.object.status == ObjectionStatus.PENDING and self.can_change(),
        }

    def get(self, request, pk):
        return self.render(**self.context())

    def post(self, request, pk):
        if not self.can_change():
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "uphold":
            return self.decide(
                UpholdForm(request.POST),
                "uphold_form",
                lambda data: services.uphold_objection(
                    self.object,
                    user=request.user,
                    reason=data["decision_reason"],
                    summary=data["summary"],
                    category=data["category"],
                    fine_amount=data.get("fine_amount"),
                ),
                _("异议成立，已新增更正记录；原记录予以保留。"),
            )
        if action == "dismiss":
            return self.decide(
                DecisionForm(request.POST),
                "dismiss_form",
                lambda data: services.dismiss_objection(
                    self.object, user=request.user, reason=data["decision_reason"]
                ),
                _("已驳回异议。"),
            )
        return self.render(status=400, **self.context())


def admin_evidence(request, pk):
    if not request.user.has_perm("credit.view_objection"):
        raise PermissionDenied
    return evidence_response(get_object_or_404(Objection, pk=pk))


class ObjectionViewSet(DecisionViewSetMixin, ModelViewSet):
    model = Objection
    icon = "help"
    menu_label = gettext_lazy("信用异议")
    edit_view_class = DecideObjectionView
    copy_view_enabled = False
    list_filter = ["status"]
    search_fields = ["organization__name", "organization__uscc"]
    list_display = [
        TitleColumn(
            "organization",
            label=gettext_lazy("社会组织"),
            accessor="organization.name",
            url_name="credit_objections:edit",
        ),
        Column("record", label=gettext_lazy("异议的信用记录")),
        Column("filed_at", label=gettext_lazy("提出时间")),
        Column("status", label=gettext_lazy("状态"), accessor="get_status_display"),
    ]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("evidence/<int:pk>/", admin_evidence, name="evidence")]


class CreditGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("社会组织信用")
    menu_icon = "warning"
    menu_order = 320
    items = (
        ProposalViewSet("credit_proposals", url_prefix="credit/proposals"),
        ListEntryViewSet("credit_entries", url_prefix="credit/lists"),
        CreditRecordViewSet("credit_records", url_prefix="credit/records"),
        RatingViewSet("credit_ratings", url_prefix="credit/ratings"),
        ObjectionViewSet("credit_objections", url_prefix="credit/objections"),
    )


register_permission_policy(CreditRecord, RefusingPolicy(CreditRecord, APPEND_ONLY))
register_permission_policy(Rating, RefusingPolicy(Rating, APPEND_ONLY))
register_permission_policy(Proposal, RefusingPolicy(Proposal, DECIDE_ONLY))
register_permission_policy(Objection, RefusingPolicy(Objection, DECIDE_ONLY))
register_permission_policy(ListEntry, RefusingPolicy(ListEntry, NO_DELETE))


@hooks.register("register_admin_viewset")
def register_credit_viewsets():
    return CreditGroup()


@hooks.register("register_log_actions")
def register_credit_actions(actions):
    actions.register_action("credit.list", gettext_lazy("列入名录"), gettext_lazy("已列入名录"))
    actions.register_action("credit.objection", gettext_lazy("提出异议"), gettext_lazy("已提出信用异议"))
