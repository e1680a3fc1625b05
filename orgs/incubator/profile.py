"""The incubator's section of an organisation's public profile: the programmes it was admitted
to, with the dates it entered and left (出壳), and the resources it was awarded (I2)."""

from .models import PLACE_STATES, Application, Award


def profile_context(organization, request=None):
    applications = list(
        Application.objects.filter(organization=organization, state__in=PLACE_STATES)
        .select_related("programme")
        .order_by("-decided_at", "-pk")
    )
    awards = list(
        Award.objects.filter(application__organization=organization)
        .select_related("application__offer__funder")
        .order_by("-awarded_on", "-pk")
    )
    if not (applications or awards):
        return None
    return {"applications": applications, "awards": awards}
