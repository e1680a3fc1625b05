"""Bulk decisions on the rules' proposals (issue 23, point 2).

An officer selects several pending proposals in the queue, sees a summary of each
(organisation, rule, proposed action, deadline) and decides them together with one shared
reason, decision date and 决定书文号. Each proposal goes through the same service as the single
decision page (``services.rules.confirm_proposal`` / ``reject_proposal``), so every rule check
and side effect (the listing or removal it makes) happens per item, and each is audited on
its own.

**All or nothing.** If any selected proposal is no longer pending, or the service refuses
one of them, the whole batch is refused, nothing is decided, and the page names the item and
the reason. A bureau decision with one 决定书文号 is one act: deciding part of it would leave a
document number that covers organisations it does not name."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin import messages
from wagtail.admin.utils import get_valid_next_url_from_request

from core.admin_queues import QueueBulkAction
from core.forms import SpecificErrorsMixin

from .admin_queues import PROPOSALS
from .models import ProposalStatus
from .services.rules import confirm_proposal, reject_proposal

CONFIRM, REJECT = "confirm", "reject"


class BulkDecisionForm(SpecificErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("决定"),
        choices=[(CONFIRM, gettext_lazy("确认并执行")), (REJECT, gettext_lazy("驳回"))],
        widget=forms.RadioSelect,
    )
    decision_reason = forms.CharField(
        label=gettext_lazy("决定理由（各项共用）"), widget=forms.Textarea(attrs={"rows": 3})
    )
    decided_on = forms.DateField(
        label=gettext_lazy("决定日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    document_number = forms.CharField(label=gettext_lazy("决定书文号"), max_length=80, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == CONFIRM:
            if not cleaned.get("decided_on"):
                self.add_error("decided_on", _("确认时请填写决定日期。"))
            if not (cleaned.get("document_number") or "").strip():
                self.add_error("document_number", _("确认时请填写决定书文号。"))
        return cleaned


class BatchRefused(Exception):
    """One item of the batch was refused: everything done for the batch is rolled back."""

    def __init__(self, proposal, messages):
        self.proposal = proposal
        self.messages = messages
        super().__init__(messages)


def item_label(proposal):
    return _("“%(org)s”（%(rule)s）") % {
        "org": proposal.organization.name,
        "rule": proposal.get_rule_display(),
    }


def decide_batch(proposals, *, user, decision, reason, decided_on=None, document_number=""):
    """Decide every proposal through the single-item service, or none (raises
    :class:`BatchRefused` naming the first item refused)."""
    for proposal in proposals:
        if proposal.status != ProposalStatus.PENDING:
            raise BatchRefused(
                proposal, [_("该建议已处理（%(status)s）。") % {"status": proposal.get_status_display()}]
            )
    # One transaction for the batch: a refusal raised inside it rolls back every item decided
    # before it (each service's own transaction is a savepoint within this one).
    with transaction.atomic():
        for proposal in proposals:
            try:
                if decision == CONFIRM:
                    confirm_proposal(
                        proposal,
                        user=user,
                        reason=reason,
                        decided_on=decided_on,
                        document_number=document_number,
                    )
                else:
                    reject_proposal(proposal, user=user, reason=reason)
            except ValidationError as error:
                raise BatchRefused(proposal, error.messages) from error
    return len(proposals)


class DecideProposalsBulkAction(QueueBulkAction):
    queue = PROPOSALS
    related = ("organization", "entry")
    display_name = gettext_lazy("批量决定")
    action_type = "decide"
    aria_label = gettext_lazy("批量决定所选名录建议")
    template_name = "credit/admin/bulk_decide.html"
    action_priority = 10
    form_class = BulkDecisionForm

    def dispatch(self, request, *args, **kwargs):
        if not get_valid_next_url_from_request(request):
            self.next_url = reverse("credit_proposals:index")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"decided_on": timezone.localdate()}

    def object_context(self, obj):
        return {
            "item": obj,
            "edit_url": reverse("credit_proposals:edit", args=[obj.pk]),
            "pending": obj.status == ProposalStatus.PENDING,
            "countdown": PROPOSALS.countdown_for(obj),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["header_icon"] = "tasks"
        context["not_pending"] = [entry["item"] for entry in context["items"] if not entry["pending"]]
        return context

    def form_valid(self, form):
        objects, without_access = self.get_actionable_objects()
        if without_access["items_with_no_access"] or not objects:
            raise PermissionDenied
        data = form.cleaned_data
        try:
            count = decide_batch(
                objects,
                user=self.request.user,
                decision=data["decision"],
                reason=data["decision_reason"],
                decided_on=data.get("decided_on"),
                document_number=(data.get("document_number") or "").strip(),
            )
        except BatchRefused as refused:
            form.add_error(
                None,
                _("整批未执行：%(item)s：%(reason)s 请取消选择该项后重试。")
                % {"item": item_label(refused.proposal), "reason": " ".join(refused.messages)},
            )
            return self.form_invalid(form)
        if data["decision"] == CONFIRM:
            text = ngettext("已确认 %(n)d 条名录建议。", "已确认 %(n)d 条名录建议。", count)
        else:
            text = ngettext("已驳回 %(n)d 条名录建议。", "已驳回 %(n)d 条名录建议。", count)
        messages.success(self.request, text % {"n": count})
        return redirect(self.next_url)

    def form_invalid(self, form):
        response = self.render_to_response(self.get_context_data(form=form))
        if isinstance(response, TemplateResponse):
            response.status_code = 400
        return response
