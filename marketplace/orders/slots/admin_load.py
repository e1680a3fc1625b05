"""The bureau's view of service slots in the Wagtail admin (F11): load per funeral home over a
range of days (slots published, held, requested and booked, and the booked share), as a table."""

import datetime

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import day_range

from .sheets import load_per_provider

VIEW = "order_slots.view_slot"
DEFAULT_DAYS = 7
MAX_DAYS = 62


def _range(request):
    today = timezone.localdate()
    return day_range(request.GET, today, today + datetime.timedelta(days=DEFAULT_DAYS - 1), MAX_DAYS)


def load_report(request):
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    first, last = _range(request)
    rows, total = load_per_provider(first, last)
    return TemplateResponse(
        request,
        "order_slots/admin/load.html",
        {
            "page_title": _("殡仪馆档期负荷"),
            "header_icon": "date",
            "first": first,
            "last": last,
            "rows": rows,
            "total": total,
        },
    )


urlpatterns = [path("", load_report, name="load")]
