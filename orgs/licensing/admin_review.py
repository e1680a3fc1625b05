"""The bureau's review of registration applications (S9) in the Wagtail admin: a queue ordered
by the statutory deadline, and one page per application with its facts, its pre-checks as they
stand now, its materials (served only while their hash matches) and the step the bureau owes:
accept or return once for completion, then approve or refuse with reasons and the legal basis.
Every move goes through ``registration`` and its transition table."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet

from accounts.groups import SOCIAL_ORG_SECTION
from core.admin_queues import (
    AnnotatedDueQueue,
    ComputedExportMixin,
    DeadlineColumn,
    QueueIndexView,
    QueueViewSetMixin,
    countdown_text,
    register_queue,
)
from core.forms import add_service_error
from core.statemachine import IllegalTransition
from core.stored_files import serve_stored_file
from orgs.registry.models import District

from . import registration
from .models import OPEN_STATES, ApplicationMaterial, ApplicationStatus, RegistrationApplication
from .prechecks import checklist_of, run_prechecks
from .presentation import steps_of, summary_sections

A = ApplicationStatus
PERMISSION = "licensing.change_registrationapplication"


class RegistrationQueue(AnnotatedDueQueue):
    """The bureau's current deadline: the formal check's while submitted, the decision's once accepted."""

    def due_expression(self):
        return Coalesce(
            models.F("formal_check_due"), models.F("decision_due"), output_field=models.DateField()
        )


APPLICATIONS = register_queue(
    RegistrationQueue(
        key="registration_applications",
        label=gettext_lazy("登记申请审核"),
        model=RegistrationApplication,
        section=SOCIAL_ORG_SECTION,
        permission=PERMISSION,
        open_states=(A.SUBMITTED, A.IN_REVIEW),
        due_field="bureau_due",
        received_field="submitted_on",
        decided_field="decided_on",
        district_field="district",
        district_choices=lambda: District.choices,
        type_field="kind",
        type_label=gettext_lazy("申请类型"),
    )
)


class FormalCheckForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("形式审查结论"),
        choices=[("accept", gettext_lazy("材料齐全，予以受理")), ("return", gettext_lazy("退回补正"))],
        widget=forms.RadioSelect,
    )
    missing = forms.MultipleChoiceField(
        label=gettext_lazy("需补正的材料"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other = forms.CharField(
        label=gettext_lazy("其他需补正的事项"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("每行一项。退回补正只有一次，须一次性列明全部事项。"),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["missing"].choices = [(name, name) for name in items]

    def missing_items(self):
        return [*self.cleaned_data["missing"], *self.cleaned_data["other"].splitlines()]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审查决定"),
        choices=[("approve", gettext_lazy("准予登记")), ("refuse", gettext_lazy("不予登记"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("决定理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("法律依据"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("不予登记时必填，例如《社会团体登记管理条例》第十三条。"),
    )


class ReviewView(View):
    model = RegistrationApplication
    permission_policy = None
    index_url_name = None
    edit_url_name = None

    def dispatch(self, request, pk):
        if not request.user.has_perm("licensing.view_registrationapplication"):
            raise PermissionDenied
        self.application = get_object_or_404(
            RegistrationApplication.objects.exclude(status=A.DRAFT).select_related(
                "organization", "applicant", "supervising_unit"
            ),
            pk=pk,
        )
        return super().dispatch(request, pk)

    def items(self):
        return [item.name for item in checklist_of(self.application) or ()]

    def render(self, request, form=None, status=200):
        application = self.application
        if form is None and application.status == A.SUBMITTED:
            form = FormalCheckForm(items=self.items())
        elif form is None and application.status == A.IN_REVIEW:
            form = DecisionForm()
        context = {
            "application": application,
            "steps": steps_of(application),
            "sections": summary_sections(application),
            "checks": run_prechecks(application),
            "materials": application.materials.order_by("item", "-pk"),
            "days_left": registration.days_left(application),
            "form": form,
            "can_decide": form is not None and request.user.has_perm(PERMISSION),
            "index_url": self.index_url_name,
            "page_title": str(application),
            "header_icon": "form",
        }
        return TemplateResponse(request, "licensing/admin_review.html", context, status=status)

    def get(self, request, pk):
        return self.render(request)

    def post(self, request, pk):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        application = self.application
        if application.status == A.SUBMITTED:
            form = FormalCheckForm(request.POST, items=self.items())
        elif application.status == A.IN_REVIEW:
            form = DecisionForm(request.POST)
        else:
            messages.error(request, _("该申请当前没有待办的审查步骤。"))
            return redirect(self.edit_url_name, pk)
        if not form.is_valid():
            return self.render(request, form=form, status=400)
        decision = form.cleaned_data["decision"]
        try:
            if decision == "accept":
                registration.accept(application, user=request.user)
                done = _("已受理，进入实质审查。")
            elif decision == "return":
                registration.return_for_completion(application, form.missing_items(), user=request.user)
                done = _("已退回补正，申请人会收到短信通知。")
            elif decision == "approve":
                registration.approve(application, user=request.user, reason=form.cleaned_data["reason"])
                done = _("已准予登记，电子证照已发放。")
            else:
                registration.refuse(
                    application,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    legal_basis=form.cleaned_data["legal_basis"],
                )
                done = _("已作出不予登记的决定。")
        except (ValidationError, IllegalTransition) as error:
            add_service_error(form, error)
            return self.render(request, form=form, status=400)
        messages.success(request, done)
        return redirect(self.edit_url_name, pk)


def admin_material(request, pk):
    if not request.user.has_perm("licensing.view_registrationapplication"):
        raise PermissionDenied
    material = get_object_or_404(ApplicationMaterial, pk=pk)
    return serve_stored_file(
        request, material, file_field="file", sha_field="file_sha256", filename=material.original_name
    )


class ApplicationQueueView(ComputedExportMixin, QueueIndexView):
    def get_base_queryset(self):
        # A draft is the applicant's own until submitted: not in any of the queue's views.
        return super().get_base_queryset().exclude(status=A.DRAFT).select_related("organization")

    export_computed = {"bureau_countdown": countdown_text(APPLICATIONS)}


class RegistrationApplicationViewSet(QueueViewSetMixin, ModelViewSet):
    """S9: the bureau's review of registration applications, open ones first by deadline."""

    queue = APPLICATIONS
    model = RegistrationApplication
    icon = "form"
    menu_label = gettext_lazy("登记申请审核")
    menu_order = 344
    add_to_admin_menu = True
    index_view_class = ApplicationQueueView
    edit_view_class = ReviewView
    copy_view_enabled = False
    search_fields = ["number", "proposed_name", "organization__name", "organization__uscc"]
    form_fields = ["decision_reason"]
    list_display = [
        TitleColumn("number", label=gettext_lazy("申请编号"), url_name="registration_applications:edit"),
        Column("kind", label=gettext_lazy("申请类型"), accessor="get_kind_display"),
        Column("subject", label=gettext_lazy("组织"), accessor="subject_name"),
        Column("status", label=gettext_lazy("办理状态"), accessor="get_status_display"),
        DeadlineColumn(APPLICATIONS, label=gettext_lazy("办理期限")),
    ]
    list_export = [
        "number",
        "get_kind_display",
        "subject_name",
        "get_status_display",
        "submitted_on",
        "bureau_due",
        "bureau_countdown",
    ]
    export_headings = {
        "number": gettext_lazy("申请编号"),
        "get_kind_display": gettext_lazy("申请类型"),
        "subject_name": gettext_lazy("组织"),
        "get_status_display": gettext_lazy("办理状态"),
        "submitted_on": gettext_lazy("提交日期"),
        "bureau_due": gettext_lazy("办理期限"),
        "bureau_countdown": gettext_lazy("剩余期限"),
    }
    export_filename = "registration-applications"

    def get_edit_view_kwargs(self, **kwargs):
        return {
            "index_url_name": self.get_url_name("index"),
            "edit_url_name": self.get_url_name("edit"),
            **kwargs,
        }

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("material/<int:pk>/", admin_material, name="material")]


__all__ = ["OPEN_STATES", "RegistrationApplicationViewSet", "APPLICATIONS"]
