from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "marketplace.orders"
    label = "orders"
    verbose_name = _("殡葬服务订单与合同")

    def ready(self):
        from accounts.groups import FUNERAL_SECTION, grant
        from accounts.workbench import register_panels
        from core.navigation import register_account_link
        from marketplace.catalogue.hooks import register_quote_action

        from . import permissions

        permissions.register_policies()
        register_panels(permissions.workbench_panels)
        register_account_link("orders", _("我的订单"), "orders:index", order=10)
        register_quote_action(permissions.submit_quote_action)

        from payments.signals import payment_succeeded, refund_succeeded

        from .paying import on_payment_succeeded, on_refund_succeeded

        payment_succeeded.connect(on_payment_succeeded, dispatch_uid="orders.payment_succeeded")
        from payments import payables

        from .models import Order
        from .paying import payment_refusal

        payables.register(Order, payment_refusal)
        refund_succeeded.connect(on_refund_succeeded, dispatch_uid="orders.refund_succeeded")
        from core.statemachine import transitioned

        from .notifications import on_transition

        transitioned.connect(on_transition, dispatch_uid="orders.status_sms")
        grant(
            FUNERAL_SECTION,
            "orders.add_contracttemplate",
            "orders.change_contracttemplate",
            "orders.view_contracttemplate",
            "orders.publish_contracttemplate",
            "orders.view_order",
        )
