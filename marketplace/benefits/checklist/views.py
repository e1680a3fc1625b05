"""The family's 身后一件事 pages (/benefits/checklist/). Thin: parse input, call a service,
render. A checklist is fetched with ``services.checklist_or_404``: only its owner and accepted
co-keepers see it, and anyone else gets 404, as another family's order does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.verification import mask_name
from marketplace.orders.models import Certificate
from marketplace.orders.permissions import family_order_or_404

from . import pdfs, services
from .forms import InviteForm, StartForm, add_refusal
from .models import Checklist, ChecklistTick, KeeperStatus


def crumbs(*extra):
    return [(_("身后一件事"), reverse("benefit_checklist:index")), *extra]


def _checklist_crumbs(checklist, *extra):
    label = _("%(name)s 的清单") % {"name": checklist.deceased_name}
    if not extra:
        return crumbs((label, None))
    return crumbs((label, checklist.get_absolute_url()), *extra)


@login_required
@require_GET
def index(request):
    from django.db.models import Count

    checklists = (
        services.visible_checklists(request.user)
        .select_related("owner", "order")
        .annotate(ticked=Count("ticks", distinct=True))
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "benefit_checklist/index.html",
        {"checklists": list(checklists[:50]), "breadcrumbs": crumbs()},
    )


def _order_from_query(request, source):
    """The order a checklist starts from: ``?order=<reference>`` or ``?certificate=<number>``,
    the user's own only (another family's answers 404)."""
    reference = source.get("order", "").strip()
    if reference:
        return family_order_or_404(request.user, reference=reference)
    number = source.get("certificate", "").strip()
    if number:
        certificate = (
            Certificate.objects.select_related("order")
            .filter(number=number, order__user=request.user)
            .first()
        )
        if certificate is None:
            raise Http404
        return certificate.order
    return None


@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    source = request.POST if request.method == "POST" else request.GET
    order = _order_from_query(request, source)
    if order is not None:
        existing = Checklist.objects.filter(order=order).first()
        if existing is not None:
            return redirect(existing)
        if request.method == "POST":
            try:
                checklist, _created = services.start_checklist(request.user, order=order)
            except services.ChecklistRefused as error:
                for message in error.messages:
                    messages.error(request, message)
                return redirect(order)
            messages.success(
                request, _("清单已建立。平台办理的事项会自动更新状态，其他部门的事项办完后请勾选。")
            )
            return redirect(checklist)
        return render(
            request,
            "benefit_checklist/start.html",
            {"order": order, "breadcrumbs": crumbs((_("建立清单"), None))},
        )
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checklist, created = services.start_checklist(request.user, **form.cleaned_data)
        except services.ChecklistRefused as error:
            add_refusal(form, error)
        else:
            if created:
                messages.success(request, _("清单已建立。其他部门的事项办完后请勾选。"))
            else:
                messages.info(request, _("您已为这位逝者建立过清单，已为您打开。"))
            return redirect(checklist)
    return render(
        request,
        "benefit_checklist/start.html",
        {"form": form, "breadcrumbs": crumbs((_("建立清单"), None))},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def detail(request, reference):
    checklist = services.checklist_or_404(request.user, reference)
    keepers = services.keeper_rows(checklist)
    rows = services.checklist_rows(checklist, viewer=request.user, keepers=keepers, request=request)
    done, total = services.progress(rows)
    return render(
        request,
        "benefit_checklist/detail.html",
        {
            "checklist": checklist,
            "rows": rows,
            "done": done,
            "total": total,
            "is_owner": checklist.owner_id == request.user.pk,
            "owner_name": services.person(checklist.owner),
            "keeper_names": _("、").join(
                services.person(k.user) for k in keepers if k.status == KeeperStatus.ACCEPTED
            ),
            "history": services.history(checklist, steps={row.step.pk: row.step for row in rows}),
            "today": timezone.localdate(),
            "breadcrumbs": _checklist_crumbs(checklist),
        },
    )


@login_required
@require_GET
def pdf(request, reference):
    checklist = services.checklist_or_404(request.user, reference)
    rows = services.checklist_rows(checklist, viewer=request.user, request=request)
    data = pdfs.checklist_pdf(checklist, rows)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"身后一件事-{checklist.deceased_name}-{checklist.reference}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _back_to_step(checklist, step):
    return redirect(f"{checklist.get_absolute_url()}#step-{step}")


@login_required
@require_POST
def tick(request, reference, step):
    checklist = services.checklist_or_404(request.user, reference)
    try:
        made, created = services.tick(checklist, step, request.user)
    except services.ChecklistRefused as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if created:
            messages.success(request, _("已勾选“%(title)s”。") % {"title": made.step.localized("title")})
    return _back_to_step(checklist, step)


@login_required
@require_POST
def untick(request, reference, step):
    checklist = services.checklist_or_404(request.user, reference)
    ticked = ChecklistTick.objects.filter(checklist=checklist, step_id=step).select_related("step").first()
    if services.untick(checklist, step, request.user) and ticked is not None:
        messages.success(request, _("已取消勾选“%(title)s”。") % {"title": ticked.step.localized("title")})
    return _back_to_step(checklist, step)


def _base_url(request):
    return request.build_absolute_uri("/").rstrip("/")


@login_required
@require_http_methods(["GET", "POST"])
def keepers(request, reference):
    checklist = services.checklist_or_404(request.user, reference, owner_only=True)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            keeper = services.invite(
                checklist, request.user, mobile=form.cleaned_data["mobile"], base_url=_base_url(request)
            )
        except services.ChecklistRefused as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                _("邀请短信已发送至 %(mobile)s。对方用这个号码登录后，打开短信中的链接即可接受。")
                % {"mobile": keeper.masked_mobile},
            )
            return redirect("benefit_checklist:keepers", reference=checklist.reference)
    now = timezone.now()
    rows = services.keeper_rows(checklist)
    for row in rows:
        row.expired = services.is_expired(row, now)
    return render(
        request,
        "benefit_checklist/keepers.html",
        {
            "checklist": checklist,
            "form": form,
            "keepers": rows,
            "breadcrumbs": _checklist_crumbs(checklist, (_("共同办理人"), None)),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revoke(request, reference, pk):
    checklist = services.checklist_or_404(request.user, reference, owner_only=True)
    keeper = services.revoke(checklist, pk, request.user)
    if keeper.user_id:
        messages.success(request, _("已撤销 %(mobile)s 的共同办理权限。") % {"mobile": keeper.masked_mobile})
    else:
        messages.success(request, _("已撤销发给 %(mobile)s 的邀请。") % {"mobile": keeper.masked_mobile})
    return redirect("benefit_checklist:keepers", reference=checklist.reference)


@login_required
@require_http_methods(["GET", "POST"])
def accept(request, token):
    keeper = services.invitation_or_404(token, request.user)
    if keeper.status == KeeperStatus.ACCEPTED and keeper.user_id == request.user.pk:
        return redirect(keeper.checklist)
    problem = services.acceptance_problem(keeper, request.user)
    if request.method == "POST" and problem is None:
        checklist = services.accept(token, request.user)
        messages.success(request, _("您已成为共同办理人，可以查看和勾选这份清单。"))
        return redirect(checklist)
    verify_url = f"{reverse('accounts:login_code')}?next={request.path}"
    return render(
        request,
        "benefit_checklist/accept.html",
        {
            "keeper": keeper,
            "deceased_masked": mask_name(keeper.checklist.deceased_name),
            "inviter": mask_name(keeper.invited_by.real_name)
            if keeper.invited_by.real_name
            else keeper.invited_by.masked_mobile,
            "problem": problem,
            "unverified": problem is not None and problem.code == "unverified",
            "verify_url": verify_url,
            "breadcrumbs": crumbs((_("接受邀请"), None)),
        },
        status=400 if request.method == "POST" else 200,
    )
