"""The family's side of booked visits (/memorials/visits/): cemeteries with open sessions, a
cemetery's sessions with places left, the real-name booking form, 我的祭扫预约 with the pass,
and cancelling. A family sees only its own bookings: anything else answers 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Min, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.qr import qr_svg
from core.verification import serve_verified, verify_url
from marketplace.catalogue.models import Provider

from . import services, sheets
from .forms import BookingForm
from .models import VISIT_PROVIDER_TYPES, Booking, BookingStatus, VisitSession


def crumbs(*extra):
    return [(_("预约祭扫"), reverse("memorial_visits:index")), *extra]


def rule_figures():
    return {
        "days_ahead": settings.M3_BOOKING_OPENS_DAYS_AHEAD,
        "cutoff": settings.M3_NEXT_DAY_CUTOFF,
        "grave_cap": settings.M3_GRAVE_VISITORS_PER_DAY,
    }


def _cemeteries():
    return Provider.objects.filter(is_published=True, type__in=VISIT_PROVIDER_TYPES)


@require_GET
def index(request):
    first, last = services.bookable_days()
    summary = {
        row["provider"]: row
        for row in services.open_sessions()
        .values("provider")
        .annotate(sessions=Count("pk"), first_day=Min("date"), places=Sum(F("capacity") - F("booked")))
    }
    providers = list(_cemeteries().filter(pk__in=summary).order_by("district", "name"))
    for provider in providers:
        provider.open = summary[provider.pk]
    return render(
        request,
        "memorial_visits/index.html",
        {
            "providers": providers,
            "first": first,
            "last": last,
            "rules": rule_figures(),
            "breadcrumbs": crumbs(),
        },
    )


@require_GET
def provider(request, slug):
    cemetery = get_object_or_404(_cemeteries(), slug=slug)
    first, last = services.bookable_days()
    sessions = VisitSession.objects.filter(provider=cemetery, date__range=(first, last)).order_by(
        "date", "starts_at", "area"
    )
    days = {}
    for session in sessions:
        days.setdefault(session.date, []).append(session)
    return render(
        request,
        "memorial_visits/provider.html",
        {
            "provider": cemetery,
            "days": sorted(days.items()),
            "first": first,
            "last": last,
            "rules": rule_figures(),
            "proxy_items": sheets.proxy_sweeping_items(cemetery),
            "breadcrumbs": crumbs((cemetery.name, None)),
        },
    )


def _apply_refusal(form, error):
    """A refusal of the service, shown on the field it is about when there is one."""
    codes = {getattr(item, "code", None) for item in error.error_list}
    if codes & {"format", "checksum"}:
        form.add_error("id_number", error)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def book(request, pk):
    session = get_object_or_404(
        VisitSession.objects.select_related("provider", "period").filter(
            provider__is_published=True, provider__type__in=VISIT_PROVIDER_TYPES
        ),
        pk=pk,
    )
    context = {
        "session": session,
        "provider": session.provider,
        "rules": rule_figures(),
        "breadcrumbs": crumbs(
            (session.provider.name, reverse("memorial_visits:provider", args=[session.provider.slug])),
            (_("预约"), None),
        ),
    }
    try:
        services.check_can_book(request.user)
        services.check_window(session)
    except ValidationError as error:
        context["closed"] = error.messages
        return render(
            request, "memorial_visits/book.html", context, status=200 if request.method == "GET" else 400
        )
    form = BookingForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.book(
                request.user,
                session,
                id_number=form.cleaned_data["id_number"],
                grave=form.cleaned_data["grave"],
                visitors=form.cleaned_data["visitors"],
            )
        except ValidationError as error:
            _apply_refusal(form, error)
        else:
            services.issue_pass(booking, base_url=request.build_absolute_uri("/").rstrip("/"))
            messages.success(request, _("预约成功。请在预约时段凭下方二维码和本人身份证入园。"))
            return redirect("memorial_visits:booking", reference=booking.reference)
    context.update({"form": form})
    return render(request, "memorial_visits/book.html", context, status=400 if form.is_bound else 200)


@login_required
@require_GET
def mine(request):
    bookings = (
        Booking.objects.filter(user=request.user)
        .select_related("session__provider")
        .order_by("-session__date", "-session__starts_at", "-pk")
    )
    page = Paginator(bookings, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "memorial_visits/mine.html",
        {"page_obj": page, "bookings": page.object_list, "breadcrumbs": crumbs((_("我的祭扫预约"), None))},
    )


def _own(request, reference):
    return get_object_or_404(
        Booking.objects.select_related("session__provider", "pass_document"),
        reference=reference,
        user=request.user,
    )


@login_required
@require_GET
def booking(request, reference):
    booking = _own(request, reference)
    if booking.status == BookingStatus.BOOKED and booking.pass_document_id is None:
        services.issue_pass(booking, base_url=request.build_absolute_uri("/").rstrip("/"))
        booking = _own(request, reference)
    document = booking.pass_document
    qr = url = ""
    if document is not None:
        with translation.override(settings.LANGUAGE_CODE):
            url = request.build_absolute_uri(verify_url(document.code))
        qr = qr_svg(url, size=220, title=_("预约祭扫凭证二维码，核验码 %(code)s") % {"code": document.code})
    return render(
        request,
        "memorial_visits/booking.html",
        {
            "booking": booking,
            "session": booking.session,
            "document": document,
            "qr": qr,
            "verify_link": url,
            "state": services.pass_state(document) if document is not None else None,
            "can_cancel": booking.status == BookingStatus.BOOKED
            and timezone.now() < services.session_starts(booking.session),
            "breadcrumbs": crumbs(
                (_("我的祭扫预约"), reverse("memorial_visits:mine")), (booking.reference, None)
            ),
        },
    )


@login_required
@require_GET
def pass_pdf(request, reference):
    booking = _own(request, reference)
    if booking.pass_document is None:
        raise Http404
    return serve_verified(request, booking.pass_document, f"预约祭扫凭证-{booking.reference}.pdf")


@login_required
@require_POST
def cancel(request, reference):
    booking = _own(request, reference)
    try:
        services.cancel(booking, request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("预约已取消，名额已释放，凭证已作废。"))
    return redirect("memorial_visits:booking", reference=booking.reference)
