from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("支付")

    def ready(self):
        from accounts.groups import BUREAU_ADMIN, FUNERAL_SECTION, grant
        from core.keys import register_key_initializer

        from . import checks  # noqa: F401 - registers payments.W001/W002
        from .keys import init_sandbox_keys

        register_key_initializer("payments-sandbox", init_sandbox_keys)
        grant(
            BUREAU_ADMIN,
            "payments.view_paymentintent",
            "payments.refund_paymentintent",
            "payments.view_notificationevent",
            "payments.view_refund",
            # Issue 23, point 4: ask the gateway about one payment, and run a reconciliation.
            "payments.query_paymentintent",
            "payments.view_reconciliationrun",
            "payments.add_reconciliationrun",
            "payments.view_reconciliationitem",
        )
        # The funeral section reads an order's payments and refunds (complaints about money).
        grant(FUNERAL_SECTION, "payments.view_paymentintent", "payments.view_refund")
