"""The funeral home's workbench for service slots (/workbench/slots/, F11): its resources, a
month's publication, closures, the week calendar, the day sheet (HTML, CSV, PDF) and the
proposal to move a booking. Every record is fetched through the funeral home the user is staff
of: another funeral home's slug, day or booking answers 404."""

import datetime
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.opendata import csv_response

from . import pdfs, services, sheets
from .forms import WEEKDAYS, ClosureForm, MoveForm, PublishMonthForm, ResourceEditForm, ResourceForm
from .models import Booking, BookingStatus, Closure, Resource
from .permissions import funeral_home_or_404, funeral_homes
from .services import SlotRefused

WEEK_DAYS = 7
MOVE_WINDOW_DAYS = 14


def _crumbs(provider=None, *extra):
    crumbs = [
        (_("机构工作台"), reverse("workbench:index")),
        (_("服务档期"), reverse("order_slots_workbench:index")),
    ]
    if provider is not None:
        crumbs.append(
            (provider.name, reverse("order_slots_workbench:provider", kwargs={"slug": provider.slug}))
        )
    crumbs.extend(extra)
    return crumbs


def _day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise Http404 from error


def _week_start(request, today):
    """The calendar's first day from ``?week=``; today when missing, malformed or far off."""
    try:
        first = datetime.date.fromisoformat(request.GET.get("week") or today.isoformat())
    except ValueError:
        return today
    return first if abs((first - today).days) <= 3 * 366 else today


@login_required
@require_GET
def index(request):
    providers = list(funeral_homes(request.user).order_by("name"))
    if len(providers) == 1:
        return redirect("order_slots_workbench:provider", slug=providers[0].slug)
    return render(
        request,
        "order_slots/workbench/index.html",
        {"providers": providers, "breadcrumbs": _crumbs()[:-1] + [(_("服务档期"), None)]},
    )


def _provider_page(request, home, *, resource_form=None, publish_form=None, closure_form=None, status=200):
    today = timezone.localdate()
    first = _week_start(request, today)
    resources = list(sheets.resources_of(home).prefetch_related("items"))
    labels = dict(WEEKDAYS)
    for resource in resources:
        resource.open_days = " ".join(str(labels[n]) for n in resource.weekdays if n in labels)
    days, rows = sheets.week_grid(resources, first, days=WEEK_DAYS)
    closures = Closure.objects.filter(resource__provider=home, ends_on__gte=today).select_related("resource")
    return render(
        request,
        "order_slots/workbench/provider.html",
        {
            "provider": home,
            "today": today,
            "resources": resources,
            "resource_form": resource_form or ResourceForm(provider=home),
            "publish_form": publish_form or PublishMonthForm(provider=home, today=today),
            "closure_form": closure_form or ClosureForm(provider=home),
            "closures": closures[:50],
            "days": days,
            "rows": rows,
            "previous_week": first - datetime.timedelta(days=WEEK_DAYS),
            "next_week": first + datetime.timedelta(days=WEEK_DAYS),
            "breadcrumbs": _crumbs(None, (home.name, None)),
        },
        status=status,
    )


@login_required
@require_GET
def provider(request, slug):
    return _provider_page(request, funeral_home_or_404(request.user, slug))


@login_required
@require_POST
def add_resource(request, slug):
    home = funeral_home_or_404(request.user, slug)
    form = ResourceForm(request.POST, provider=home)
    if form.is_valid():
        try:
            with transaction.atomic():
                resource = form.save()
        except IntegrityError:  # the same name added a moment ago (a double click)
            form.add_error(
                "name",
                _("本机构已有名为“%(name)s”的资源，请换一个名称。") % {"name": form.cleaned_data["name"]},
            )
        else:
            messages.success(request, _("已添加资源“%(name)s”。请发布档期。") % {"name": resource.name})
            return redirect("order_slots_workbench:provider", slug=home.slug)
    return _provider_page(request, home, resource_form=form, status=400)


@login_required
def edit_resource(request, slug, pk):
    """Change a resource (F11): new hours apply to the next publication; slots already published,
    and their bookings, stay as they are."""
    home = funeral_home_or_404(request.user, slug)
    resource = get_object_or_404(Resource, provider=home, pk=pk)
    form = ResourceEditForm(request.POST or None, instance=resource, provider=home)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:  # the same name saved a moment ago by someone else
            form.add_error(
                "name",
                _("本机构已有名为“%(name)s”的资源，请换一个名称。") % {"name": form.cleaned_data["name"]},
            )
        else:
            messages.success(
                request,
                _("已保存资源“%(name)s”。新的开放时间从下次发布档期起生效。") % {"name": resource.name},
            )
            return redirect("order_slots_workbench:provider", slug=home.slug)
    return render(
        request,
        "order_slots/workbench/resource_edit.html",
        {
            "provider": home,
            "resource": resource,
            "form": form,
            "breadcrumbs": _crumbs(home, (resource.name, None)),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def publish(request, slug):
    home = funeral_home_or_404(request.user, slug)
    today = timezone.localdate()
    form = PublishMonthForm(request.POST, provider=home, today=today)
    if form.is_valid():
        data = form.cleaned_data
        resources = [data["resource"]] if data["resource"] else list(form.fields["resource"].queryset)
        created = skipped = 0
        try:
            with transaction.atomic():
                for resource in resources:
                    made, kept = services.publish(
                        resource, first_day=data["first_day"], last_day=data["last_day"], today=today
                    )
                    created, skipped = created + made, skipped + kept
        except SlotRefused as error:
            form.add_error(None, error)
        else:
            if not resources:
                messages.warning(request, _("还没有接受预约的资源，请先添加资源。"))
            else:
                messages.success(
                    request,
                    _(
                        "已发布 %(first)s 至 %(last)s 的 %(created)s 个档期；%(skipped)s 个时段已有档期，保持不变。"
                    )
                    % {
                        "first": data["first_day"].isoformat(),
                        "last": data["last_day"].isoformat(),
                        "created": created,
                        "skipped": skipped,
                    },
                )
            return redirect(
                reverse("order_slots_workbench:provider", kwargs={"slug": home.slug})
                + f"?week={data['first_day'].isoformat()}"
            )
    return _provider_page(request, home, publish_form=form, status=400)


@login_required
@require_POST
def close(request, slug):
    home = funeral_home_or_404(request.user, slug)
    form = ClosureForm(request.POST, provider=home)
    if form.is_valid():
        data = form.cleaned_data
        try:
            closure = services.close(
                data["resource"], starts_on=data["starts_on"], ends_on=data["ends_on"], reason=data["reason"]
            )
        except SlotRefused as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("“%(name)s”已于 %(first)s 至 %(last)s 停用。")
                % {
                    "name": closure.resource.name,
                    "first": closure.starts_on.isoformat(),
                    "last": closure.ends_on.isoformat(),
                },
            )
            return redirect("order_slots_workbench:provider", slug=home.slug)
    return _provider_page(request, home, closure_form=form, status=400)


# --- The day sheet --------------------------------------------------------------------------

SHEET_HEADER = (
    gettext_noop("时段"),
    gettext_noop("资源"),
    gettext_noop("状态"),
    gettext_noop("订单号"),
    gettext_noop("逝者姓名"),
    gettext_noop("经办家属"),
    gettext_noop("手机"),
)


def _header():
    return tuple(_(column) for column in SHEET_HEADER)


def _sheet_values(booking):
    order = booking.order
    start, end = timezone.localtime(booking.starts_at), timezone.localtime(booking.ends_at)
    return (
        f"{start:%H:%M}-{end:%H:%M}",
        booking.resource.name,
        booking.get_status_display(),
        order.reference if order else "",
        order.deceased_name if order else "",
        order.contact_name if order else "",
        sheets.masked_mobile(order.contact_mobile) if order else "",
    )


@login_required
@require_GET
def day_sheet(request, slug, day):
    home = funeral_home_or_404(request.user, slug)
    day = _day(day)
    bookings = list(sheets.day_sheet(home, day))
    for booking in bookings:
        booking.values = _sheet_values(booking)
        booking.movable = booking.status in (BookingStatus.REQUESTED, BookingStatus.BOOKED)
    return render(
        request,
        "order_slots/workbench/day.html",
        {
            "provider": home,
            "day": day,
            "bookings": bookings,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "breadcrumbs": _crumbs(home, (_("%(day)s 预约名单") % {"day": day.isoformat()}, None)),
        },
    )


@login_required
@require_GET
def day_sheet_csv(request, slug, day):
    home = funeral_home_or_404(request.user, slug)
    day = _day(day)
    rows = (_sheet_values(booking) for booking in sheets.day_sheet(home, day).iterator())
    return csv_response(f"slots-{home.slug}-{day.isoformat()}.csv", _header(), rows)


@login_required
@require_GET
def day_sheet_pdf(request, slug, day):
    home = funeral_home_or_404(request.user, slug)
    day = _day(day)
    data = pdfs.day_sheet_pdf(
        home, day, [_sheet_values(b) for b in sheets.day_sheet(home, day)], SHEET_HEADER
    )
    return FileResponse(
        BytesIO(data),
        as_attachment=False,
        filename=f"slots-{home.slug}-{day.isoformat()}.pdf",
        content_type="application/pdf",
    )


# --- Proposing a move -----------------------------------------------------------------------


def _movable_booking(home, pk):
    return get_object_or_404(
        Booking.objects.select_related("resource", "order", "proposed_slot__resource"),
        pk=pk,
        resource__provider=home,
        status__in=(BookingStatus.REQUESTED, BookingStatus.BOOKED),
    )


def _move_targets(home, booking):
    """Free slots of the same provider and resource kind, from today until two weeks after the
    booking's day, other than the booking's own slot."""
    today = timezone.localdate()
    last = max(timezone.localtime(booking.starts_at).date(), today) + datetime.timedelta(
        days=MOVE_WINDOW_DAYS
    )
    resources = services.bookable_resources(home).filter(kind=booking.resource.kind)
    return [
        slot
        for slot in services.availability(resources, first_day=today, last_day=last)
        if slot.pk != booking.slot_id
    ]


@login_required
@require_http_methods(["GET", "POST"])
def propose_move(request, slug, pk):
    home = funeral_home_or_404(request.user, slug)
    booking = _movable_booking(home, pk)
    form = MoveForm(request.POST or None, slots=_move_targets(home, booking))
    day = timezone.localtime(booking.starts_at).date()
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_move(
                booking, form.cleaned_data["slot"], request.user, note=form.cleaned_data["note"]
            )
        except SlotRefused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已向家属提议改约，家属同意后才会改约。"))
            return redirect("order_slots_workbench:day", slug=home.slug, day=day.isoformat())
    return render(
        request,
        "order_slots/workbench/move.html",
        {
            "provider": home,
            "booking": booking,
            "values": _sheet_values(booking),
            "form": form,
            "day": day,
            "breadcrumbs": _crumbs(
                home,
                (
                    _("%(day)s 预约名单") % {"day": day.isoformat()},
                    reverse("order_slots_workbench:day", kwargs={"slug": home.slug, "day": day.isoformat()}),
                ),
                (_("提议改约"), None),
            ),
        },
        status=400 if form.is_bound else 200,
    )
