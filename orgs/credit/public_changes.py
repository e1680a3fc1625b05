"""Credit's public changes (issue 19, the change feed), discovered by ``api``.

- ``listing.confirmed``: an organisation is put on the abnormal (S5) or serious (S6) list
  (``services.listing.list_organization``, directly or by confirming a rule's proposal);
- ``listing.removed``: the entry's state machine moves it to removed (``remove_entry``);
- ``rating.given``: a rating is recorded (S7, ``services.ratings.rate``);
- ``rating.expired``: a rating passes its expiry day with no later rating in force. Nothing is
  written when that happens, so the daily job (``services.rules.run_daily``) calls
  :func:`record_expired_ratings`; the change's key makes a second run add nothing.

The lists, ratings and their dates are public (``/credit/<uscc>/``); a listing's free-text note
and who decided are not put in the feed.
"""

import datetime

from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from api.changes import Change, record_changes, register_kind, url_or_blank, watch

from .models import EntryStatus, ListEntry, Rating

LISTING_CONFIRMED = "listing.confirmed"
LISTING_REMOVED = "listing.removed"
RATING_GIVEN = "rating.given"
RATING_EXPIRED = "rating.expired"

register_kind(LISTING_CONFIRMED, _("列入信用名录"))
register_kind(LISTING_REMOVED, _("移出信用名录"))
register_kind(RATING_GIVEN, _("评估等级评定"))
register_kind(RATING_EXPIRED, _("评估等级到期"))


def _urls(organization):
    return {
        "subject": organization.uscc,
        "html_url": url_or_blank("credit:detail", uscc=organization.uscc),
        "api_url": url_or_blank("api:credit-detail", uscc=organization.uscc),
    }


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def describe_entry(entry, created, previous):
    organization = entry.organization
    if created:

        def listed():
            return gettext("%(org)s 被列入%(list)s：%(reason)s（%(date)s）") % {
                "org": organization.name,
                "list": entry.get_list_type_display(),
                "reason": entry.get_reason_display(),
                "date": entry.listed_on.isoformat(),
            }

        return Change(
            kind=LISTING_CONFIRMED, key=f"{LISTING_CONFIRMED}:{entry.pk}", title=listed, **_urls(organization)
        )
    if entry.status == EntryStatus.REMOVED:

        def removed():
            return gettext("%(org)s 被移出%(list)s：%(reason)s（%(date)s）") % {
                "org": organization.name,
                "list": entry.get_list_type_display(),
                "reason": entry.get_removal_reason_display(),
                "date": entry.removed_on.isoformat() if entry.removed_on else "",
            }

        # An entry is removed once (its state machine refuses a second removal).
        return Change(
            kind=LISTING_REMOVED, key=f"{LISTING_REMOVED}:{entry.pk}", title=removed, **_urls(organization)
        )
    return None


def describe_rating(rating, created, previous):
    if not created:
        return None
    organization = rating.organization

    def title():
        return gettext("%(org)s 评估等级 %(grade)s（%(date)s 评定，有效期至 %(expires)s）") % {
            "org": organization.name,
            "grade": rating.get_grade_display(),
            "date": rating.rated_on.isoformat(),
            "expires": rating.expires_on.isoformat(),
        }

    return Change(kind=RATING_GIVEN, key=f"{RATING_GIVEN}:{rating.pk}", title=title, **_urls(organization))


def _expired_change(rating):
    organization = rating.organization

    def title():
        return gettext("%(org)s 的 %(grade)s 评估等级已于 %(date)s 到期") % {
            "org": organization.name,
            "grade": rating.get_grade_display(),
            "date": rating.expires_on.isoformat(),
        }

    return Change(
        kind=RATING_EXPIRED,
        key=f"{RATING_EXPIRED}:{rating.pk}",
        title=title,
        occurred_at=_start_of(rating.expires_on + datetime.timedelta(days=1)),
        **_urls(organization),
    )


def expired_ratings(today):
    """Ratings whose last valid day is before ``today`` and that no later rating replaced while
    they were still valid (a replaced rating's end is no news)."""
    replaced = Rating.objects.filter(
        organization=OuterRef("organization"),
        rated_on__gt=OuterRef("rated_on"),
        rated_on__lte=OuterRef("expires_on"),
    )
    return (
        Rating.objects.filter(expires_on__lt=today)
        .filter(~Exists(replaced))
        .select_related("organization")
        .order_by(F("expires_on"), "pk")
    )


def record_expired_ratings(today=None):
    """Record ``rating.expired`` for every rating that has expired by ``today``; ratings already
    recorded are skipped (by key), so the daily job can run any number of times."""
    today = today or timezone.localdate()
    return record_changes([_expired_change(rating) for rating in expired_ratings(today)])


watch(ListEntry, describe_entry)
watch(Rating, describe_rating)
