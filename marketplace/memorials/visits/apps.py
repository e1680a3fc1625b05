from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class MemorialVisitsConfig(AppConfig):
    """Booked cemetery visits (预约祭扫, M3): visit sessions that a cemetery or columbarium
    publishes, real-name bookings that never oversell, and QR passes checked at the gate.

    A Django app of its own inside ``marketplace/memorials/`` (ARCHITECTURE.md places booked
    visits there) so that its tables and migrations stay apart from the memorials'.
    """

    name = "marketplace.memorials.visits"
    label = "memorial_visits"
    verbose_name = _("预约祭扫")

    def ready(self):
        from accounts.groups import FUNERAL_SECTION, grant
        from accounts.workbench import register_panels
        from core.models import VerifiableDocument
        from core.navigation import register_account_link
        from core.verification import register_state_source
        from marketplace.catalogue.hooks import register_provider_section

        from . import permissions, services
        from .models import FestivalPeriod

        permissions.register_policies()
        register_panels(permissions.workbench_panels)
        register_account_link("memorial-visits", _("我的祭扫预约"), "memorial_visits:mine", order=30)
        register_state_source(VerifiableDocument.Kind.VISIT_PASS, services.pass_state)
        register_provider_section(
            "memorial_visits", "memorial_visits/provider_section.html", _provider_section, order=150
        )
        grant(
            FUNERAL_SECTION,
            "memorial_visits.add_festivalperiod",
            "memorial_visits.change_festivalperiod",
            "memorial_visits.view_festivalperiod",
            "memorial_visits.view_visitsession",
        )
        post_save.connect(
            _period_saved, sender=FestivalPeriod, dispatch_uid="memorial_visits.period_capacities"
        )


def _provider_section(provider, request):
    """A cemetery's or columbarium's page links to its visit sessions (no figures: the page is
    cached with the catalogue's data, and places change with every booking)."""
    from .models import VISIT_PROVIDER_TYPES

    return {"provider": provider} if provider.type in VISIT_PROVIDER_TYPES else None


def _period_saved(sender, instance, **kwargs):
    from .services import refresh_period_capacities

    refresh_period_capacities(instance)
