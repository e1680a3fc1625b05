"""The providers' review summaries (R1) and the catalogue's order by rating.

The feedback app owns the reviews and computes each provider's summary; it hands the figures
to :func:`record_ratings`, the only writer of ``Provider.review_count``, ``rating_average`` and
``rating_distribution``. The catalogue never imports feedback.

Sorting by rating (``R1_MIN_REVIEWS_FOR_RATING_SORT``): providers with at least the minimum
number of published reviews come first, by average rating, then by number of reviews, then by
name; the others follow in the catalogue's usual order. Nothing a provider pays (package price,
orders, payments) enters the ranking.
"""

from decimal import Decimal

from django.conf import settings

from ..models import Provider

STARS = (1, 2, 3, 4, 5)


def record_ratings(provider_id, *, count, average, distribution):
    """Store a provider's summary: ``distribution`` maps each star 1–5 to its number of reviews."""
    counts = [int(distribution.get(star, 0)) for star in STARS]
    if sum(counts) != count:
        raise ValueError("the distribution must add up to the count")
    average = None if count == 0 else Decimal(average).quantize(Decimal("0.01"))
    # update(): the summary is not an edit of the provider's profile (updated_at stays).
    Provider.objects.filter(pk=provider_id).update(
        review_count=count, rating_average=average, rating_distribution=counts
    )


def rating_rows(provider):
    """(stars, count, percent of all) for 5 down to 1, for a distribution bar and its table."""
    counts = list(provider.rating_distribution or [0] * 5)
    total = sum(counts)
    return [
        (star, counts[star - 1], round(100 * counts[star - 1] / total) if total else 0)
        for star in reversed(STARS)
    ]


def sorted_by_rating(providers, usual_order):
    """Provider ids: the rated providers by rating, then the rest in ``usual_order`` (a list of ids)."""
    minimum = settings.R1_MIN_REVIEWS_FOR_RATING_SORT
    rows = list(providers.values_list("pk", "name", "review_count", "rating_average"))
    rated = [row for row in rows if row[2] >= max(minimum, 1) and row[3] is not None]
    rated.sort(key=lambda row: (-row[3], -row[2], row[1], row[0]))
    ranked = {row[0] for row in rated}
    return [row[0] for row in rated] + [pk for pk in usual_order if pk not in ranked]
