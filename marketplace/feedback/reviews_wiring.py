"""Wiring of the reviews half (see apps.py): who may manage a review (its provider's staff),
the workbench panel, the 我的评价 account link, the reviews section of the provider page and
the funeral section's admin permissions."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _provider_section(provider, request):
    from marketplace.catalogue.services.ratings import rating_rows

    from .services.reviews import published_reviews

    if not provider.review_count:
        return {"provider": provider, "reviews": [], "rows": [], "more": False}
    reviews = list(published_reviews(provider)[: settings.R1_REVIEWS_ON_PROVIDER_PAGE])
    return {
        "provider": provider,
        "reviews": reviews,
        "rows": rating_rows(provider),
        "more": provider.review_count > len(reviews),
    }


def _panels(user):
    from accounts.workbench import Panel
    from marketplace.catalogue.permissions import member_provider_ids

    if not user.is_authenticated or not member_provider_ids(user):
        return []
    return [
        Panel(
            title=_("服务评价"),
            url=reverse("review_workbench:index"),
            description=_("查看家属对本机构的评价，并公开回复（每条评价回复一次）。"),
            kind=_("殡葬服务机构"),
        )
    ]


def _register_policies():
    from accounts.permissions import register_policy
    from marketplace.catalogue.permissions import member_provider_ids

    from .models import Review

    def can_manage(user, review):
        return review.provider_id in member_provider_ids(user)

    def scope(user, queryset):
        return queryset if user.is_superuser else queryset.filter(provider_id__in=member_provider_ids(user))

    register_policy(Review, can_manage=can_manage, scope=scope)


def _review_action(request, order):
    """The family's order page offers 评价该机构 while the order can be reviewed (one query)."""
    from .services.reviews import ReviewRefused, check_eligibility

    try:
        check_eligibility(request.user, order)
    except ReviewRefused:
        return None
    return _("评价该机构"), reverse("reviews:new", args=[order.reference])


def ready():
    from accounts.groups import FUNERAL_SECTION, grant
    from accounts.workbench import register_panels
    from core.navigation import register_account_link
    from marketplace.catalogue.hooks import register_provider_section
    from marketplace.orders.hooks import register_order_action

    _register_policies()
    register_panels(_panels)
    register_account_link("reviews", gettext_lazy("我的评价"), "reviews:mine", order=15)
    register_provider_section("reviews", "feedback/reviews/section.html", _provider_section, order=10)
    register_order_action(_review_action)
    grant(
        FUNERAL_SECTION,
        "feedback.view_review",
        "feedback.change_review",
        "feedback.view_sensitiveword",
        "feedback.add_sensitiveword",
        "feedback.change_sensitiveword",
        "feedback.delete_sensitiveword",
    )
