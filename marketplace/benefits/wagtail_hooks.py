"""The bureau's side of 惠民殡葬 (B1) in the Wagtail admin, one menu group of the funeral
section (殡葬管理科):

* 惠民殡葬申请审核 — the review queue and each application's page (``admin_review``);
* 惠民殡葬政策 — the schemes (``admin_schemes``);
* 惠民殡葬支付指令 — the payment instructions, read-only, for the finance office (``admin_review``).

Applications are made by families: the bureau decides on them but never adds or deletes one.
A scheme is never deleted: applications were judged against it; it ends with an end date."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from core.admin_policies import DECIDE_ONLY, NO_DELETE, RefusingPolicy

from .admin_payments import PaymentInstructionViewSet
from .admin_review import ApplicationViewSet
from .admin_schemes import SchemeViewSet
from .models import BenefitApplication, BenefitScheme

# Before the viewsets are registered (Wagtail makes a fallback policy on first use).
register_permission_policy(BenefitApplication, RefusingPolicy(BenefitApplication, DECIDE_ONLY))
register_permission_policy(BenefitScheme, RefusingPolicy(BenefitScheme, NO_DELETE))


class BenefitsAdminGroup(ModelViewSetGroup):
    menu_label = _("惠民殡葬")
    menu_icon = "form"
    menu_order = 218
    items = (
        ApplicationViewSet("benefit_applications", url_prefix="funeral/benefits/applications"),
        SchemeViewSet("benefit_schemes", url_prefix="funeral/benefits/schemes"),
        PaymentInstructionViewSet(
            "benefit_payment_instructions", url_prefix="funeral/benefits/payment-instructions"
        ),
    )


@hooks.register("register_admin_viewset")
def register_benefits_admin():
    return BenefitsAdminGroup()
