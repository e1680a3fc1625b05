from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderSlotsConfig(AppConfig):
    """Bookable service slots at funeral homes (F11): farewell halls, cremation lines and
    vehicles with their opening hours, published a month at a time; a family's hold while the
    order is placed, and the booking the provider confirms. Never double-booked: the database's
    constraints are the final word.

    A Django app of its own inside ``marketplace/orders/`` (issue 20 places slots there) so that
    its tables and migrations stay apart from the orders'; for the import layering it is part of
    ``marketplace.orders``.
    """

    name = "marketplace.orders.slots"
    label = "order_slots"
    verbose_name = _("服务档期")

    def ready(self):
        from accounts.groups import FUNERAL_SECTION, grant
        from accounts.workbench import register_panels
        from core.statemachine import transitioned

        from . import permissions, services

        permissions.register_policies()
        register_panels(permissions.workbench_panels)
        # The bureau's load per funeral home (admin_load.VIEW).
        grant(FUNERAL_SECTION, "order_slots.view_slot")
        # A move at another price completes (or is released) with its change order (F9).
        transitioned.connect(services.on_change_transition, dispatch_uid="order_slots.priced_move")
