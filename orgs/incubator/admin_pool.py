"""Bureau admin for the resource pool (资源配置平台, I2): the offers, and the queue of
organisations' applications to them, where an officer awards an offer to an eligible applicant
(amount, period, deliverables) or declines it with a reason. Registered in the incubator's
admin group (``wagtail_hooks.IncubatorGroup``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet

from accounts.groups import SOCIAL_ORG_SECTION
from core.admin_audit import AuditedEditView
from core.admin_queues import (
    ComputedExportMixin,
    DeadlineColumn,
    Queue,
    QueueIndexView,
    QueueViewSetMixin,
    SafeExportIndexView,
    countdown_text,
    register_queue,
)
from core.statemachine import IllegalTransition
from orgs.registry.models import District

from .admin_forms import AwardForm, DeclineForm, OfferForm
from .models import Offer, OfferApplication, OfferApplicationState
from .services.eligibility import changes, evaluate, from_json
from .services.offers import award, decline

OFFER_APPLICATIONS = register_queue(
    Queue(
        key="incubator_offer_applications",
        label=gettext_lazy("资源申请"),
        model=OfferApplication,
        section=SOCIAL_ORG_SECTION,
        permission="incubator.change_offerapplication",
        open_states=(OfferApplicationState.SUBMITTED,),
        due_field="decision_due",
        received_field="submitted_at",
        decided_field="decided_at",
        state_field="state",
        district_field="organization__district",
        district_choices=lambda: District.choices,
        type_field="offer__kind",
        type_label=gettext_lazy("资源类型"),
    )
)


class OfferApplicationQueueView(ComputedExportMixin, QueueIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("organization", "offer")

    export_computed = {"decision_countdown": countdown_text(OFFER_APPLICATIONS)}


class OfferDecisionView(View):
    """I2: award an offer to an eligible applicant (amount, period, deliverables), or decline
    with a reason. The eligibility is shown then and now, as for programmes."""

    model = OfferApplication
    permission_policy = None
    index_url_name = None
    edit_url_name = None

    def dispatch(self, request, pk):
        if not request.user.has_perm("incubator.view_offerapplication"):
            raise PermissionDenied
        self.application = get_object_or_404(
            OfferApplication.objects.select_related("organization", "offer__funder"), pk=pk
        )
        return super().dispatch(request, pk)

    def render(self, request, award_form=None, decline_form=None, status=200):
        application = self.application
        now = evaluate(application.offer, application.organization, timezone.localdate())
        context = {
            "application": application,
            "organization": application.organization,
            "offer": application.offer,
            "submitted": from_json(application.eligibility),
            "current": now,
            "changes": changes(application.eligibility, now.as_json()),
            "award_form": award_form or AwardForm(),
            "decline_form": decline_form or DeclineForm(),
            "can_decide": application.state == OfferApplicationState.SUBMITTED
            and request.user.has_perm("incubator.change_offerapplication"),
            "index_url": self.index_url_name,
            "page_title": str(application),
            "header_icon": "group",
        }
        return TemplateResponse(request, "incubator/admin_offer_decision.html", context, status=status)

    def get(self, request, pk):
        return self.render(request)

    def post(self, request, pk):
        if not request.user.has_perm("incubator.change_offerapplication"):
            raise PermissionDenied
        if request.POST.get("action") == "award":
            form = AwardForm(request.POST)
            if form.is_valid():
                try:
                    award(self.application, user=request.user, **form.cleaned_data)
                except (ValidationError, IllegalTransition) as error:
                    form.add_error(None, error if isinstance(error, ValidationError) else str(error))
                else:
                    messages.success(request, _("已记录授予，并在机构公开信息页和开放数据中公开。"))
                    return redirect(self.edit_url_name, pk)
            return self.render(request, award_form=form, status=400)
        form = DeclineForm(request.POST)
        if form.is_valid():
            try:
                decline(self.application, user=request.user, reason=form.cleaned_data["reason"])
            except (ValidationError, IllegalTransition) as error:
                form.add_error(None, error if isinstance(error, ValidationError) else str(error))
            else:
                messages.success(request, _("已决定不予授予。"))
                return redirect(self.edit_url_name, pk)
        return self.render(request, decline_form=form, status=400)


class OfferApplicationViewSet(QueueViewSetMixin, ModelViewSet):
    queue = OFFER_APPLICATIONS
    model = OfferApplication
    icon = "group"
    menu_label = gettext_lazy("资源申请")
    index_view_class = OfferApplicationQueueView
    edit_view_class = OfferDecisionView
    copy_view_enabled = False
    search_fields = ["organization__name", "organization__uscc", "offer__title"]
    list_display = [
        TitleColumn(
            "organization",
            label=gettext_lazy("申请机构"),
            accessor="organization.name",
            url_name="incubator_offer_applications:edit",
            sort_key="organization__name",
        ),
        Column("offer", label=gettext_lazy("资源"), accessor="offer.title"),
        Column("kind", label=gettext_lazy("资源类型"), accessor="offer.get_kind_display"),
        Column("state", label=gettext_lazy("状态"), accessor="get_state_display"),
        DeadlineColumn(OFFER_APPLICATIONS, label=gettext_lazy("办理期限")),
    ]
    list_export = [
        "organization.name",
        "organization.uscc",
        "offer.title",
        "offer.get_kind_display",
        "get_state_display",
        "submitted_at",
        "decision_due",
        "decision_countdown",
    ]
    export_headings = {
        "organization.name": gettext_lazy("申请机构"),
        "organization.uscc": gettext_lazy("统一社会信用代码"),
        "offer.title": gettext_lazy("资源"),
        "offer.get_kind_display": gettext_lazy("资源类型"),
        "get_state_display": gettext_lazy("状态"),
        "submitted_at": gettext_lazy("提交时间"),
        "decision_due": gettext_lazy("办理期限"),
        "decision_countdown": gettext_lazy("剩余期限"),
    }
    export_filename = "incubator-offer-applications"

    def get_form_class(self, for_update=False):
        # Never used: organisations apply from their workbench (see the DECIDE_ONLY policy).
        return OfferForm

    def get_edit_view_kwargs(self, **kwargs):
        return {
            "index_url_name": self.get_url_name("index"),
            "edit_url_name": self.get_url_name("edit"),
            **kwargs,
        }


class OfferViewSet(ModelViewSet):
    model = Offer
    edit_view_class = AuditedEditView
    index_view_class = SafeExportIndexView
    icon = "list-ul"
    menu_label = gettext_lazy("资源")
    copy_view_enabled = False
    search_fields = ["title", "provider_name"]
    list_filter = ["kind", "published"]
    list_display = [
        "title",
        Column("kind", label=gettext_lazy("资源类型"), accessor="get_kind_display"),
        Column("provider", label=gettext_lazy("提供方"), accessor="provider_label"),
        "opens_on",
        "deadline",
        BooleanColumn("published", label=gettext_lazy("已发布")),
    ]
    list_export = [
        "title",
        "get_kind_display",
        "provider_label",
        "budget",
        "opens_on",
        "deadline",
        "published",
    ]
    export_headings = {
        "title": gettext_lazy("名称"),
        "get_kind_display": gettext_lazy("资源类型"),
        "provider_label": gettext_lazy("提供方"),
        "budget": gettext_lazy("预算或资助上限（元）"),
        "opens_on": gettext_lazy("开始接受申请"),
        "deadline": gettext_lazy("申请截止日期"),
        "published": gettext_lazy("已发布"),
    }
    export_filename = "incubator-offers"

    def get_form_class(self, for_update=False):
        return OfferForm
