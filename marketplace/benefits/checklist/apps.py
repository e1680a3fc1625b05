from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitChecklistConfig(AppConfig):
    """身后一件事: one checklist per death, with the platform's own steps live and the other
    departments' steps edited in the CMS. A Django app of its own inside ``marketplace/benefits/``
    (the architecture places the checklist there); for the import layering it is part of
    ``marketplace.benefits``."""

    name = "marketplace.benefits.checklist"
    label = "benefit_checklist"
    verbose_name = _("身后一件事")

    def ready(self):
        from accounts.groups import CONTENT_EDITOR, FUNERAL_SECTION, grant
        from core.navigation import register_account_link
        from marketplace.orders.hooks import register_order_action

        from .hooks import order_action

        register_account_link("benefit-checklists", _("身后一件事"), "benefit_checklist:index", order=12)
        register_order_action(order_action)
        # The other departments' steps are CMS content: editors and the funeral section keep them.
        for group in (CONTENT_EDITOR, FUNERAL_SECTION):
            grant(
                group,
                "benefit_checklist.add_checkliststep",
                "benefit_checklist.change_checkliststep",
                "benefit_checklist.view_checkliststep",
            )
