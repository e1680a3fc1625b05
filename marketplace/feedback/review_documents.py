"""What the site-wide search shows of reviews (R1): published reviews only, with the public
facts the provider page shows (masked name, month, services, scores, text, the provider's
reply). A review leaving ``published`` (reported, hidden) leaves the index; complaints are
never indexed."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from search.registry import DocumentType, Entry, register
from search.text import join

from .models import Review, ReviewReplyVersion


def public_reviews():
    return (
        Review.objects.filter(status__in=Review.PUBLIC, provider__is_published=True)
        .select_related("provider", "reply")
        .prefetch_related(
            Prefetch("reply__versions", queryset=ReviewReplyVersion.objects.order_by("sequence"))
        )
    )


def review_entry(review):
    reply = getattr(review, "reply", None)
    versions = list(reply.versions.all()) if reply is not None else []
    return Entry(
        title=_("%(provider)s 的服务评价（%(stars)s 星）")
        % {"provider": review.provider.name, "stars": review.overall},
        body=join(
            review.text,
            _("所购服务：%(services)s") % {"services": review.services} if review.services else "",
            _("机构回复：%(text)s") % {"text": versions[-1].text} if versions else "",
        ),
        url=review.get_absolute_url(),
        date=timezone.localdate(review.published_at) if review.published_at else None,
        district=review.provider.get_district_display(),
        extra=join(review.display_name, _("已核实订单"), review.order_month.strftime("%Y-%m"), sep=" · "),
    )


register(
    DocumentType(
        key="review",
        label=gettext_lazy("服务评价"),
        model=Review,
        queryset=public_reviews,
        entry=review_entry,
        order=15,
        numerous=True,
        depends_on={ReviewReplyVersion: lambda version: [version.reply.review_id]},
    )
)
