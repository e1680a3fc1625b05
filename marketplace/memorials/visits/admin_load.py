"""The bureau's view of booked visits in the Wagtail admin: city-wide load per day and per
cemetery (places booked against capacity, and arrivals), as a chart with the same numbers in
tables."""

import datetime

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import day_range

from .models import FestivalPeriod
from .sheets import city_load

VIEW = "memorial_visits.view_visitsession"
MAX_DAYS = 62


def _range(request):
    today = timezone.localdate()
    period = FestivalPeriod.objects.filter(ends_on__gte=today).order_by("starts_on").first()
    first, last = (
        (period.starts_on, period.ends_on) if period else (today, today + datetime.timedelta(days=13))
    )
    return day_range(request.GET, first, last, MAX_DAYS)


def load_report(request):
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    first, last = _range(request)
    days, rows = city_load(first, last)
    peak = max((capacity for _day, _booked, capacity, _came in days), default=0) or 1
    bars = []
    for index, (day, booked, capacity, _came) in enumerate(days):
        capacity_h, booked_h = round(capacity / peak * 160), round(booked / peak * 160)
        bars.append(
            {
                "day": day,
                "x": index * 28 + 40,
                "capacity_h": capacity_h,
                "capacity_y": 180 - capacity_h,
                "booked_h": booked_h,
                "booked_y": 180 - booked_h,
            }
        )
    return TemplateResponse(
        request,
        "memorial_visits/admin/load.html",
        {
            "page_title": _("祭扫预约负荷"),
            "header_icon": "date",
            "first": first,
            "last": last,
            "days": days,
            "rows": rows,
            "bars": bars,
            "chart_width": max(len(bars) * 28 + 60, 200),
        },
    )


urlpatterns = [path("", load_report, name="load")]
