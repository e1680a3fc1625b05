"""The licence's section of an organisation's public profile: the current electronic licence
with its verification code, and how many versions came before it (S9)."""

from .models import Licence


def profile_context(organization, request=None):
    licences = list(
        Licence.objects.filter(organization=organization).select_related("document").order_by("-version")
    )
    if not licences:
        return None
    current = next((licence for licence in licences if licence.current), None)
    return {"current": current, "earlier": [licence for licence in licences if not licence.current]}
