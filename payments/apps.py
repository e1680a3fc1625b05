from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("支付")

    def ready(self):
        from accounts.groups import BUREAU_ADMIN, grant
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
        )
