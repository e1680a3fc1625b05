"""The cemetery's workbench for booked visits (/workbench/visits/): its sessions with places
booked, bulk creation for a festival period, the day sheet (HTML, CSV, PDF) and the gate.
Every record is fetched through the permission policies: another cemetery's answers 404."""

import datetime
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import get_managed_or_404, scope
from core.opendata import csv_response
from core.verification import mask_name
from marketplace.catalogue.models import Provider

from . import pdfs, services, sheets
from .forms import BulkSessionsForm, PassCodeForm
from .models import ACTIVE_STATUSES, VISIT_PROVIDER_TYPES, BookingStatus, VisitSession


def _cemeteries(user):
    return scope(user, Provider.objects.filter(type__in=VISIT_PROVIDER_TYPES))


def _cemetery(request, slug):
    return get_managed_or_404(request.user, Provider.objects.filter(type__in=VISIT_PROVIDER_TYPES), slug=slug)


def _crumbs(provider=None, *extra):
    crumbs = [
        (_("机构工作台"), reverse("workbench:index")),
        (_("预约祭扫"), reverse("memorial_visits_workbench:index")),
    ]
    if provider is not None:
        crumbs.append(
            (provider.name, reverse("memorial_visits_workbench:provider", kwargs={"slug": provider.slug}))
        )
    crumbs.extend(extra)
    return crumbs


@login_required
@require_GET
def index(request):
    providers = list(_cemeteries(request.user).order_by("name"))
    if len(providers) == 1:
        return redirect("memorial_visits_workbench:provider", slug=providers[0].slug)
    return render(
        request,
        "memorial_visits/workbench/index.html",
        {"providers": providers, "breadcrumbs": _crumbs()[:-1] + [(_("预约祭扫"), None)]},
    )


@login_required
@require_GET
def provider(request, slug):
    cemetery = _cemetery(request, slug)
    today = timezone.localdate()
    sessions = (
        scope(request.user, VisitSession).filter(provider=cemetery, date__gte=today).select_related("period")
    )
    days = {}
    for session in sessions.order_by("date", "starts_at", "area")[:500]:
        days.setdefault(session.date, []).append(session)
    totals = {
        row["date"]: row
        for row in sessions.values("date").annotate(
            booked=Sum("booked"), capacity=Sum("capacity"), count=Count("pk")
        )
    }
    return render(
        request,
        "memorial_visits/workbench/provider.html",
        {
            "provider": cemetery,
            "days": [(day, totals[day], rows) for day, rows in days.items()],
            "today": today,
            "breadcrumbs": _crumbs(None, (cemetery.name, None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def bulk_create(request, slug):
    cemetery = _cemetery(request, slug)
    form = BulkSessionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, skipped = services.create_sessions(
                cemetery,
                first_day=data["first_day"],
                last_day=data["last_day"],
                windows=data["windows"],
                area=data["area"],
                normal_capacity=data["normal_capacity"],
                max_visitors_per_booking=data["max_visitors_per_booking"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("已发布 %(created)s 个场次；%(skipped)s 个时段已有场次，保持不变。")
                % {"created": len(created), "skipped": skipped},
            )
            return redirect("memorial_visits_workbench:provider", slug=cemetery.slug)
    return render(
        request,
        "memorial_visits/workbench/bulk.html",
        {
            "provider": cemetery,
            "form": form,
            "breadcrumbs": _crumbs(cemetery, (_("批量发布场次"), None)),
        },
        status=400 if form.is_bound else 200,
    )


def _day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise Http404 from error


def _sheet_rows(cemetery, day):
    return sheets.day_sheet(cemetery, day)


@login_required
@require_GET
def day_sheet(request, slug, day):
    cemetery = _cemetery(request, slug)
    day = _day(day)
    bookings = list(_sheet_rows(cemetery, day))
    for booking in bookings:
        booking.masked_name = mask_name(booking.visitor_name)
    sessions = list(
        VisitSession.objects.filter(provider=cemetery, date=day)
        .annotate(
            arrived=Sum("bookings__visitors", filter=Q(bookings__status=BookingStatus.USED)),
            expected=Sum("bookings__visitors", filter=Q(bookings__status__in=ACTIVE_STATUSES)),
        )
        .order_by("starts_at", "area")
    )
    return render(
        request,
        "memorial_visits/workbench/day.html",
        {
            "provider": cemetery,
            "day": day,
            "bookings": bookings,
            "sessions": sessions,
            "ended": timezone.localdate() > day
            or any(timezone.now() >= services.session_ends(s) for s in sessions),
            "breadcrumbs": _crumbs(cemetery, (_("%(day)s 预约名单") % {"day": day.isoformat()}, None)),
        },
    )


SHEET_HEADER = ("场次", "场所", "预约编号", "预约人", "身份证号", "墓位或格位", "人数", "状态", "入园时间")


def _sheet_values(booking):
    return (
        f"{booking.session.window}",
        booking.session.get_area_display(),
        booking.reference,
        mask_name(booking.visitor_name),
        booking.id_masked,
        booking.grave,
        booking.visitors,
        booking.get_status_display(),
        timezone.localtime(booking.arrived_at).strftime("%H:%M") if booking.arrived_at else "",
    )


@login_required
@require_GET
def day_sheet_csv(request, slug, day):
    cemetery = _cemetery(request, slug)
    day = _day(day)
    rows = (_sheet_values(booking) for booking in _sheet_rows(cemetery, day).iterator())
    return csv_response(f"visits-{cemetery.slug}-{day.isoformat()}.csv", SHEET_HEADER, rows)


@login_required
@require_GET
def day_sheet_pdf(request, slug, day):
    cemetery = _cemetery(request, slug)
    day = _day(day)
    data = pdfs.day_sheet_pdf(
        cemetery, day, [_sheet_values(b) for b in _sheet_rows(cemetery, day)], SHEET_HEADER
    )
    return FileResponse(
        BytesIO(data),
        as_attachment=False,
        filename=f"visits-{cemetery.slug}-{day.isoformat()}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_POST
def no_shows(request, slug, day):
    cemetery = _cemetery(request, slug)
    day = _day(day)
    count = services.record_no_shows(provider=cemetery, user=request.user)
    messages.success(request, _("已将 %(n)s 个场次结束仍未入园的预约记为未到场。") % {"n": count})
    return redirect("memorial_visits_workbench:day", slug=cemetery.slug, day=day.isoformat())


@login_required
@require_http_methods(["GET", "POST"])
def gate(request, slug):
    cemetery = _cemetery(request, slug)
    form = PassCodeForm(request.POST or None)
    arrived = None
    if request.method == "POST" and form.is_valid():
        try:
            arrived = services.mark_arrival(cemetery, form.cleaned_data["code"], request.user)
        except ValidationError as error:
            form.add_error("code", error)
        else:
            form = PassCodeForm()
    return render(
        request,
        "memorial_visits/workbench/gate.html",
        {
            "provider": cemetery,
            "form": form,
            "arrived": arrived,
            "visitor": mask_name(arrived.visitor_name) if arrived else "",
            "breadcrumbs": _crumbs(cemetery, (_("入园核验"), None)),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
