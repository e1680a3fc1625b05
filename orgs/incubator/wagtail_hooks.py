"""Bureau admin for the incubator (issue 16): the programmes (criteria as structured fields,
edited field by field with an audit trail) and the application review queue
(``core.admin_queues``: open applications first, by decision deadline in working days).

The review page shows every criterion as checked at submission and as it stands now, with what
changed, and offers only the moves the transition table allows from the application's state.
The resource pool's offers and their application queue are in :mod:`orgs.incubator.admin_pool`."""

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
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from accounts.groups import SOCIAL_ORG_SECTION
from core.admin_audit import AuditedEditView
from core.admin_policies import DECIDE_ONLY, NO_DELETE, RefusingPolicy
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
from core.stored_files import serve_stored_file
from orgs.registry.models import District

from .admin_forms import (
    DecisionForm,
    PanelReviewForm,
    ProgrammeForm,
    RegistrationForm,
)
from .admin_pool import OfferApplicationViewSet, OfferViewSet
from .models import (
    OPEN_STATES,
    Application,
    ApplicationState,
    Milestone,
    MilestoneEvidence,
    Offer,
    OfferApplication,
    Programme,
    RubricItem,
)
from .services import panel as panel_service
from .services.applications import allowed_decisions, decide, places_taken, record_registration
from .services.eligibility import changes, from_json
from .services.founding_eligibility import evaluate_application
from .services.milestones import milestone_rows, registration_row, review_evidence

APPLICATIONS = register_queue(
    Queue(
        key="incubator_applications",
        label=gettext_lazy("孵化申请审核"),
        model=Application,
        section=SOCIAL_ORG_SECTION,
        permission="incubator.change_application",
        open_states=OPEN_STATES,
        due_field="decision_due",
        received_field="submitted_at",
        decided_field="decided_at",
        state_field="state",
        district_field="organization__district",
        district_choices=lambda: District.choices,
        type_field="organization__org_type",
        type_label=gettext_lazy("组织类型"),
    )
)


def _applicant_uscc(application):
    return application.organization.uscc if application.organization_id else ""


def _applicant_district(application):
    if application.organization_id:
        return application.organization.get_district_display()
    return application.founding_group.get_planned_district_display()


class ApplicationQueueView(ComputedExportMixin, QueueIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("organization", "founding_group", "programme")

    export_computed = {
        "decision_countdown": countdown_text(APPLICATIONS),
        "applicant_uscc": _applicant_uscc,
        "applicant_district": _applicant_district,
    }


class ReviewView(View):
    """Read an application with its eligibility then and now, and decide."""

    model = Application
    permission_policy = None
    index_url_name = None
    edit_url_name = None

    def dispatch(self, request, pk):
        if not request.user.has_perm("incubator.view_application"):
            raise PermissionDenied
        self.application = get_object_or_404(
            Application.objects.select_related(
                "organization", "founding_group__applicant", "programme", "submitted_by"
            ),
            pk=pk,
        )
        return super().dispatch(request, pk)

    def form(self, data=None):
        choices = [
            (target, ApplicationState(target).label)
            for target, _action in allowed_decisions(self.application)
        ]
        return DecisionForm(data, choices=choices)

    def panel_form(self, data=None):
        return PanelReviewForm(data, items=panel_service.rubric(self.application.programme))

    def panel_context(self, request, panel_form=None):
        """The panel: the rubric, the reviews (hidden from a reviewer who has not yet scored,
        so that nobody anchors on the others), the form for the signed-in reviewer, and the
        programme's standings."""
        application, user = self.application, request.user
        result = panel_service.panel_result(application)
        is_reviewer = user.has_perm(panel_service.SCORE_PERMISSION)
        scoring = application.state == ApplicationState.SCORING
        blind = is_reviewer and scoring and not result.reviewed_by(user)
        return {
            "panel": result,
            "rubric": panel_service.rubric(application.programme),
            "panel_blind": blind,
            "can_score": blind,
            "panel_form": panel_form or (self.panel_form() if blind else None),
            "known_conflict": panel_service.known_conflict(user, application) if blind else "",
            "standings": [] if blind else panel_service.standings(application.programme),
        }

    def render(self, request, form=None, status=200, panel_form=None, registration_form=None):
        application = self.application
        now = evaluate_application(application, timezone.localdate())
        form = form or self.form()
        context = {
            **self.panel_context(request, panel_form),
            "group": application.founding_group,
            "registration": registration_row(application),
            "registration_form": registration_form or RegistrationForm(),
            "application": application,
            "organization": application.organization,
            "programme": application.programme,
            "submitted": from_json(application.eligibility),
            "current": now,
            "changes": changes(application.eligibility, now.as_json()),
            "places_taken": places_taken(application.programme),
            "milestones": milestone_rows(application),
            "can_review_evidence": request.user.has_perm("incubator.change_application"),
            "can_record_registration": application.founding_group_id is not None
            and application.founding_group.registered_as_id is None
            and request.user.has_perm("incubator.change_application"),
            "form": form,
            "can_decide": bool(form.fields["target"].choices)
            and request.user.has_perm("incubator.change_application"),
            "index_url": self.index_url_name,
            "page_title": str(application),
            "header_icon": "group",
        }
        return TemplateResponse(request, "incubator/admin_review.html", context, status=status)

    def get(self, request, pk):
        return self.render(request)

    def post(self, request, pk):
        if request.POST.get("action") == "panel":
            return self.score(request, pk)
        if not request.user.has_perm("incubator.change_application"):
            raise PermissionDenied
        if request.POST.get("action") == "evidence":
            return self.review_evidence(request, pk)
        if request.POST.get("action") == "registration":
            return self.record_registration(request, pk)
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(request, form=form, status=400)
        target = form.cleaned_data["target"]
        try:
            decide(self.application, target, user=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, IllegalTransition) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else str(error))
            return self.render(request, form=form, status=400)
        messages.success(request, _("已作出决定：%(state)s。") % {"state": ApplicationState(target).label})
        return redirect(self.edit_url_name, pk)

    def record_registration(self, request, pk):
        group = self.application.founding_group
        if group is None:
            raise PermissionDenied
        form = RegistrationForm(request.POST)
        if form.is_valid():
            try:
                record_registration(group, form.cleaned_data["organization"], user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
        if not form.is_valid():
            return self.render(request, status=400, registration_form=form)
        messages.success(request, _("已记录登记信息，该申请已转入登记成立的组织名下。"))
        return redirect(self.edit_url_name, pk)

    def score(self, request, pk):
        if not request.user.has_perm(panel_service.SCORE_PERMISSION):
            raise PermissionDenied
        form = self.panel_form(request.POST)
        if form.is_valid():
            try:
                panel_service.submit_review(
                    self.application,
                    request.user,
                    conflict=form.cleaned_data["conflict"],
                    conflict_note=form.cleaned_data["conflict_note"],
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
        if not form.is_valid():
            return self.render(request, status=400, panel_form=form)
        messages.success(
            request,
            _("已记录您的回避声明。") if form.cleaned_data["conflict"] else _("已提交您的评审打分。"),
        )
        return redirect(self.edit_url_name, pk)

    def review_evidence(self, request, pk):
        evidence = get_object_or_404(
            MilestoneEvidence, application=self.application, pk=request.POST.get("evidence") or 0
        )
        accept = request.POST.get("decision") == "accept"
        try:
            review_evidence(evidence, accept=accept, user=request.user, note=request.POST.get("note", ""))
        except (ValidationError, IllegalTransition) as error:
            messages.error(
                request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            )
            return self.render(request, status=400)
        messages.success(request, _("已确认该里程碑完成。") if accept else _("已退回该里程碑证明。"))
        return redirect(self.edit_url_name, pk)


def admin_evidence(request, pk):
    if not request.user.has_perm("incubator.view_application"):
        raise PermissionDenied
    evidence = get_object_or_404(MilestoneEvidence, pk=pk)
    return serve_stored_file(request, evidence, file_field="file", sha_field="file_sha256")


class ApplicationViewSet(QueueViewSetMixin, ModelViewSet):
    """I1: the bureau's review of incubator applications, open ones first by deadline."""

    queue = APPLICATIONS
    model = Application
    icon = "group"
    menu_label = gettext_lazy("孵化申请审核")
    index_view_class = ApplicationQueueView
    edit_view_class = ReviewView
    copy_view_enabled = False
    search_fields = [
        "organization__name",
        "organization__uscc",
        "founding_group__planned_name",
        "programme__title",
    ]
    list_display = [
        TitleColumn(
            "organization",
            label=gettext_lazy("申请机构"),
            accessor="applicant_name",
            url_name="incubator_applications:edit",
            sort_key="organization__name",
        ),
        Column("programme", label=gettext_lazy("孵化项目"), accessor="programme.title"),
        Column("district", label=gettext_lazy("所在区"), accessor=_applicant_district),
        Column("state", label=gettext_lazy("状态"), accessor="get_state_display"),
        DeadlineColumn(APPLICATIONS, label=gettext_lazy("办理期限")),
    ]
    list_export = [
        "applicant_name",
        "applicant_uscc",
        "programme.title",
        "applicant_district",
        "get_state_display",
        "submitted_at",
        "decision_due",
        "decision_countdown",
        "decision_reason",
    ]
    export_headings = {
        "applicant_name": gettext_lazy("申请机构"),
        "applicant_uscc": gettext_lazy("统一社会信用代码"),
        "programme.title": gettext_lazy("孵化项目"),
        "applicant_district": gettext_lazy("所在区"),
        "get_state_display": gettext_lazy("状态"),
        "submitted_at": gettext_lazy("提交时间"),
        "decision_due": gettext_lazy("办理期限"),
        "decision_countdown": gettext_lazy("剩余期限"),
        "decision_reason": gettext_lazy("决定理由"),
    }
    export_filename = "incubator-applications"

    def get_form_class(self, for_update=False):
        # Never used: applications are made by organisations (see the DECIDE_ONLY policy).
        return ProgrammeForm

    def get_edit_view_kwargs(self, **kwargs):
        return {
            "index_url_name": self.get_url_name("index"),
            "edit_url_name": self.get_url_name("edit"),
            **kwargs,
        }

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("evidence/<int:pk>/", admin_evidence, name="evidence")]


class ProgrammeViewSet(ModelViewSet):
    model = Programme
    edit_view_class = AuditedEditView  # logged field by field (core.admin_audit)
    index_view_class = SafeExportIndexView
    icon = "list-ul"
    menu_label = gettext_lazy("孵化项目")
    copy_view_enabled = False
    search_fields = ["title"]
    list_filter = ["kind", "published"]
    list_display = [
        "title",
        Column("kind", label=gettext_lazy("类型"), accessor="get_kind_display"),
        Column("operator", label=gettext_lazy("运营机构"), accessor="operator_name"),
        "opens_on",
        "closes_on",
        "capacity",
        BooleanColumn("published", label=gettext_lazy("已发布")),
    ]
    list_export = [
        "title",
        "get_kind_display",
        "operator_name",
        "opens_on",
        "closes_on",
        "capacity",
        "published",
    ]
    export_headings = {
        "title": gettext_lazy("项目名称"),
        "get_kind_display": gettext_lazy("类型"),
        "operator_name": gettext_lazy("运营机构"),
        "opens_on": gettext_lazy("申请开始日期"),
        "closes_on": gettext_lazy("申请截止日期"),
        "capacity": gettext_lazy("录取名额"),
        "published": gettext_lazy("已发布"),
    }
    export_filename = "incubator-programmes"

    def get_form_class(self, for_update=False):
        return ProgrammeForm


class MilestoneViewSet(ModelViewSet):
    model = Milestone
    edit_view_class = AuditedEditView
    icon = "tasks"
    menu_label = gettext_lazy("孵化里程碑")
    copy_view_enabled = False
    form_fields = ["programme", "order", "title", "description", "due_months"]
    list_display = ["programme", "order", "title", "due_months"]
    list_filter = ["programme"]
    ordering = ["programme", "order"]


class RubricItemViewSet(ModelViewSet):
    """A programme's scoring rubric; frozen once the first review is in (RubricItem.clean)."""

    model = RubricItem
    edit_view_class = AuditedEditView
    icon = "list-ol"
    menu_label = gettext_lazy("评分细则")
    copy_view_enabled = False
    form_fields = ["programme", "order", "title", "guidance", "weight", "max_score"]
    list_display = ["programme", "order", "title", "weight", "max_score"]
    list_filter = ["programme"]
    ordering = ["programme", "order"]


class IncubatorGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("孵化培育")
    menu_icon = "group"
    menu_order = 340
    items = (
        ApplicationViewSet("incubator_applications", url_prefix="incubator/applications"),
        ProgrammeViewSet("incubator_programmes", url_prefix="incubator/programmes"),
        MilestoneViewSet("incubator_milestones", url_prefix="incubator/milestones"),
        RubricItemViewSet("incubator_rubric", url_prefix="incubator/rubric"),
        OfferApplicationViewSet("incubator_offer_applications", url_prefix="incubator/offer-applications"),
        OfferViewSet("incubator_offers", url_prefix="incubator/offers"),
    )


register_permission_policy(Application, RefusingPolicy(Application, DECIDE_ONLY))
register_permission_policy(Programme, RefusingPolicy(Programme, NO_DELETE))
register_permission_policy(OfferApplication, RefusingPolicy(OfferApplication, DECIDE_ONLY))
register_permission_policy(Offer, RefusingPolicy(Offer, NO_DELETE))
register_permission_policy(RubricItem, RefusingPolicy(RubricItem, NO_DELETE))


@hooks.register("register_admin_viewset")
def register_incubator_viewsets():
    return IncubatorGroup()


@hooks.register("register_log_actions")
def register_incubator_actions(actions):
    actions.register_action(
        "incubator.application_submitted", gettext_lazy("提交孵化申请"), gettext_lazy("孵化申请已提交")
    )
    actions.register_action(
        "incubator.offer_application_submitted", gettext_lazy("提交资源申请"), gettext_lazy("资源申请已提交")
    )
    actions.register_action(
        "incubator.need_posted", gettext_lazy("发布资源需求"), gettext_lazy("资源需求已发布")
    )
    actions.register_action(
        "incubator.need_closed", gettext_lazy("关闭资源需求"), gettext_lazy("资源需求已关闭")
    )
    actions.register_action(
        "incubator.panel_review", gettext_lazy("评审打分"), gettext_lazy("评审专家已提交评审")
    )
    actions.register_action(
        "incubator.founding_group_created",
        gettext_lazy("登记筹备信息"),
        gettext_lazy("筹备中的组织已登记筹备信息"),
    )
    actions.register_action(
        "incubator.founding_group_registered",
        gettext_lazy("记录登记成立"),
        gettext_lazy("筹备中的组织已登记成立"),
    )
