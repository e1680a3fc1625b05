from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Reviews (R1) and complaints (R2) of the funeral marketplace, and the platform-wide
    投诉举报 channel that reuses the complaint workflow.

    ``catalogue`` ← ``orders`` ← ``feedback``: this app reads orders and providers; neither
    imports it. Its sections of the provider page come in through
    ``marketplace.catalogue.hooks.register_provider_section``.
    """

    name = "marketplace.feedback"
    label = "feedback"
    verbose_name = _("评价与投诉")

    def ready(self):
        # Each half wires its own signals, sections, panels and warnings.
        import_module(f"{self.name}.reviews_wiring").ready()
        import_module(f"{self.name}.complaints_wiring").ready()
