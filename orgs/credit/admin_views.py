"""Views of the bureau's credit admin: creating records, listings and ratings through the
services, removing a listing, and deciding the rules' proposals and the objections (the
rule and the triggering data shown). ``wagtail_hooks`` wires them into viewsets."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views import View
from wagtail.admin.views.generic import CreateView

from .forms import ConfirmProposalForm, DecisionForm, RemovalForm, UpholdForm
from .models import (
    AUTO_REMOVAL_MONTHS,
    FINE,
    REPEAT_COUNT,
    REPEAT_YEARS,
    SERIOUS_REMOVAL_YEARS,
    YEARS_TO_SERIOUS,
    CreditRecord,
    ListEntry,
    Objection,
    ObjectionStatus,
    Proposal,
    ProposalAction,
    ProposalStatus,
    Rule,
)
from .services.listing import list_organization, remove_entry
from .services.objections import dismiss_objection, uphold_objection
from .services.ratings import rate
from .services.records import record_credit
from .services.rules import confirm_proposal, reject_proposal
from .texts import setting_text
from .views import evidence_response, record_attachment_response

# What each rule says, shown on its proposals. The numbers are settings, filled in when the
# page is shown (``texts.setting_text``), so the text always quotes the rule the code applies.
RULE_TEXT = {
    Rule.S5_LIST_OVERDUE_REPORT: gettext_lazy(
        "S5：年度工作报告未按规定时限报送的，列入活动异常名录。截止日期次日起提出建议。"
    ),
    Rule.S5_LIST_PENALTY: setting_text(
        gettext_noop("S5：受到警告或不满%(fine)s罚款的行政处罚的，列入活动异常名录。"), fine=FINE
    ),
    Rule.S6_LIST_PENALTY: setting_text(
        gettext_noop(
            "S6：受到%(fine)s以上罚款，或%(years)s年内受到%(count)s次以上行政处罚的，列入严重违法失信名单。"
        ),
        fine=FINE,
        years=REPEAT_YEARS,
        count=REPEAT_COUNT,
    ),
    Rule.S5_REMOVE_FIXED: setting_text(
        gettext_noop("S5：已补报所涉年度工作报告，应在补报之日起%(days)s个工作日内移出活动异常名录。"),
        days="S5_REMOVAL_WORKING_DAYS",
    ),
    Rule.S5_REMOVE_SIX_MONTHS: setting_text(
        gettext_noop("S5：列入事由无需整改的，列入满%(months)s个月移出活动异常名录。"),
        months=AUTO_REMOVAL_MONTHS,
    ),
    Rule.S6_LIST_TWO_YEARS: setting_text(
        gettext_noop("S6：被列入活动异常名录满%(years)s年的，列入严重违法失信名单。"), years=YEARS_TO_SERIOUS
    ),
    Rule.S6_REMOVE_TWO_YEARS: setting_text(
        gettext_noop(
            "S6：列入严重违法失信名单满%(years)s年且期间未再被列入的，整改完毕后移出。请核实整改情况。"
        ),
        years=SERIOUS_REMOVAL_YEARS,
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
    "two_years_on": setting_text(gettext_noop("满%(years)s年日期"), years=YEARS_TO_SERIOUS),
    "latest_listing": gettext_lazy("最近一次列入日期"),
    "records": gettext_lazy("行政处罚记录"),
    "fine": gettext_lazy("罚款金额（元）"),
    "penalties_within_years": setting_text(gettext_noop("%(years)s年内行政处罚次数"), years=REPEAT_YEARS),
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
        return record_credit(
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


class ListingCreateView(ServiceCreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return list_organization(
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

    def context(self, form=None):
        # A submitted form is shown again with its errors even if the entry was removed meanwhile.
        return {
            "form": form or RemovalForm(initial={"removed_on": timezone.localdate()}),
            "can_change": self.can_change() and (form is not None or self.object.is_current),
        }

    def get(self, request, pk):
        return self.render(**self.context())

    def post(self, request, pk):
        if not self.can_change():
            raise PermissionDenied
        return self.decide(
            RemovalForm(request.POST),
            "form",
            lambda data: remove_entry(
                self.object,
                removed_on=data["removed_on"],
                removal_reason=data["removal_reason"],
                document_number=data["removal_document_number"],
                note=data["removal_note"],
                user=request.user,
            ),
            _("已移出名录。"),
        )


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
            form = ConfirmProposalForm(request.POST)
            pending = self.object.status == ProposalStatus.PENDING
            if pending and request.POST.get("confirmed") != "1" and form.is_valid():
                # The first POST only shows what will happen; the second one decides.
                return self.confirmation(form)
            return self.decide(
                form,
                "confirm_form",
                lambda data: confirm_proposal(
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
                lambda data: reject_proposal(self.object, user=request.user, reason=data["decision_reason"]),
                _("已驳回该建议；触发数据不变的，不会再次提出。"),
            )
        return self.render(status=400, **self.context())

    def confirmation(self, form):
        """The summary shown before a confirmation takes effect (issue 23, point 7)."""
        proposal, data = self.object, form.cleaned_data
        values = {
            "organization": proposal.organization.name,
            "list": proposal.get_list_type_display(),
            "date": data["decided_on"].isoformat(),
        }
        if proposal.action == ProposalAction.LIST:
            consequence = _(
                "确认后，“%(organization)s”自%(date)s起列入%(list)s。列入信息（事由、日期、决定书文号）"
                "将在公开信用查询页、机构主页和开放数据中公示，直至依规移出。"
            )
        else:
            consequence = _(
                "确认后，“%(organization)s”于%(date)s移出%(list)s。公开信用查询页将显示移出日期和事由，"
                "原列入记录予以保留。"
            )
        return TemplateResponse(
            self.request,
            "credit/admin/proposal_confirm.html",
            {
                "object": proposal,
                "proposal": proposal,
                "form": form,
                "data": data,
                "consequence": consequence % values,
                "index_url": self.index_url_name,
                "edit_url": reverse(self.edit_url_name, args=[proposal.pk]),
                "header_icon": "warning",
                "page_title": _("确认决定：%(proposal)s") % {"proposal": proposal},
            },
        )


class RatingCreateView(ServiceCreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return rate(
            data["organization"],
            score=data["score"],
            evaluating_body=data["evaluating_body"],
            rated_on=data["rated_on"],
            document_number=data.get("document_number", ""),
            user=self.request.user,
        )


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
                lambda data: uphold_objection(
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
                lambda data: dismiss_objection(
                    self.object, user=request.user, reason=data["decision_reason"]
                ),
                _("已驳回异议。"),
            )
        return self.render(status=400, **self.context())


def admin_evidence(request, pk):
    if not request.user.has_perm("credit.view_objection"):
        raise PermissionDenied
    return evidence_response(request, get_object_or_404(Objection, pk=pk))


def admin_record_attachment(request, pk):
    if not request.user.has_perm("credit.view_creditrecord"):
        raise PermissionDenied
    return record_attachment_response(request, get_object_or_404(CreditRecord, pk=pk))
