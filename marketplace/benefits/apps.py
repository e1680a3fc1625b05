from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    """惠民殡葬 benefit schemes (B1): the bureau's waiver and subsidy schemes with structured
    eligibility, the families' applications, the bureau's review within a working-day deadline,
    the sealed decision letter, and the waiver reaching the bill or a refund exactly once."""

    name = "marketplace.benefits"
    label = "benefits"
    verbose_name = _("惠民殡葬")

    def ready(self):
        from accounts import groups
        from core.models import VerifiableDocument
        from core.navigation import register_account_link
        from core.statemachine import transitioned
        from core.verification import register_state_source

        from . import hooks, letters, notifications, waivers, warnings

        groups.grant(
            groups.FUNERAL_SECTION,
            "benefits.view_benefitapplication",
            "benefits.change_benefitapplication",
            "benefits.view_benefitscheme",
            "benefits.add_benefitscheme",
            "benefits.change_benefitscheme",
        )
        warnings.register()
        hooks.register()  # the family's order page offers to apply
        register_account_link("benefit-applications", _("惠民殡葬申请"), "benefits:index", order=11)
        register_state_source(VerifiableDocument.Kind.BENEFIT_DECISION, letters.letter_state)
        transitioned.connect(notifications.on_transition, dispatch_uid="benefits.application_sms")
        transitioned.connect(waivers.on_transition, dispatch_uid="benefits.waiver_follows_order")
