"""The complainant's pages: the one complaint form (/complaints/new/), 我的投诉 and each
complaint's progress page. A family sees only its own complaints and attaches only its own
orders: anything else answers 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.otp import OtpError
from accounts.services import client_ip
from core.statemachine import IllegalTransition
from core.stored_files import serve_stored_file
from marketplace.catalogue.models import Provider
from marketplace.orders.models import Order

from .complaint_forms import ComplaintForm, ProofForm, ReasonForm, SatisfactionForm
from .models.complaints import Complaint, ComplaintEvidence, ComplaintStatus, PlatformSubject
from .services import complaints as service

PROOF_SESSION_KEY = "complaint_mobile"


def crumbs(*extra):
    return [(_("投诉举报"), reverse("complaints:new")), *extra]


def _masked(mobile):
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else mobile


def _own_order(request):
    """The order named by ``order`` (GET or POST): the signed-in family's own, else 404."""
    reference = request.POST.get("order") or request.GET.get("order")
    if not reference:
        return None
    if not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(Order.objects.select_related("provider"), reference=reference, user=request.user)


def deadline_days():
    return {
        "accept": settings.R2_ACCEPT_WORKING_DAYS,
        "response": settings.R2_RESPONSE_WORKING_DAYS,
        "decision": settings.R2_DECISION_WORKING_DAYS,
    }


@require_http_methods(["GET", "POST"])
def new(request):
    signed_in = request.user.is_authenticated
    order = _own_order(request)
    provider = order.provider if order else None
    if provider is None and request.GET.get("provider"):
        provider = Provider.objects.filter(is_published=True, slug=request.GET["provider"]).first()
    mobile = "" if signed_in else request.session.get(PROOF_SESSION_KEY, "")

    if not signed_in and request.POST.get("action") in ("send_code", "resend"):
        return _send_code(request, provider)
    if not signed_in and not mobile:
        return _proof_page(request, ProofForm(), provider)

    lines = service.disputable_lines(order) if order else None
    initial = {
        "provider": provider.slug if provider else None,
        "platform_subject": request.GET.get("subject")
        if request.GET.get("subject") in PlatformSubject.values
        else "",
        "contact_name": (request.user.real_name or request.user.get_full_name()) if signed_in else "",
    }
    form = ComplaintForm(
        request.POST or None, request.FILES or None, initial=initial, lines=lines, needs_code=not signed_in
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = service.file_complaint(
                user=request.user,
                provider=data["provider"],
                platform_subject=data["platform_subject"],
                subject_detail=data["subject_detail"],
                order=order,
                lines=list(data.get("lines") or ()),
                category=data["category"],
                text=data["text"],
                contact_name=data["contact_name"],
                mobile=mobile,
                code=data.get("code", ""),
                files=data["evidence"],
            )
        except OtpError as error:
            form.add_error("code", str(error) or _("验证码不正确。"))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(PROOF_SESSION_KEY, None)
            return render(
                request,
                "feedback/complaints/filed.html",
                {"complaint": complaint, "breadcrumbs": crumbs((_("已提交"), None))},
            )
    return render(
        request,
        "feedback/complaints/new.html",
        {
            "form": form,
            "order": order,
            "orders": Order.objects.filter(user=request.user)
            .select_related("provider")
            .order_by("-submitted_at")
            if signed_in
            else [],
            "masked_mobile": _masked(mobile),
            "days": deadline_days(),
            "provider": provider,
            "breadcrumbs": crumbs((_("我要投诉"), None)),
        },
        status=400 if form.is_bound else 200,
    )


def _proof_page(request, form, provider, status=200):
    return render(
        request,
        "feedback/complaints/proof.html",
        {
            "form": form,
            "provider": provider,
            "breadcrumbs": crumbs((_("验证手机号码"), None)),
        },
        status=status,
    )


def _send_code(request, provider):
    if request.POST.get("action") == "resend":
        form = ProofForm({"mobile": request.session.get(PROOF_SESSION_KEY, "")})
    else:
        form = ProofForm(request.POST)
    if not form.is_valid():
        return _proof_page(request, form, provider, status=400)
    mobile = form.cleaned_data["mobile"]
    try:
        service.send_proof_code(mobile, client_ip(request))
    except OtpError as error:
        if error.code != "too_soon":
            form.add_error("mobile", str(error))
            return _proof_page(request, form, provider, status=400)
    request.session[PROOF_SESSION_KEY] = mobile
    messages.success(
        request,
        _("验证码已发送至 %(mobile)s，%(minutes)s 分钟内有效。")
        % {"mobile": _masked(mobile), "minutes": max(1, settings.OTP_TTL_SECONDS // 60)},
    )
    url = reverse("complaints:new")
    return redirect(f"{url}?provider={provider.slug}" if provider else url)


@require_POST
def change_number(request):
    request.session.pop(PROOF_SESSION_KEY, None)
    return redirect("complaints:new")


def _own(request, reference):
    return get_object_or_404(
        Complaint.objects.select_related("provider", "order"), reference=reference, user=request.user
    )


@login_required
@require_GET
def mine(request):
    complaints = (
        Complaint.objects.filter(user=request.user).select_related("provider").order_by("-received_at")
    )
    page = Paginator(complaints, settings.ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/complaints/mine.html",
        {"page_obj": page, "complaints": page.object_list, "breadcrumbs": [(_("我的投诉"), None)]},
    )


def detail_context(complaint, **extra):
    return {
        "complaint": complaint,
        "evidence": list(complaint.evidence.all()),
        "lines": list(complaint.disputed_lines.all()),
        "deadline": service.current_deadline(complaint),
        "overdue": service.overdue_items(complaint),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, reference):
    complaint = _own(request, reference)
    decided = complaint.status == ComplaintStatus.DECIDED
    satisfaction_form = SatisfactionForm(request.POST if request.POST.get("action") == "close" else None)
    reexam_form = ReasonForm(request.POST if request.POST.get("action") == "reexamine" else None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        form = satisfaction_form if action == "close" else reexam_form if action == "reexamine" else None
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                if action == "close":
                    service.rate_and_close(complaint, request.user, form.cleaned_data["satisfaction"])
                    messages.success(request, _("感谢您的评价，投诉已办结。"))
                else:
                    service.request_reexamination(complaint, request.user, form.cleaned_data["reason"])
                    messages.success(request, _("已申请复核。"))
                return redirect("complaints:detail", reference=complaint.reference)
            except (ValidationError, IllegalTransition) as error:
                form.add_error(None, error.messages[0] if isinstance(error, ValidationError) else str(error))
        status = 400
    return render(
        request,
        "feedback/complaints/detail.html",
        detail_context(
            complaint,
            satisfaction_form=satisfaction_form,
            reexam_form=reexam_form,
            can_close=decided,
            can_reexamine=decided and complaint.reexamination_requested_on is None,
            breadcrumbs=[(_("我的投诉"), reverse("complaints:mine")), (complaint.reference, None)],
        ),
        status=status,
    )


@login_required
@require_GET
def evidence(request, reference, pk):
    complaint = _own(request, reference)
    item = get_object_or_404(ComplaintEvidence, complaint=complaint, pk=pk)
    return serve_stored_file(request, item, file_field="file", sha_field="sha256", filename=item.name)
