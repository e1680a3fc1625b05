"""Bureau admin for credit: records (append-only, with corrections), listings and their
removal, the rules' proposals (confirm or reject with a reason, with the rule and the
triggering data shown), ratings (S7 eligibility) and objections (S8).

The forms are in ``admin_forms`` and the views in ``admin_views``; this module holds the
viewsets, the admin policies and the hooks."""

from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy

from core.admin_policies import APPEND_ONLY, DECIDE_ONLY, NO_DELETE, RefusingPolicy
from core.admin_queues import DeadlineColumn, QueueViewSetMixin, SafeExportIndexView

from .admin_bulk import DecideProposalsBulkAction
from .admin_forms import CreditRecordForm, ListingForm, RatingForm
from .admin_queues import (
    OBJECTIONS,
    PROPOSALS,
    CreditHistoryView,
    ObjectionQueueIndexView,
    ProposalQueueIndexView,
    title_id,
)
from .admin_views import (
    CreditRecordCreateView,
    DecideObjectionView,
    DecideProposalView,
    ListingCreateView,
    RatingCreateView,
    RemoveEntryView,
    admin_evidence,
    admin_record_attachment,
)
from .audit import DECISION_ACTION, describe
from .forms import DecisionForm
from .models import CreditRecord, ListEntry, Objection, Proposal, Rating

DISTRICT = gettext_lazy("区")
ORG_EXPORT = ["organization.name", "organization.uscc", "organization.get_district_display"]
ORG_HEADINGS = {
    "organization.name": gettext_lazy("社会组织"),
    "organization.uscc": gettext_lazy("统一社会信用代码"),
    "organization.get_district_display": DISTRICT,
}


class CreditRecordInspectView(InspectView):
    def get_attachment_display_value(self):
        """A link to the checked download instead of the stored file's name."""
        if not self.object.attachment:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("credit_records:attachment", args=[self.object.pk]),
            self.object.attachment.name.rsplit("/", 1)[-1],
        )


class CreditRecordViewSet(ModelViewSet):
    model = CreditRecord
    icon = "list-ul"
    menu_label = gettext_lazy("信用记录")
    add_view_class = CreditRecordCreateView
    inspect_view_class = CreditRecordInspectView
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SafeExportIndexView
    history_view_class = CreditHistoryView
    list_filter = ["category", "is_late"]
    search_fields = ["organization__name", "organization__uscc", "document_number"]
    list_display = [
        "organization",
        "category",
        "decided_on",
        "document_number",
        Column("recorded_on", label=gettext_lazy("记录日期")),
        Column("is_late", label=gettext_lazy("是否按时记录"), accessor="lateness_text"),
        Column("corrects", label=gettext_lazy("更正的记录")),
    ]
    list_export = [
        *ORG_EXPORT,
        "get_category_display",
        "decided_on",
        "summary",
        "authority",
        "document_number",
        "fine_amount",
        "recorded_on",
        "recorded_at",
        "lateness_text",
        "late_working_days",
        "corrects_id",
        "correction_reason",
    ]
    export_headings = {
        **ORG_HEADINGS,
        "get_category_display": gettext_lazy("信息类别"),
        "decided_on": gettext_lazy("决定日期"),
        "summary": gettext_lazy("内容摘要"),
        "authority": gettext_lazy("决定机关"),
        "document_number": gettext_lazy("决定文书号"),
        "fine_amount": gettext_lazy("罚款金额（元）"),
        "recorded_on": gettext_lazy("记录日期"),
        "recorded_at": gettext_lazy("记录时间（北京时间）"),
        "lateness_text": gettext_lazy("是否按时记录"),
        "late_working_days": gettext_lazy("决定后工作日数"),
        "corrects_id": gettext_lazy("更正的记录编号"),
        "correction_reason": gettext_lazy("更正理由"),
    }

    def get_form_class(self, for_update=False):
        return CreditRecordForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("attachment/<int:pk>/", admin_record_attachment, name="attachment"),
        ]


class ListEntryViewSet(ModelViewSet):
    model = ListEntry
    icon = "warning"
    menu_label = gettext_lazy("名录")
    add_view_class = ListingCreateView
    edit_view_class = RemoveEntryView
    copy_view_enabled = False
    index_view_class = SafeExportIndexView
    history_view_class = CreditHistoryView
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
    list_export = [
        *ORG_EXPORT,
        "get_list_type_display",
        "get_reason_display",
        "report_year",
        "listed_on",
        "authority",
        "document_number",
        "get_status_display",
        "removed_on",
        "get_removal_reason_display",
        "removal_document_number",
    ]
    export_headings = {
        **ORG_HEADINGS,
        "get_list_type_display": gettext_lazy("名录"),
        "get_reason_display": gettext_lazy("列入事由"),
        "report_year": gettext_lazy("所涉报告年度"),
        "listed_on": gettext_lazy("列入日期"),
        "authority": gettext_lazy("作出决定机关"),
        "document_number": gettext_lazy("列入决定书文号"),
        "get_status_display": gettext_lazy("状态"),
        "removed_on": gettext_lazy("移出日期"),
        "get_removal_reason_display": gettext_lazy("移出事由"),
        "removal_document_number": gettext_lazy("移出决定书文号"),
    }

    def get_form_class(self, for_update=False):
        return ListingForm

    def get_edit_view_kwargs(self, **kwargs):
        return {
            "index_url_name": self.get_url_name("index"),
            "edit_url_name": self.get_url_name("edit"),
            **kwargs,
        }


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


class ProposalViewSet(QueueViewSetMixin, DecisionViewSetMixin, ModelViewSet):
    """The proposals queue: open items first, by deadline, with the countdown, the queue
    filters, bulk decisions and CSV/XLSX exports of the filtered listing."""

    model = Proposal
    queue = PROPOSALS
    icon = "tasks"
    menu_label = gettext_lazy("名录建议")
    index_view_class = ProposalQueueIndexView
    edit_view_class = DecideProposalView
    history_view_class = CreditHistoryView
    copy_view_enabled = False
    search_fields = ["organization__name", "organization__uscc"]
    list_display = [
        TitleColumn(
            "organization",
            label=gettext_lazy("社会组织"),
            accessor="organization.name",
            url_name="credit_proposals:edit",
            get_title_id=title_id("proposal"),
        ),
        Column("district", label=DISTRICT, accessor="organization.get_district_display"),
        Column("rule", label=gettext_lazy("规则"), accessor="get_rule_display"),
        Column("proposed_on", label=gettext_lazy("提出日期")),
        DeadlineColumn(PROPOSALS, label=gettext_lazy("建议决定期限")),
        Column("status", label=gettext_lazy("状态"), accessor="get_status_display"),
    ]
    list_export = [
        *ORG_EXPORT,
        "get_rule_display",
        "get_action_display",
        "get_list_type_display",
        "get_reason_display",
        "report_year",
        "proposed_on",
        "due_on",
        "get_status_display",
        "decided_at",
        "decision_reason",
    ]
    export_headings = {
        **ORG_HEADINGS,
        "get_rule_display": gettext_lazy("规则"),
        "get_action_display": gettext_lazy("建议操作"),
        "get_list_type_display": gettext_lazy("名录"),
        "get_reason_display": gettext_lazy("列入事由"),
        "report_year": gettext_lazy("所涉报告年度"),
        "proposed_on": gettext_lazy("提出日期"),
        "due_on": gettext_lazy("建议决定期限"),
        "get_status_display": gettext_lazy("状态"),
        "decided_at": gettext_lazy("决定时间（北京时间）"),
        "decision_reason": gettext_lazy("决定理由"),
    }


class RatingViewSet(ModelViewSet):
    model = Rating
    icon = "pick"
    menu_label = gettext_lazy("等级评估")
    add_view_class = RatingCreateView
    copy_view_enabled = False
    inspect_view_enabled = True
    search_fields = ["organization__name", "organization__uscc"]
    list_filter = ["grade"]
    index_view_class = SafeExportIndexView
    history_view_class = CreditHistoryView
    list_display = ["organization", "grade", "score", "rated_on", "expires_on", "evaluating_body"]
    list_export = [
        *ORG_EXPORT,
        "get_grade_display",
        "score",
        "evaluating_body",
        "rated_on",
        "expires_on",
        "document_number",
    ]
    export_headings = {
        **ORG_HEADINGS,
        "get_grade_display": gettext_lazy("评估等级"),
        "score": gettext_lazy("评估得分"),
        "evaluating_body": gettext_lazy("评估机构"),
        "rated_on": gettext_lazy("评估日期"),
        "expires_on": gettext_lazy("有效期至"),
        "document_number": gettext_lazy("评估结论文号"),
    }

    def get_form_class(self, for_update=False):
        return RatingForm


class ObjectionViewSet(QueueViewSetMixin, DecisionViewSetMixin, ModelViewSet):
    """The objections queue (S8): open items first, by their S8 deadline."""

    model = Objection
    queue = OBJECTIONS
    icon = "help"
    menu_label = gettext_lazy("信用异议")
    index_view_class = ObjectionQueueIndexView
    edit_view_class = DecideObjectionView
    history_view_class = CreditHistoryView
    copy_view_enabled = False
    search_fields = ["organization__name", "organization__uscc"]
    list_display = [
        TitleColumn(
            "organization",
            label=gettext_lazy("社会组织"),
            accessor="organization.name",
            url_name="credit_objections:edit",
        ),
        Column("district", label=DISTRICT, accessor="organization.get_district_display"),
        Column("record", label=gettext_lazy("异议的信用记录")),
        Column("category", label=gettext_lazy("信息类别"), accessor="record.get_category_display"),
        Column("filed_at", label=gettext_lazy("提出时间")),
        DeadlineColumn(OBJECTIONS, label=gettext_lazy("处理期限")),
        Column("status", label=gettext_lazy("状态"), accessor="get_status_display"),
    ]
    list_export = [
        *ORG_EXPORT,
        "record.get_category_display",
        "record.summary",
        "grounds",
        "filed_at",
        "due_on",
        "get_status_display",
        "decided_at",
        "decision_reason",
    ]
    export_headings = {
        **ORG_HEADINGS,
        "record.get_category_display": gettext_lazy("信息类别"),
        "record.summary": gettext_lazy("异议的信用记录"),
        "grounds": gettext_lazy("异议理由"),
        "filed_at": gettext_lazy("提出时间（北京时间）"),
        "due_on": gettext_lazy("处理期限"),
        "get_status_display": gettext_lazy("状态"),
        "decided_at": gettext_lazy("处理时间（北京时间）"),
        "decision_reason": gettext_lazy("处理理由"),
    }

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


hooks.register("register_bulk_action", DecideProposalsBulkAction)


@hooks.register("register_log_actions")
def register_credit_actions(actions):
    actions.register_action("credit.objection", gettext_lazy("提出异议"), gettext_lazy("已提出信用异议"))

    @actions.register_action("credit.list")
    class ListingFormatter(LogFormatter):
        label = gettext_lazy("列入名录")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return gettext_lazy("已列入名录：%(reason)s，列入日期 %(date)s") % {
                "reason": data.get("reason", ""),
                "date": data.get("listed_on", ""),
            }

    @actions.register_action(DECISION_ACTION)
    class DecisionFormatter(LogFormatter):
        """Each changed field with its label and the states' Chinese names (``audit``)."""

        label = gettext_lazy("信用决定")

        def format_message(self, log_entry):
            model = log_entry.content_type.model_class() if log_entry.content_type_id else None
            return describe(model, log_entry.data)
