from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import uploads
from core.stored_files import serve_stored_file
from core.verification import serve_verified
from payments.models import PaymentIntent

from . import giving, opendata, services
from .filters import ProjectFilter
from .forms import GiftForm, LookupForm
from .models import CharityProject, Donation


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
    obj = get_object_or_404(services.with_totals(services.projects_with_reports(attachments=True)), pk=pk)
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
            "spending_page": Paginator(
                obj.expenditures.current(), settings.CHARITY_SPENDING_PAGE_SIZE
            ).get_page(request.GET.get("page")),
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
            # The latest spending; the project page pages through all of it.
            "spending_page": Paginator(
                donation.project.expenditures.current(), settings.CHARITY_SPENDING_PAGE_SIZE
            ).get_page(1)
            if donation
            else None,
            "breadcrumbs": [(_("慈善公开"), reverse("charity:index")), (_("我的捐赠去哪了"), None)],
        },
    )


def export(request, name, fmt):
    return opendata.csv_response(name) if fmt == "csv" else opendata.json_response(name)


@login_required
@require_http_methods(["GET", "POST"])
def donate(request, pk):
    """Give to a project online: the payments app takes the donor to the gateway."""
    project = get_object_or_404(CharityProject.objects.select_related("organization"), pk=pk)
    if not giving.accepts_online_gifts(project):
        raise Http404
    form = GiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intent = giving.start_gift(
                project,
                request.user,
                amount=form.cleaned_data["amount"],
                anonymous=form.cleaned_data["anonymous"],
                return_url=request.build_absolute_uri(reverse("charity:my_gifts")),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("payments:checkout", public_id=intent.public_id)
    return render(
        request,
        "charity/donate.html",
        {
            "project": project,
            "form": form,
            "breadcrumbs": [
                (_("慈善公开"), reverse("charity:index")),
                (project.name, reverse("charity:project", args=[project.pk])),
                (_("在线捐赠"), None),
            ],
        },
    )


@login_required
@require_GET
def my_gifts(request):
    return render(
        request,
        "charity/my_gifts.html",
        {"gifts": giving.gifts_of(request.user), "breadcrumbs": [(_("我的捐赠"), None)]},
    )


@login_required
@require_POST
def cancel_gift(request, public_id):
    """The donor calls off a gift not yet paid; someone else's answers 404."""
    intent = get_object_or_404(
        PaymentIntent, public_id=public_id, user=request.user, content_type__app_label="charity"
    )
    try:
        cancelled = giving.cancel_gift(intent, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if cancelled:
            messages.success(request, _("已取消这笔捐赠，支付宝不会再收取这笔款项。"))
        else:
            messages.info(request, _("这笔捐赠已经付款成功，无法取消；它已计入项目并公开。"))
    return redirect("charity:my_gifts")


@login_required
@require_GET
def gift_receipt(request, receipt_number):
    """The donor's own sealed receipt; anyone else's answers 404."""
    get_object_or_404(PaymentIntent, public_id=receipt_number, user=request.user)
    # The row that stands now: a refunded gift's receipt carries what the charity kept.
    donation = get_object_or_404(
        Donation.objects.current().exclude(amount=0),
        receipt_number=receipt_number,
        channel=Donation.Channel.ONLINE,
    )
    document = giving.receipt_for(donation, base_url=request.build_absolute_uri("/").rstrip("/"))
    return serve_verified(request, document, filename=f"donation-receipt-{receipt_number}.pdf")


# --- Disclosure files: public, but only through the hash check ----------------------------------


@require_GET
def voucher(request, pk):
    """A spending voucher the project page shows, only if its bytes match the hash recorded on upload."""
    expenditure = get_object_or_404(services.public_vouchers(), pk=pk)
    return serve_stored_file(
        request, expenditure, file_field="document", sha_field="document_sha256", public=True
    )


@require_GET
def report_attachment(request, pk):
    """A published progress report's attachment, checked like a voucher."""
    attachment = get_object_or_404(services.public_report_attachments(), pk=pk)
    return serve_stored_file(
        request, attachment, file_field="file", sha_field="sha256", filename=attachment.name, public=True
    )


@require_GET
def articles(request, pk):
    """A charity's articles of association (C1), checked like a voucher."""
    disclosure = get_object_or_404(services.public_articles(), pk=pk)
    return serve_stored_file(
        request,
        disclosure,
        file_field="articles",
        sha_field="articles_sha256",
        allowed=uploads.PDF_ONLY,
        public=True,
    )


@require_GET
def legacy_media(request, name):
    """Links to the files' old public-media address (``/media/charity/…``) lead to the checking view."""
    target = services.file_view_for_media_name(f"charity/{name}")
    if target is None:
        raise Http404
    view, pk = target
    return redirect(view, pk=pk, permanent=True)
