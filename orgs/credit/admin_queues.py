"""The credit queues of the social-organisation section (issue 23, point 1): the rules'
proposals (S5, S6) and the objections (S8), described once as ``core.admin_queues.Queue``
and registered for the section's dashboard. The listing views, with their bulk-action
checkboxes and the audit history that names states in Chinese, are here too."""

import django_filters
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn
from wagtail.admin.views.generic.history import HistoryView

from accounts.groups import SOCIAL_ORG_SECTION
from core.admin_queues import Queue, QueueIndexView, register_queue
from core.statemachine import TRANSITION_ACTION
from orgs.registry.models import District

from .models import ListType, Objection, ObjectionStatus, Proposal, ProposalStatus

PROPOSALS = register_queue(
    Queue(
        key="credit_proposals",
        label=_("名录建议"),
        model=Proposal,
        section=SOCIAL_ORG_SECTION,
        permission="credit.change_proposal",
        open_states=(ProposalStatus.PENDING,),
        due_field="due_on",
        received_field="proposed_on",
        decided_field="decided_at",
        district_field="organization__district",
        district_choices=lambda: District.choices,
        type_field="rule",
        type_label=_("规则"),
        extra_filters={
            "list_type": django_filters.ChoiceFilter(label=_("名录"), choices=ListType.choices),
        },
    )
)

OBJECTIONS = register_queue(
    Queue(
        key="credit_objections",
        label=_("信用异议"),
        model=Objection,
        section=SOCIAL_ORG_SECTION,
        permission="credit.change_objection",
        open_states=(ObjectionStatus.PENDING,),
        due_field="due_on",
        received_field="filed_at",
        decided_field="decided_at",
        district_field="organization__district",
        district_choices=lambda: District.choices,
        type_field="record__category",
        type_label=_("信息类别"),
    )
)


def title_id(prefix):
    """The id of the row's title, which the row's checkbox names for screen readers."""
    return lambda instance: f"{prefix}_{instance.pk}_title"


class ProposalQueueIndexView(QueueIndexView):
    """The proposals queue, with a checkbox per row for the bulk decision."""

    template_name = "credit/admin/proposal_index.html"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("organization")

    @cached_property
    def columns(self):
        return [BulkActionsCheckboxColumn("bulk_actions", obj_type="proposal"), *super().columns]


class ObjectionQueueIndexView(QueueIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("organization", "record")


class CreditHistoryView(HistoryView):
    """A credit decision's history. Each decision writes a ``credit.decision`` entry that names
    the states in Chinese, field by field (``orgs.credit.audit``); the state machine's own
    entry for the same move (raw codes, ``core.statemachine``) is left out here so that the
    officer reads each change once, in words."""

    def get_base_queryset(self):
        return super().get_base_queryset().exclude(action=TRANSITION_ACTION)
