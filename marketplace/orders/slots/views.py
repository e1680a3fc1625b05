"""The family's side of F11: choosing and holding a slot while the order is placed, and agreeing
to (or declining) a move the provider proposes.

The hold is remembered in the session by quote; it is re-read from the database each time (the
family's own, still held, not lapsed), so the session never decides anything. Every quote and
order is fetched for its owner only: another family's answers 404."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import get_managed_or_404
from marketplace.catalogue.models import Quote

from ..permissions import family_order_or_404
from . import services
from .models import Booking, BookingStatus, Slot

SESSION_KEY = "order_slot_holds"
# How many days ahead the family is shown (slots are published at most a month ahead).
DAYS_SHOWN = 14


def _quote(request, reference):
    return get_managed_or_404(
        request.user, Quote.objects.select_related("provider"), reference=reference or ""
    )


def quote_resources(quote):
    """The provider's resources that serve the quote's services (none: no slot to choose)."""
    return services.bookable_resources(
        quote.provider, items=list(quote.lines.values_list("item_id", flat=True))
    )


def held_for(request, quote, now=None):
    """The family's running hold for this quote, or None."""
    pk = request.session.get(SESSION_KEY, {}).get(quote.reference)
    if pk is None:
        return None
    return (
        Booking.objects.filter(
            pk=pk,
            user=request.user,
            status=BookingStatus.HELD,
            held_until__gt=now or timezone.now(),
            resource__provider=quote.provider,
        )
        .select_related("resource")
        .first()
    )


def lapsed_message():
    return _("档期暂留已超过 %(minutes)s 分钟，已自动释放，请重新选择档期或填写希望的服务时间。") % {
        "minutes": settings.F11_HOLD_MINUTES
    }


def held_start(booking):
    return timezone.localtime(booking.starts_at).replace(tzinfo=None) if booking is not None else None


def remembered(request, quote):
    """Whether the session remembers a hold for this quote (it may have lapsed since)."""
    return quote.reference in request.session.get(SESSION_KEY, {})


def _remember(request, quote, booking):
    holds = request.session.get(SESSION_KEY, {})
    if booking is None:
        holds.pop(quote.reference, None)
    else:
        holds[quote.reference] = booking.pk
    request.session[SESSION_KEY] = holds


def forget(request, quote):
    _remember(request, quote, None)


def order_form_context(request, quote, hold=None):
    """What the order form and the check page show about slots."""
    resources = quote_resources(quote)
    return {
        "slots_offered": resources.exists(),
        "slot_hold": hold if hold is not None else held_for(request, quote),
        "slots_url": f"{reverse('orders:slots')}?quote={quote.reference}",
    }


def _number(value):
    """A posted id, or 0 (no such slot: 404) when it is not a number."""
    return int(value) if str(value or "").isdigit() else 0


def _day(value):
    """A ``?day=`` date, or None when missing or not a real date."""
    try:
        return parse_date(value or "")
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def choose(request):
    """One day's free slots of the resources that serve the quote; choosing one holds it."""
    quote = _quote(request, request.POST.get("quote") or request.GET.get("quote"))
    back = f"{reverse('orders:new')}?quote={quote.reference}&edit=1"
    resources = quote_resources(quote)
    today = timezone.localdate()
    if request.method == "POST":
        slot = get_object_or_404(
            Slot.objects.filter(resource__in=resources), pk=_number(request.POST.get("slot"))
        )
        current = held_for(request, quote)
        try:
            booking = services.hold(slot, request.user)
            if current is not None:  # the new slot is held first: a refusal keeps the old one
                services.release(current, request.user, reason=_("家属改选其他档期"))
        except services.SlotRefused as refusal:
            messages.error(request, " ".join(refusal.messages))
            day = timezone.localtime(slot.starts_at).date().isoformat()
            return redirect(f"{reverse('orders:slots')}?quote={quote.reference}&day={day}")
        _remember(request, quote, booking)
        messages.success(
            request,
            _("已为您暂留 %(resource)s %(when)s，请在 %(until)s 前提交订单。")
            % {
                "resource": booking.resource.name,
                "when": timezone.localtime(booking.starts_at).strftime("%Y-%m-%d %H:%M"),
                "until": timezone.localtime(booking.held_until).strftime("%H:%M"),
            },
        )
        return redirect(back)
    last_day = today + datetime.timedelta(days=DAYS_SHOWN - 1)
    free = services.availability(resources, first_day=today, last_day=last_day)
    days = {}
    for slot in free:
        days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    chosen = _day(request.GET.get("day")) or next(iter(days), today)
    by_resource = {}
    for slot in days.get(chosen, []):
        by_resource.setdefault(slot.resource, []).append(slot)
    return render(
        request,
        "order_slots/choose.html",
        {
            "quote": quote,
            "provider": quote.provider,
            "days": [(day, len(slots)) for day, slots in days.items()],
            "chosen": chosen,
            "by_resource": by_resource,
            "hold": held_for(request, quote),
            "hold_minutes": settings.F11_HOLD_MINUTES,
            "back": back,
            "breadcrumbs": [
                (_("我的订单"), reverse("orders:index")),
                (_("提交订单"), back),
                (_("选择服务档期"), None),
            ],
        },
    )


@login_required
@require_POST
def release(request):
    quote = _quote(request, request.POST.get("quote"))
    current = held_for(request, quote)
    if current is not None:
        services.release(current, request.user)
        messages.success(request, _("已释放暂留的档期。"))
    forget(request, quote)
    return redirect(f"{reverse('orders:new')}?quote={quote.reference}&edit=1")


def _proposal(request, reference, pk):
    order = family_order_or_404(request.user, reference=reference)
    return order, get_object_or_404(Booking, pk=pk, order=order, proposed_slot__isnull=False)


@login_required
@require_POST
def accept_move(request, reference, pk):
    order, booking = _proposal(request, reference, pk)
    try:
        moved = services.accept_move(booking, request.user)
    except services.SlotRefused as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(
            request,
            _("已同意改约：%(resource)s %(when)s。")
            % {
                "resource": moved.resource.name,
                "when": timezone.localtime(moved.starts_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
    return redirect(order)


@login_required
@require_POST
def decline_move(request, reference, pk):
    order, booking = _proposal(request, reference, pk)
    services.decline_move(booking, request.user)
    messages.success(request, _("已拒绝改约，原档期不变。"))
    return redirect(order)
