"""Founding groups (筹备中, issue 16 point 2): people founding a social organisation that is not
registered yet apply with a real-name, SMS-verified account, their founders and their planned
name, type, district and field. Their pages live on the public site (they have no workbench
until they register): the group and its applications, eligibility explained as for an
organisation (I1), and the registration milestone. Every page is the applicant's own: another
account gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.statemachine import IllegalTransition

from .forms import FoundingGroupForm, WithdrawForm
from .models import TRANSITIONS, Application, ApplicationState, FoundingGroup, Programme
from .services.applications import (
    active_group_application,
    create_founding_group,
    submit_founding,
    withdraw,
)
from .services.eligibility import from_json
from .services.founding_eligibility import evaluate_group
from .services.milestones import registration_row
from .workbench_views import apply_page


def _crumbs(*extra):
    home = reverse("incubator:founding_home") if extra else None
    return [(_("孵化培育"), reverse("incubator:index")), (_("筹备中的组织"), home), *extra]


def _can_apply(user):
    return user.is_real_name_verified and bool(user.real_name) and user.is_mobile_verified


def _needs_verification(request):
    return render(
        request,
        "incubator/founding_needs_verification.html",
        {"breadcrumbs": _crumbs()},
        status=403,
    )


@login_required
def home(request):
    """The applicant's founding groups, their applications, and the programmes that accept
    founding groups now."""
    groups = list(
        FoundingGroup.objects.filter(applicant=request.user)
        .select_related("registered_as")
        .prefetch_related("applications__programme")
    )
    today = timezone.localdate()
    programmes = list(Programme.objects.open_on(today).filter(accepts_founding_groups=True))
    for group in groups:
        applied = {a.programme_id for a in group.applications.all() if a.state != ApplicationState.WITHDRAWN}
        group.open_programmes = [p for p in programmes if p.pk not in applied]
    return render(
        request,
        "incubator/founding_home.html",
        {
            "groups": groups,
            "programmes": programmes,
            "can_apply": _can_apply(request.user),
            "breadcrumbs": _crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_group(request):
    if not _can_apply(request.user):
        return _needs_verification(request)
    form = FoundingGroupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            create_founding_group(request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("已保存筹备信息，现在可以申请接受筹备中组织的孵化项目。"))
            return redirect("incubator:founding_home")
    if request.method == "POST":
        status = 400
    return render(
        request,
        "incubator/founding_group_form.html",
        {"form": form, "breadcrumbs": _crumbs((_("登记筹备信息"), None))},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, group, pk):
    if not _can_apply(request.user):
        return _needs_verification(request)
    group = get_object_or_404(FoundingGroup, applicant=request.user, registered_as__isnull=True, pk=group)
    programme = get_object_or_404(Programme.objects.published().select_related("operator"), pk=pk)
    return apply_page(
        request,
        programme,
        existing=active_group_application(programme, group),
        file=lambda statement: submit_founding(programme, group, user=request.user, statement=statement),
        eligibility=evaluate_group(programme, group, timezone.localdate()),
        context={"applicant_name": str(group), "breadcrumbs": _crumbs((programme.title, None))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def application(request, pk):
    """A founding group's application, until it is registered (then it is in the workbench)."""
    application = get_object_or_404(
        Application.objects.select_related("programme", "founding_group__registered_as", "organization"),
        founding_group__applicant=request.user,
        pk=pk,
    )
    if application.organization_id is not None:
        return redirect(application.get_absolute_url())
    withdrawing = request.method == "POST" and request.POST.get("action") == "withdraw"
    form = WithdrawForm(request.POST if withdrawing else None)
    if withdrawing and form.is_valid():
        try:
            withdraw(application, user=request.user, reason=form.cleaned_data["reason"])
        except IllegalTransition:
            messages.error(request, _("该申请当前不能撤回。"))
        else:
            messages.success(request, _("申请已撤回。"))
        return redirect(application.get_absolute_url())
    return render(
        request,
        "incubator/founding_application.html",
        {
            "application": application,
            "group": application.founding_group,
            "registration": registration_row(application),
            "can_withdraw": (application.state, ApplicationState.WITHDRAWN) in TRANSITIONS,
            "submitted": from_json(application.eligibility),
            "form": form,
            "breadcrumbs": _crumbs((application.programme.title, None)),
        },
        status=400 if request.method == "POST" else 200,
    )
