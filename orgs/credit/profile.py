"""The credit section of the public organisation profile (/orgs/<uscc>/)."""

from django.utils import timezone

from .models import EntryStatus, ListEntry, Rating


def profile_context(organization, request=None):
    today = timezone.localdate()
    rating = Rating.objects.filter(organization=organization).order_by("-rated_on", "-pk").first()
    return {
        "organization": organization,
        "current_entries": list(
            ListEntry.objects.filter(organization=organization, status=EntryStatus.LISTED).order_by(
                "-listed_on"
            )
        ),
        "rating": rating,
        "rating_expired": bool(rating and rating.is_expired(today)),
        "as_of": today,
    }
