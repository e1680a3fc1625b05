"""Atom feeds for people, built from the public change feed (so ``api`` imports no app):

- ``/api/v1/feeds/credit-lists.atom``: listings on and removals from the abnormal (S5) and the
  serious-violation (S6) lists;
- ``/api/v1/feeds/providers/<slug>/prices.atom``: the prices one funeral provider publishes
  (404 unless the provider is public);
- ``/api/v1/feeds/charity-projects.atom``: new charity projects.

Each lists the newest ``API_FEED_ENTRIES`` changes, titled in the reader's language, with the
public page as the link. The ETag is the newest change's cursor (with the path and the
language), so a feed reader polling an unchanged feed gets ``304``; every answer carries the
API's caching, licence and citation headers.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .changes import kind_label, subject_exists
from .conditional import decorate, is_not_modified, not_modified_response
from .registry import register_path

CREDIT_KINDS = ("listing.confirmed", "listing.removed")
PRICE_KINDS = ("price.published",)
PROJECT_KINDS = ("project.published",)


class ChangeFeed(Feed):
    feed_type = Atom1Feed
    kinds = ()
    title_text = ""
    subtitle_text = ""

    def changes(self, obj):
        from .models import PublicChange

        queryset = PublicChange.objects.filter(kind__in=self.kinds)
        if obj is not None:
            queryset = queryset.filter(subject=obj)
        return queryset

    # The feed ------------------------------------------------------------------------------

    def title(self, obj):
        return str(self.title_text)

    def subtitle(self, obj):
        return str(self.subtitle_text)

    def link(self, obj):
        return reverse("api:change-list") + "?" + "&".join(f"kind={kind}" for kind in self.kinds)

    def items(self, obj):
        return self.changes(obj).order_by("-id")[: settings.API_FEED_ENTRIES]

    # Each entry ----------------------------------------------------------------------------

    def item_title(self, change):
        return change.localized_title(get_language())

    def item_description(self, change):
        return f"{kind_label(change.kind)} · {change.localized_title(get_language())}"

    def item_link(self, change):
        return change.html_url or change.api_url or reverse("api:change-detail", kwargs={"pk": change.pk})

    def item_guid(self, change):
        return reverse("api:change-detail", kwargs={"pk": change.pk})

    item_guid_is_permalink = False

    def item_pubdate(self, change):
        return change.occurred_at

    def item_updateddate(self, change):
        return change.occurred_at

    def item_categories(self, change):
        return (change.kind,)

    # Conditional GET and the API's headers -------------------------------------------------

    def __call__(self, request, *args, **kwargs):
        obj = self.get_object(request, *args, **kwargs)
        latest = self.changes(obj).order_by("-id").values_list("id", flat=True).first() or 0
        etag = f'W/"{latest}-{get_language()}-{settings.API_FEED_ENTRIES}"'
        if is_not_modified(request, etag):
            return decorate(request, not_modified_response(), etag)
        response = super().__call__(request, *args, **kwargs)
        return decorate(request, response, etag)


class CreditListsFeed(ChangeFeed):
    kinds = CREDIT_KINDS
    title_text = _("社会组织信用名录变动")
    subtitle_text = _("列入和移出活动异常名录、严重违法失信名单的决定。")


class ProviderPricesFeed(ChangeFeed):
    kinds = PRICE_KINDS
    subtitle_text = _("该机构公布的每一次价格变动（生效日期、价格）。")

    def get_object(self, request, slug):
        if not subject_exists(PRICE_KINDS[0], slug):
            raise Http404(_("没有该殡葬服务机构。"))
        return slug

    def title(self, obj):
        return _("%(slug)s 的价格变动") % {"slug": obj}


class CharityProjectsFeed(ChangeFeed):
    kinds = PROJECT_KINDS
    title_text = _("新公开的慈善项目")
    subtitle_text = _("慈善组织新公开的项目。")


register_path(path("feeds/credit-lists.atom", CreditListsFeed(), name="feed-credit-lists"))
register_path(
    path("feeds/providers/<slug:slug>/prices.atom", ProviderPricesFeed(), name="feed-provider-prices")
)
register_path(path("feeds/charity-projects.atom", CharityProjectsFeed(), name="feed-charity-projects"))
