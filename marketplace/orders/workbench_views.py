"""Provider staff pages under /workbench/funeral/orders/. Every order is fetched with
``provider_order_or_404``: another provider's order answers 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.statemachine import IllegalTransition
from core.verification import serve_verified
from marketplace.catalogue.models import ServiceItem
from marketplace.catalogue.services import with_current_price

from . import paying as order_payments
from .filters import ProviderOrderFilter
from .forms import ChangeOrderForm, CompleteForm, ConfirmForm, IssueContractForm, ReasonForm
from .models import Order, OrderStatus, Signature
from .permissions import provider_order_or_404, provider_orders
from .services import signing
from .services.changes import can_propose_change, propose_change, withdraw_change
from .services.fulfilment import certificate_kind, complete_order, start_service
from .services.placing import confirm_order
from .slots import services as slot_services
from .slots.models import ResourceKind
from .statements import bill_lines
from .views import _change, _contract, base_url, order_context, pdf_inline, signing_page

PROVIDER_CANCELLABLE = (
    OrderStatus.SUBMITTED,
    OrderStatus.CONFIRMED,
    OrderStatus.CONTRACT_ISSUED,
    OrderStatus.FAMILY_SIGNED,
    OrderStatus.COUNTERSIGNED,
    OrderStatus.PAID,
)


def crumbs(*extra):
    return [
        (_("机构工作台"), reverse("workbench:index")),
        (_("殡葬服务订单"), reverse("orders_workbench:index")),
        *extra,
    ]


def _order(request, reference):
    return provider_order_or_404(
        request.user, Order.objects.select_related("provider", "quote"), reference=reference
    )


def _order_crumbs(order, label):
    return crumbs((order.reference, order.get_workbench_url()), (label, None))


@login_required
@require_GET
def index(request):
    orders = provider_orders(request.user).select_related("provider").order_by("-submitted_at", "-id")
    filterset = ProviderOrderFilter(request.GET or None, queryset=orders)
    page = Paginator(filterset.qs, settings.ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "orders/workbench/index.html",
        {
            "page_obj": page,
            "orders": page.object_list,
            "filter": filterset,
            "query_string": params.urlencode(),
            "breadcrumbs": crumbs()[:1] + [(_("殡葬服务订单"), None)],
        },
    )


@login_required
@require_GET
def detail(request, reference):
    order = _order(request, reference)
    context = order_context(order)
    context.update(
        {
            "can_cancel": order.status in PROVIDER_CANCELLABLE,
            "can_change": can_propose_change(order),
            "certificate_kind": certificate_kind(order.provider),
            "slot_bookings": slot_services.shown_bookings(order),
            "breadcrumbs": crumbs((order.reference, None)),
        }
    )
    return render(request, "orders/workbench/detail.html", context)


def _form_page(request, order, form, *, title, submit, intro="", extra=None):
    context = {
        "order": order,
        "form": form,
        "title": title,
        "submit": submit,
        "intro": intro,
        "back": order.get_workbench_url(),
        "breadcrumbs": _order_crumbs(order, title),
    }
    context.update(extra or {})
    return render(
        request, "orders/reason_form.html", context, status=400 if request.method == "POST" else 200
    )


def _run(form, action):
    """Run a service; put its error on the form. Returns True on success."""
    try:
        action()
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return False
    except IllegalTransition as exc:
        form.add_error(None, str(exc))
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request, reference):
    order = _order(request, reference)
    initial = {"service_date": order.requested_date, "service_time": order.requested_time}
    hall = slot_services.bookings_of(order).filter(resource__kind=ResourceKind.HALL).first()
    if hall is not None:  # F11: the family booked this hall at this time
        starts = timezone.localtime(hall.starts_at)
        initial.update(service_date=starts.date(), service_time=starts.time(), hall=hall.resource.name)
    form = ConfirmForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            form,
            lambda: confirm_order(
                order,
                request.user,
                service_date=form.cleaned_data["service_date"],
                service_time=form.cleaned_data["service_time"],
                hall=form.cleaned_data["hall"],
                note=form.cleaned_data["note"],
            ),
        )
    ):
        messages.success(request, _("已确认订单，请出具合同。"))
        return redirect(order.get_workbench_url())
    return _form_page(
        request,
        order,
        form,
        title=_("确认服务时间和礼厅"),
        submit=_("确认订单"),
        intro=_("家属希望的服务时间：%(date)s %(time)s")
        % {"date": order.requested_date, "time": order.requested_time.strftime("%H:%M")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def issue_contract(request, reference):
    order = _order(request, reference)
    form = IssueContractForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: signing.issue_contract(order, request.user, form.cleaned_data["template"]))
    ):
        messages.success(request, _("合同已出具，等待家属签署。"))
        return redirect(order.get_workbench_url())
    return _form_page(
        request,
        order,
        form,
        title=_("出具合同"),
        submit=_("出具合同"),
        intro=_(
            "合同明细按今天的公示价格生成（F4）；您机构公示的定金、付款、取消和退款条款将写入合同（F8）。"
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_sign(request, reference):
    order = _order(request, reference)
    contract = _contract(order)
    return signing_page(
        request,
        contract,
        Signature.Role.PROVIDER,
        template="orders/sign.html",
        context={
            "order": order,
            "title": _("会签殡葬服务合同"),
            "pdf_url": reverse("orders_workbench:contract_draft", kwargs={"reference": order.reference}),
            "workbench": True,
            "breadcrumbs": _order_crumbs(order, _("会签合同")),
        },
        done_url=order.get_workbench_url(),
    )


@login_required
@require_POST
def start(request, reference):
    order = _order(request, reference)
    try:
        start_service(order, request.user)
    except IllegalTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已开始服务。"))
    return redirect(order.get_workbench_url())


@login_required
@require_http_methods(["GET", "POST"])
def complete(request, reference):
    order = _order(request, reference)
    kind = certificate_kind(order.provider)
    form = CompleteForm(request.POST or None, kind=kind)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            form,
            lambda: complete_order(
                order,
                request.user,
                event_date=form.cleaned_data.get("event_date"),
                place=form.cleaned_data.get("place", ""),
                base_url=base_url(request),
            ),
        )
    ):
        messages.success(request, _("服务已完成。") + (_("电子证明已出具。") if kind else ""))
        return redirect(order.get_workbench_url())
    intro = {
        "cremation_certificate": _(
            "完成后将出具加盖电子印章的火化证明（M2），家属可在订单中下载，任何人可凭核验码核验。"
        ),
        "burial_certificate": _(
            "完成后将出具加盖电子印章的安葬证明（M2），家属可在订单中下载，任何人可凭核验码核验。"
        ),
    }.get(kind, _("确认服务已全部完成。"))
    return _form_page(request, order, form, title=_("完成服务"), submit=_("完成服务"), intro=intro)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, reference):
    order = _order(request, reference)
    form = ReasonForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: _cancel_and_refund(request, order, form.cleaned_data["reason"]))
    ):
        messages.success(request, _("订单已取消。"))
        return redirect(order.get_workbench_url())
    return _form_page(
        request,
        order,
        form,
        title=_("取消订单"),
        submit=_("确认取消订单"),
        intro=order_payments.cancellation_intro(order),
    )


def _billed_rows(order):
    rows = {}
    for line in bill_lines(order):
        if line.is_discount:
            continue
        row = rows.setdefault(
            line.item_id, {"item_id": line.item_id, "name": line.name, "unit": line.unit, "quantity": 0}
        )
        row["quantity"] += line.quantity
    return [row for row in rows.values() if row["quantity"] > 0]


@login_required
@require_http_methods(["GET", "POST"])
def change_new(request, reference):
    order = _order(request, reference)
    if not can_propose_change(order):
        messages.error(request, _("当前不能提出变更：合同须已生效、服务未完成，且没有待签署的变更单。"))
        return redirect(order.get_workbench_url())
    items = [
        item
        for item in with_current_price(
            ServiceItem.objects.filter(provider=order.provider, is_active=True)
        ).select_related("category")
        if item.current_price is not None
    ]
    form = ChangeOrderForm(request.POST or None, items=items, billed=_billed_rows(order))
    if request.method == "POST" and form.is_valid():
        try:
            change = propose_change(
                order,
                request.user,
                additions=form.additions,
                removals=form.removals,
                reason=form.cleaned_data["reason"],
                expected_prices=form.posted_prices,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("变更单 %(n)s 已提出，等待家属签署。") % {"n": change.display_number})
            return redirect(order.get_workbench_url())
    return render(
        request,
        "orders/workbench/change_form.html",
        {"order": order, "form": form, "breadcrumbs": _order_crumbs(order, _("提出合同变更"))},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_sign(request, reference, number):
    order = _order(request, reference)
    change = _change(order, number)
    return signing_page(
        request,
        change,
        Signature.Role.PROVIDER,
        template="orders/sign.html",
        context={
            "order": order,
            "change": change,
            "title": _("会签合同变更单 %(n)s") % {"n": change.display_number},
            "pdf_url": reverse(
                "orders_workbench:change_draft",
                kwargs={"reference": order.reference, "number": change.number},
            ),
            "workbench": True,
            "breadcrumbs": _order_crumbs(order, _("会签变更单")),
        },
        done_url=order.get_workbench_url(),
    )


@login_required
@require_POST
def change_withdraw(request, reference, number):
    order = _order(request, reference)
    change = _change(order, number)
    try:
        withdraw_change(change, request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except IllegalTransition:
        messages.error(request, _("该变更单当前不能撤回。"))
    else:
        messages.success(request, _("已撤回变更单 %(n)s。") % {"n": change.display_number})
    return redirect(order.get_workbench_url())


@login_required
@require_GET
def contract_draft(request, reference):
    contract = _contract(_order(request, reference))
    return pdf_inline(request, contract, f"{contract.number}.pdf")


@login_required
@require_GET
def contract_sealed(request, reference):
    contract = _contract(_order(request, reference))
    if not contract.is_sealed:
        raise Http404
    return serve_verified(request, contract.sealed_document, f"{contract.number}.pdf")


@login_required
@require_GET
def change_draft(request, reference, number):
    change = _change(_order(request, reference), number)
    return pdf_inline(request, change, f"{change.display_number}.pdf")


@login_required
@require_GET
def change_sealed(request, reference, number):
    change = _change(_order(request, reference), number)
    if not change.is_sealed:
        raise Http404
    return serve_verified(request, change.sealed_document, f"{change.display_number}.pdf")


@login_required
@require_GET
def certificate(request, reference, number):
    order = _order(request, reference)
    found = order.certificates.select_related("document").filter(number=number).first()
    if found is None:
        raise Http404
    return serve_verified(request, found.document, f"{found.number}.pdf")


def _cancel_and_refund(request, order, reason):
    order, refund_error = order_payments.cancel_and_refund(order, request.user, reason=reason)
    if refund_error:
        messages.error(
            request, _("退款申请未能提交：%(error)s。请稍后在管理后台办理退款。") % {"error": refund_error}
        )
    return order
