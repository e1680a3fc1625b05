"""The public incubator pages: the programmes (filtered by type, field, district and whether
they take applications now) and a programme's page with its criteria in plain Chinese, its
benefits and its graduates."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.charts import horizontal_bars
from orgs.registry.services import memberships_for

from .filters import OfferFilter, ProgrammeFilter
from .models import PLACE_STATES, ApplicationState, Award, Need, Offer, Programme
from .services.eligibility import requirements
from .services.outcomes import by_district, by_field, programme_outcomes
from .services.panel import rubric


def _with_places(queryset):
    return queryset.select_related("operator").annotate(
        places_taken=Count("applications", filter=Q(applications__state__in=PLACE_STATES))
    )


def index(request):
    queryset = _with_places(Programme.objects.published()).order_by("-closes_on", "title", "pk")
    filterset = ProgrammeFilter(request.GET or None, queryset=queryset)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page_obj = Paginator(results, settings.INCUBATOR_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    return render(
        request,
        "incubator/index.html",
        {
            "filter": filterset,
            "page_obj": page_obj,
            "rows": [
                {"programme": p, "requirements_text": _("；").join(requirements(p)), "open": p.is_open(today)}
                for p in page_obj.object_list
            ],
            "today": today,
            "query_string": query.urlencode(),
            "breadcrumbs": [(_("孵化培育"), None)],
        },
    )


def programme(request, pk):
    programme = get_object_or_404(_with_places(Programme.objects.published()), pk=pk)
    graduates = list(
        programme.applications.filter(state=ApplicationState.GRADUATED)
        .select_related("organization")
        .order_by("-ended_on", "organization__name")
    )
    today = timezone.localdate()
    return render(
        request,
        "incubator/programme.html",
        {
            "programme": programme,
            "requirements": requirements(programme),
            "rubric": rubric(programme),
            "open": programme.is_open(today),
            "upcoming": programme.published and today < programme.opens_on,
            "graduates": graduates,
            "outcomes": programme_outcomes(programme, today, graduates),
            "memberships": list(memberships_for(request.user)),
            "breadcrumbs": [(_("孵化培育"), reverse("incubator:index")), (programme.title, None)],
        },
    )


def offers(request):
    """The resource pool: open offers first, by deadline."""
    today = timezone.localdate()
    queryset = (
        Offer.objects.published()
        .filter(deadline__gte=today)
        .select_related("funder")
        .order_by("deadline", "pk")
    )
    filterset = OfferFilter(request.GET or None, queryset=queryset)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page_obj = Paginator(results, settings.INCUBATOR_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incubator/offers.html",
        {
            "filter": filterset,
            "page_obj": page_obj,
            "rows": [
                {"offer": o, "requirements_text": _("；").join(requirements(o)), "open": o.is_open(today)}
                for o in page_obj
            ],
            "query_string": query.urlencode(),
            "memberships": list(memberships_for(request.user)),
            "breadcrumbs": [(_("孵化培育"), reverse("incubator:index")), (_("资源配置"), None)],
        },
    )


def offer(request, pk):
    offer = get_object_or_404(Offer.objects.published().select_related("funder"), pk=pk)
    awards = list(
        Award.objects.filter(application__offer=offer)
        .select_related("application__organization")
        .order_by("-awarded_on", "-pk")
    )
    return render(
        request,
        "incubator/offer.html",
        {
            "offer": offer,
            "requirements": requirements(offer),
            "open": offer.is_open(timezone.localdate()),
            "awards": awards,
            "memberships": list(memberships_for(request.user)),
            "breadcrumbs": [
                (_("孵化培育"), reverse("incubator:index")),
                (_("资源配置"), reverse("incubator:offers")),
                (offer.title, None),
            ],
        },
    )


def needs(request):
    """What organisations are looking for, newest first."""
    queryset = Need.objects.filter(open=True).select_related("organization").order_by("-posted_at", "-pk")
    page_obj = Paginator(queryset, settings.INCUBATOR_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "incubator/needs.html",
        {
            "page_obj": page_obj,
            "needs": page_obj.object_list,
            "query_string": "",
            "breadcrumbs": [(_("孵化培育"), reverse("incubator:index")), (_("资源需求"), None)],
        },
    )


def statistics(request):
    """Applications, admissions, graduations and awards by service field and by district, each
    as a chart with a table of the same numbers beside it."""
    fields, districts = by_field(), by_district()
    return render(
        request,
        "incubator/statistics.html",
        {
            "fields": fields,
            "districts": districts,
            "field_chart": horizontal_bars((t.label, t.admitted) for t in fields),
            "district_chart": horizontal_bars((t.label, t.award_total) for t in districts),
            "breadcrumbs": [(_("孵化培育"), reverse("incubator:index")), (_("统计"), None)],
        },
    )
