from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import opendata, services
from .filters import ProjectFilter
from .forms import LookupForm


def index(request):
    today = timezone.localdate()
    queryset = services.with_totals(services.projects_with_reports())
    project_filter = ProjectFilter(request.GET or None, queryset=queryset)
    page_obj = Paginator(project_filter.qs, settings.CHARITY_PAGE_SIZE).get_page(request.GET.get("page"))
    projects = services.quantize_totals(page_obj.object_list)
    for project in projects:
        project.overdue = services.overdue_items(project, today, reports=services.current_reports(project))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "charity/index.html",
        {
            "form": project_filter.form,
            "page_obj": page_obj,
            "projects": projects,
            "query_string": urlencode(params),
            "breadcrumbs": [(_("慈善公开"), None)],
        },
    )


def project(request, pk):
    today = timezone.localdate()
    obj = get_object_or_404(services.with_totals(services.projects_with_reports()), pk=pk)
    services.quantize_totals([obj])
    reports = services.current_reports(obj)
    points = services.raised_vs_spent(obj)
    return render(
        request,
        "charity/project.html",
        {
            "project": obj,
            "overdue": services.overdue_items(obj, today, reports=reports),
            "reports": reports,
            "points": points,
            "chart": services.chart_for(points),
            "donations": list(obj.donations.current()[: settings.CHARITY_LATEST_DONATIONS]),
            "expenditures": list(obj.expenditures.current()),
            "breadcrumbs": [(_("慈善公开"), reverse("charity:index")), (obj.name, None)],
        },
    )


def lookup(request):
    form = LookupForm(request.GET or None)
    donation = None
    searched = False
    if form.is_valid():
        searched = True
        donation = services.find_donation(
            form.cleaned_data["organization"], form.cleaned_data["receipt_number"]
        )
    return render(
        request,
        "charity/lookup.html",
        {
            "form": form,
            "searched": searched,
            "donation": donation,
            "project": donation.project if donation else None,
            "expenditures": list(donation.project.expenditures.current()) if donation else [],
            "breadcrumbs": [(_("慈善公开"), reverse("charity:index")), (_("我的捐赠去哪了"), None)],
        },
    )


def export(request, name, fmt):
    return opendata.csv_response(name) if fmt == "csv" else opendata.json_response(name)
