"""The provider's reviews in its workbench: read them and reply once, publicly (R1). Reviews are
fetched through the permission policy: another provider's review answers 404. No view here
(or anywhere) changes or deletes a review."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import get_managed_or_404, scope

from .models import Review
from .review_forms import ReplyForm
from .services.reviews import ReviewRefused, can_edit_reply, post_reply, reply_edit_deadline


def _crumbs(*extra):
    return [
        (_("机构工作台"), reverse("workbench:index")),
        (_("服务评价"), reverse("review_workbench:index")),
        *extra,
    ]


def _reviews(user):
    return scope(user, Review).select_related("provider", "reply").prefetch_related("reply__versions")


@login_required
@require_GET
def index(request):
    reviews = _reviews(request.user).filter(status__in=Review.PUBLIC).order_by("-published_at", "-id")
    page = Paginator(reviews, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/reviews/workbench_index.html",
        {
            "page_obj": page,
            "hours": settings.R1_REPLY_EDIT_HOURS,
            "breadcrumbs": [(_("机构工作台"), reverse("workbench:index")), (_("服务评价"), None)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reply(request, pk):
    review = get_managed_or_404(request.user, _reviews(request.user), pk=pk, status__in=Review.PUBLIC)
    existing = getattr(review, "reply", None)
    versions = list(existing.versions.order_by("sequence")) if existing else []
    editable = existing is None or can_edit_reply(existing)
    initial = {"text": versions[-1].text} if versions else None
    form = ReplyForm(request.POST or None, initial=initial, hours=settings.R1_REPLY_EDIT_HOURS)
    if request.method == "POST" and form.is_valid():
        try:
            post_reply(review, request.user, form.cleaned_data["text"])
        except ReviewRefused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("回复已公开发布。"))
            return redirect("review_workbench:index")
    return render(
        request,
        "feedback/reviews/workbench_reply.html",
        {
            "review": review,
            "form": form,
            "versions": versions,
            "editable": editable,
            "deadline": reply_edit_deadline(existing) if existing else None,
            "breadcrumbs": _crumbs((_("回复评价"), None)),
        },
        status=400 if form.errors else 200,
    )
