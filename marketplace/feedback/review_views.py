"""The family's review pages (signed in, never cached), anyone's report of a review and the
public list of a provider's reviews. Thin: parse, call ``services.reviews``, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from marketplace.catalogue.models import Provider
from marketplace.catalogue.services.ratings import rating_rows
from marketplace.orders.models import Order

from .models import Review, ReviewStatus
from .review_forms import ReportForm, ReviewForm
from .services.reviews import (
    ReviewRefused,
    check_eligibility,
    eligible_orders,
    published_reviews,
    report_review,
    submit_review,
    window_closes,
)


def _crumbs(*extra):
    return [(_("我的评价"), reverse("reviews:mine")), *extra]


@login_required
@require_GET
def mine(request):
    reviews = (
        Review.objects.filter(user=request.user)
        .select_related("provider", "order", "reply")
        .order_by("-submitted_at")
    )
    orders = list(eligible_orders(request.user))
    for order in orders:
        order.review_closes = window_closes(order)
    return render(
        request,
        "feedback/reviews/mine.html",
        {
            "reviews": reviews,
            "orders": orders,
            "window_days": settings.R1_REVIEW_WINDOW_DAYS,
            "breadcrumbs": [(_("我的评价"), None)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request, reference):
    # Only the family's own orders exist here: another family's order answers 404.
    order = get_object_or_404(
        Order.objects.select_related("provider"), reference=reference, user=request.user
    )
    form = ReviewForm(request.POST or None, user=request.user, order=order)
    refusal = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                review = submit_review(request.user, order, **form.cleaned_data)
            except ReviewRefused as error:
                form.add_error(None, error)
            else:
                if review.status == ReviewStatus.PUBLISHED:
                    messages.success(request, _("评价已发布，感谢您的反馈。"))
                else:
                    messages.success(request, _("评价已提交，民政局工作人员审核后发布。"))
                return redirect("reviews:mine")
    else:
        # Say at once why this order can't be reviewed (the same check runs again on submit).
        try:
            check_eligibility(request.user, order)
        except ReviewRefused as error:
            refusal = error.messages[0]
    return render(
        request,
        "feedback/reviews/new.html",
        {
            "form": form,
            "order": order,
            "closes": window_closes(order),
            "refusal": refusal,
            "breadcrumbs": _crumbs((_("评价订单 %(ref)s") % {"ref": order.reference}, None)),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def report(request, pk):
    review = get_object_or_404(Review.objects.select_related("provider"), pk=pk, status__in=Review.PUBLIC)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_review(review, reason=form.cleaned_data["reason"], reporter=request.user)
        except ReviewRefused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("举报已收到。民政局工作人员将复核该评价，复核期间评价仍然显示。"))
            return redirect(review.provider.get_absolute_url())
    return render(
        request,
        "feedback/reviews/report.html",
        {
            "form": form,
            "review": review,
            "breadcrumbs": [
                (_("殡葬服务"), reverse("catalogue:index")),
                (review.provider.name, review.provider.get_absolute_url()),
                (_("举报评价"), None),
            ],
        },
        status=400 if form.errors else 200,
    )


@require_GET
def provider_reviews(request, slug):
    provider = get_object_or_404(Provider.objects.public(), slug=slug)
    page = Paginator(published_reviews(provider), settings.CATALOGUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "feedback/reviews/provider.html",
        {
            "provider": provider,
            "page_obj": page,
            "section": {"provider": provider, "reviews": page.object_list, "rows": rating_rows(provider)},
            "breadcrumbs": [
                (_("殡葬服务"), reverse("catalogue:index")),
                (provider.name, provider.get_absolute_url()),
                (_("服务评价"), None),
            ],
        },
    )
