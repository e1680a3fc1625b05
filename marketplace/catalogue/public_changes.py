"""The catalogue's public changes (issue 19, the change feed), discovered by ``api``.

- ``price.published``: a price version is saved (F10 ``posting.publish_price`` is the only
  writer) for a published provider; one change per version.
- ``provider.verified``: a published provider becomes verified by the bureau, or a verified
  provider is published — the moment its verification becomes public; once per such moment.

A provider that is not published has no public changes: its prices and verification are not
public (the same rule as ``views.item_history`` and ``public_provider``).
"""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from api.changes import Change, register_kind, url_or_blank, watch
from core.money import format_money

from .models import PriceVersion, Provider

PRICE_PUBLISHED = "price.published"
PROVIDER_VERIFIED = "provider.verified"


def _public_provider(slug):
    return Provider.objects.public().filter(slug=slug).exists()


register_kind(PRICE_PUBLISHED, _("价格发布"), subject_exists=_public_provider)
register_kind(PROVIDER_VERIFIED, _("机构通过核验"), subject_exists=_public_provider)


def describe_price(version, created, previous):
    if not created:
        return None
    provider = version.provider
    if not provider.is_published:
        return None
    item = version.item

    def title():
        return gettext("%(provider)s：%(item)s 价格 ¥%(price)s，%(date)s 起执行") % {
            "provider": provider.name,
            "item": item.name,
            "price": format_money(version.price),
            "date": version.effective_from.isoformat(),
        }

    return Change(
        kind=PRICE_PUBLISHED,
        key=f"{PRICE_PUBLISHED}:{version.pk}",
        subject=provider.slug,
        title=title,
        html_url=url_or_blank("catalogue:item_history", pk=item.pk),
        api_url=url_or_blank("api:price-version-detail", pk=version.pk),
        occurred_at=version.announced_at,
    )


def describe_provider(provider, created, previous):
    public_now = provider.is_published and provider.is_verified
    public_before = bool(previous) and previous["is_published"] and previous["is_verified"]
    if not public_now or public_before:
        return None
    moment = timezone.now()

    def title():
        return gettext("%(provider)s 通过民政局核验") % {"provider": provider.name}

    return Change(
        kind=PROVIDER_VERIFIED,
        # A provider can lose its verification and be verified again: each time is a change.
        key=f"{PROVIDER_VERIFIED}:{provider.pk}:{moment.isoformat()}",
        subject=provider.slug,
        title=title,
        html_url=url_or_blank("catalogue:provider", slug=provider.slug),
        api_url=url_or_blank("api:provider-detail", slug=provider.slug),
        occurred_at=moment,
    )


watch(PriceVersion, describe_price)
watch(Provider, describe_provider, previous=("is_published", "is_verified"))
