"""Bureau admin for credit: records (append-only, with corrections), listings and their
removal, the rules' proposals (confirm or reject with a reason, with the rule and the
triggering data shown), ratings (S7 eligibility) and objections (S8).

The forms are in ``admin_forms`` and the views in ``admin_views``; this module holds the
viewsets, the admin policies and the hooks."""

from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from core.admin_policies import APPEND_ONLY, DECIDE_ONLY, NO_DELETE, RefusingPolicy

from .admin_forms import CreditRecordForm, ListingForm, ProposalFilterSet, RatingForm
from .admin_views import (
    CreditRecordCreateView,
    DecideObjectionView,
    DecideProposalView,
    ListingCreateView,
    ProposalIndexView,
    RatingCreateView,
    RemoveEntryView,
    admin_evidence,
    admin_record_attachment,
)
from .forms import DecisionForm
from .models import CreditRecord, ListEntry, Objection, Proposal, Rating


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
