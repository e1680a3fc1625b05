"""The family's pages under /orders/. Thin: parse input, call a service, render.

Every order is fetched with ``family_order_or_404``: another family's order answers 404.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.otp import OtpError
from accounts.permissions import get_managed_or_404
from accounts.services import client_ip
from core.money import round_money
from core.statemachine import IllegalTransition
from core.verification import serve_verified
from marketplace.catalogue.models import Quote
from payments.services import PaymentError

from . import notifications
from . import paying as order_payments
from .forms import OrderForm, ReasonForm, SignForm
from .hooks import order_actions
from .models import ChangeOrder, Contract, OrderPayment, OrderStatus, Signature
from .permissions import family_order_or_404, family_orders
from .services.changes import decline_change
from .services.history import balance_due, comparison, history, paid_total
from .services.placing import open_order_for, preview_from_quote, submit_order
from .services.signing import may_sign, send_signing_code, sign, signer_name
from .slots import services as slot_services
from .slots import views as slot_views
from .statements import check_expected_prices, lines_from_statement, totals
from .terms import cancellation_clause, schedule_in_force

FAMILY_CANCELLABLE = (
    OrderStatus.SUBMITTED,
    OrderStatus.CONFIRMED,
    OrderStatus.CONTRACT_ISSUED,
    OrderStatus.FAMILY_SIGNED,
    OrderStatus.COUNTERSIGNED,
)


def base_url(request):
    return f"{request.scheme}://{request.get_host()}"


def crumbs(*extra):
    return [(_("我的订单"), reverse("orders:index")), *extra]


def order_context(order):
    """What both the family's and the provider's order pages show."""
    contract = (
        Contract.objects.filter(order=order).select_related("sealed_document", "template_revision").first()
    )
    changes = list(
        order.change_orders.select_related("sealed_document")
        .prefetch_related("signatures")
        .order_by("number")
    )
    return {
        "order": order,
        "contract": contract,
        "contract_signatures": list(contract.signatures.all()) if contract else [],
        "changes": changes,
        "comparison": comparison(order),
        "certificates": list(order.certificates.select_related("document")),
        "paid_total": paid_total(order),
        "order_payments": list(order.payments.all()),
        "balance_due": balance_due(order),
        "history": history(order),
    }


def pdf_inline(request, record, filename):
    """A contract's or change order's draft, shown inline, only if it still matches its hash."""
    return serve_verified(
        request, record, filename, file_field="draft_file", sha_field="draft_sha256", inline=True
    )


# --- List and submit ---------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    orders = family_orders(request.user).select_related("provider").order_by("-submitted_at", "-id")
    page = Paginator(orders, settings.ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    quotes = Quote.objects.filter(user=request.user, orders__isnull=True).select_related("provider")[:10]
    return render(
        request,
        "orders/index.html",
        {
            "page_obj": page,
            "orders": page.object_list,
            "quotes": quotes,
            "breadcrumbs": [(_("我的订单"), None)],
        },
    )


# The check-your-answers step keeps the typed answers in the session, one entry per quote,
# with a one-time token that the final "确认下单" must carry. Prices are never kept from the
# page: the check page shows the posted prices in effect and the confirmation must match them.
CHECKS_SESSION_KEY = "orders_checks"


def _quote_for(request, reference):
    if not reference:
        return None
    return get_managed_or_404(request.user, Quote.objects.select_related("provider"), reference=reference)


def _stored_check(request, quote):
    return request.session.get(CHECKS_SESSION_KEY, {}).get(quote.reference)


def _store_check(request, quote, entry):
    checks = request.session.get(CHECKS_SESSION_KEY, {})
    if entry is None:
        checks.pop(quote.reference, None)
    else:
        checks[quote.reference] = entry
    request.session[CHECKS_SESSION_KEY] = checks


def _form_url(quote, *, edit=False):
    return f"{reverse('orders:new')}?quote={quote.reference}" + ("&edit=1" if edit else "")


def _check_url(quote):
    return f"{reverse('orders:check')}?quote={quote.reference}"


def _posted_prices(statement):
    return {str(row.item.pk): str(round_money(row.unit_price)) for row in statement.lines}


def _preview_or_redirect(request, quote):
    """The statement at today's prices, or a redirect when the quote can no longer be priced
    or has already become an open order."""
    existing = open_order_for(quote)
    if existing is not None:
        _store_check(request, quote, None)
        messages.info(request, _("该报价单已提交为订单 %(ref)s。") % {"ref": existing.reference})
        return None, None, redirect(existing)
    try:
        statement, changes = preview_from_quote(quote)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages) + _("请重新估算费用。"))
        return None, None, redirect(f"{reverse('catalogue:quote')}?provider={quote.provider.slug}")
    return statement, changes, None


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    """Step 1: the details form. A valid POST creates no order: it keeps the answers for the
    check step and shows the check page; ``?edit=1`` brings the kept answers back."""
    quote = _quote_for(request, request.POST.get("quote") or request.GET.get("quote") or "")
    if quote is None:
        messages.info(request, _("请先在费用估算中保存报价单，再从报价单提交订单。"))
        return redirect("orders:index")
    statement, changes, leave = _preview_or_redirect(request, quote)
    if leave is not None:
        return leave
    stored = _stored_check(request, quote)
    if request.method == "POST":
        data = request.POST
    elif request.GET.get("edit") and stored:
        data = stored["data"]
    else:
        data = None
    slot_context = slot_views.order_form_context(request, quote)
    form = OrderForm(
        data,
        user=request.user,
        statement=statement,
        changes=changes,
        held_start=slot_views.held_start(slot_context["slot_hold"]),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                check_expected_prices(statement, form.posted_prices)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                token = secrets.token_urlsafe(24)
                _store_check(
                    request,
                    quote,
                    {"token": token, "data": form.check_data(), "prices": _posted_prices(statement)},
                )
                return redirect(_check_url(quote))
    elif data is not None:
        form.is_valid()  # the kept answers, re-checked: the task list shows their status
    lines = lines_from_statement(statement)
    return render(
        request,
        "orders/new.html",
        {
            "form": form,
            "sections": list(form.sections()),
            "tasks": form.tasks(),
            "quote": quote,
            "provider": quote.provider,
            "statement": statement,
            "cancellation_clause": cancellation_clause(schedule_in_force()),
            "lines": lines,
            "totals": totals(lines),
            "changes": changes,
            **slot_context,
            "breadcrumbs": crumbs((_("提交订单"), None)),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def check(request):
    """Step 2: check your answers, then "确认下单". Only this POST creates the order: it needs
    the one-time token of the kept answers, re-validates them, takes every price from the
    server (anything price-like in the POST is ignored) and locks the quote, so a double
    click or a replay creates one order."""
    quote = _quote_for(request, request.POST.get("quote") or request.GET.get("quote") or "")
    if quote is None:
        raise Http404
    statement, changes, leave = _preview_or_redirect(request, quote)
    if leave is not None:
        return leave
    stored = _stored_check(request, quote)
    if stored is None:
        if request.method == "POST":
            messages.error(request, _("订单信息已失效，请重新填写并核对。"))
        return redirect(_form_url(quote))
    hold = slot_views.held_for(request, quote)
    if hold is None and slot_views.remembered(request, quote):  # F11: the hold lapsed
        slot_views.forget(request, quote)
        messages.error(request, slot_views.lapsed_message())
        return redirect(_form_url(quote, edit=True))
    form = OrderForm(
        stored["data"],
        user=request.user,
        statement=statement,
        changes=changes,
        held_start=slot_views.held_start(hold),
    )
    if not form.is_valid():
        messages.error(request, _("订单信息需要修改，请按提示修改后再核对。"))
        return redirect(_form_url(quote, edit=True))
    if request.method == "POST":
        if not constant_time_compare(request.POST.get("token", ""), stored["token"]):
            messages.error(request, _("核对页已失效，请重新核对订单信息。"))
            return redirect(_form_url(quote, edit=True))
        try:
            check_expected_prices(statement, {int(k): Decimal(v) for k, v in stored["prices"].items()})
            with transaction.atomic():
                Quote.objects.select_for_update().filter(pk=quote.pk).first()
                order = submit_order(
                    request.user,
                    quote,
                    details=form.cleaned_data,
                    accept_price_changes=form.cleaned_data.get("accept_price_changes", False),
                    hold=hold,
                )
        except ValidationError as exc:
            existing = open_order_for(quote)
            if existing is not None:
                _store_check(request, quote, None)
                return redirect(existing)
            messages.error(request, " ".join(exc.messages))
            _store_check(request, quote, {**stored, "prices": _posted_prices(statement)})
            return redirect(_check_url(quote))
        _store_check(request, quote, None)
        slot_views.forget(request, quote)
        messages.success(
            request,
            _(
                "订单已提交，订单号 %(ref)s。机构通常在 %(hours)s 小时内确认服务时间（预计 %(when)s 前），届时会短信通知您。"
            )
            % {
                "ref": order.reference,
                "hours": notifications.confirmation_hours(order.provider),
                "when": notifications.expected_confirmation(order).strftime("%Y-%m-%d %H:%M"),
            },
        )
        return redirect(order)
    # The page shows today's posted prices; the confirmation must match exactly these.
    _store_check(request, quote, {**stored, "prices": _posted_prices(statement)})
    lines = lines_from_statement(statement)
    return render(
        request,
        "orders/check.html",
        {
            "quote": quote,
            "provider": quote.provider,
            "statement": statement,
            "lines": lines,
            "totals": totals(lines),
            "answers": form.answers(_form_url(quote, edit=True)),
            "edit_url": _form_url(quote, edit=True),
            "token": stored["token"],
            **slot_views.order_form_context(request, quote, hold=hold),
            "cancellation_clause": cancellation_clause(schedule_in_force()),
            "breadcrumbs": crumbs((_("提交订单"), _form_url(quote, edit=True)), (_("核对订单"), None)),
        },
    )


# --- Order page ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request, reference):
    order = family_order_or_404(request.user, reference=reference)
    context = order_context(order)
    context.update(
        {
            "can_cancel": order.status in FAMILY_CANCELLABLE,
            "confirmation_hours": notifications.confirmation_hours(order.provider),
            "expected_confirmation": notifications.expected_confirmation(order),
            "can_pay": order_payments.can_pay(order),
            "amount_to_pay": order_payments.amount_to_pay(order),
            "deposit_due": order_payments.deposit_due(order),
            "order_actions": order_actions(request, order),
            "slot_bookings": slot_services.shown_bookings(order),
            "breadcrumbs": crumbs((order.reference, None)),
        }
    )
    return render(request, "orders/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, reference):
    order = family_order_or_404(request.user, reference=reference)
    if order.status not in FAMILY_CANCELLABLE:
        messages.error(request, _("该订单当前不能由家属取消，请联系服务机构。"))
        return redirect(order)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order, refund_error = order_payments.cancel_and_refund(
                order, request.user, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, IllegalTransition) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("订单已取消。"))
            if refund_error:
                messages.error(
                    request,
                    _("退款申请未能提交：%(error)s。请联系服务机构或民政局。") % {"error": refund_error},
                )
            return redirect(order)
    return render(
        request,
        "orders/reason_form.html",
        {
            "order": order,
            "form": form,
            "title": _("取消订单"),
            "intro": order_payments.cancellation_intro(order),
            "submit": _("确认取消订单"),
            "back": order.get_absolute_url(),
            "breadcrumbs": crumbs((order.reference, order.get_absolute_url()), (_("取消订单"), None)),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Documents ---------------------------------------------------------------------------------------------


def _contract(order):
    contract = Contract.objects.filter(order=order).select_related("sealed_document").first()
    if contract is None:
        raise Http404
    return contract


def _change(order, number):
    return get_object_or_404(
        ChangeOrder.objects.select_related("sealed_document", "order"), order=order, number=number
    )


@login_required
@require_GET
def contract_draft(request, reference):
    contract = _contract(family_order_or_404(request.user, reference=reference))
    return pdf_inline(request, contract, f"{contract.number}.pdf")


@login_required
@require_GET
def contract_sealed(request, reference):
    contract = _contract(family_order_or_404(request.user, reference=reference))
    if not contract.is_sealed:
        raise Http404
    return serve_verified(request, contract.sealed_document, f"{contract.number}.pdf")


@login_required
@require_GET
def change_draft(request, reference, number):
    change = _change(family_order_or_404(request.user, reference=reference), number)
    return pdf_inline(request, change, f"{change.display_number}.pdf")


@login_required
@require_GET
def change_sealed(request, reference, number):
    change = _change(family_order_or_404(request.user, reference=reference), number)
    if not change.is_sealed:
        raise Http404
    return serve_verified(request, change.sealed_document, f"{change.display_number}.pdf")


@login_required
@require_GET
def certificate(request, reference, number):
    order = family_order_or_404(request.user, reference=reference)
    found = get_object_or_404(order.certificates.select_related("document"), number=number)
    return serve_verified(request, found.document, f"{found.number}.pdf")


# --- Signing ---------------------------------------------------------------------------------------------


def signing_page(request, document, role, *, template, context, done_url):
    """Shared by the family's and the provider's signing pages (contract or change order)."""
    if role == Signature.Role.FAMILY:
        hint = _("请输入订单登记的经办家属姓名：%(name)s。") % {"name": document.order.contact_name}
    else:
        hint = _("请输入您账户登记的姓名：%(name)s。") % {"name": signer_name(request.user) or "—"}
    form = SignForm(
        request.POST if request.POST.get("action") == "sign" else None,
        initial={"shown_sha256": document.draft_sha256},
        expected_name_hint=hint,
    )
    status = 200
    if request.method == "POST":
        status = 400
        action = request.POST.get("action")
        if action == "send_code":
            try:
                send_signing_code(document, request.user, role)
            except OtpError as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, _("验证码已发送至 %(mobile)s。") % {"mobile": request.user.masked_mobile}
                )
            return redirect(request.path)
        if action == "sign" and form.is_valid():
            try:
                sign(
                    document,
                    request.user,
                    role,
                    full_name=form.cleaned_data["full_name"],
                    consent=form.cleaned_data["consent"],
                    code=form.cleaned_data["code"],
                    shown_sha256=form.cleaned_data["shown_sha256"],
                    ip_address=client_ip(request) or None,
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    base_url=base_url(request),
                )
            except OtpError as exc:
                form.add_error("code", str(exc))
            except ValidationError as exc:
                form.add_error(None, exc)
            except IllegalTransition as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("签署成功。"))
                return redirect(done_url)
    can_sign = may_sign(document, request.user, role)
    context.update({"document": document, "form": form, "role": role, "can_sign": can_sign})
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def contract_sign(request, reference):
    order = family_order_or_404(request.user, reference=reference)
    contract = _contract(order)
    return signing_page(
        request,
        contract,
        Signature.Role.FAMILY,
        template="orders/sign.html",
        context={
            "order": order,
            "title": _("签署殡葬服务合同"),
            "pdf_url": reverse("orders:contract_draft", kwargs={"reference": order.reference}),
            "breadcrumbs": crumbs((order.reference, order.get_absolute_url()), (_("签署合同"), None)),
        },
        done_url=order.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_sign(request, reference, number):
    order = family_order_or_404(request.user, reference=reference)
    change = _change(order, number)
    return signing_page(
        request,
        change,
        Signature.Role.FAMILY,
        template="orders/sign.html",
        context={
            "order": order,
            "change": change,
            "title": _("签署合同变更单 %(n)s") % {"n": change.display_number},
            "pdf_url": reverse(
                "orders:change_draft", kwargs={"reference": order.reference, "number": change.number}
            ),
            "breadcrumbs": crumbs((order.reference, order.get_absolute_url()), (_("签署变更单"), None)),
        },
        done_url=order.get_absolute_url(),
    )


@login_required
@require_POST
def change_decline(request, reference, number):
    order = family_order_or_404(request.user, reference=reference)
    change = _change(order, number)
    try:
        decline_change(change, request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except IllegalTransition:
        messages.error(request, _("该变更单当前不能拒绝。"))
    else:
        messages.success(request, _("已拒绝变更单 %(n)s。") % {"n": change.display_number})
    return redirect(order)


@login_required
@require_POST
def pay(request, reference):
    """Start paying what is due; the payments app takes the family to the gateway."""
    order = family_order_or_404(request.user, reference=reference)
    try:
        intent = order_payments.start_payment(
            order, request.user, return_url=order_payments.order_url(order, request)
        )
    except (ValidationError, PaymentError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect(order)
    return redirect("payments:checkout", public_id=intent.public_id)


@login_required
@require_GET
def receipt(request, reference, payment_reference):
    """The sealed receipt of one payment of the family's own order."""
    order = family_order_or_404(request.user, reference=reference)
    payment = get_object_or_404(
        order.payments.filter(kind=OrderPayment.Kind.CHARGE), reference=payment_reference
    )
    document = order_payments.receipt_for(payment, base_url=request.build_absolute_uri("/").rstrip("/"))
    return serve_verified(request, document, filename=f"receipt-{order.reference}-{payment.pk}.pdf")
