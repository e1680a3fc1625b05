"""Payments in the Wagtail admin: intents (with filters), refunds, the notification log,
and a manual refund that needs ``payments.refund_paymentintent`` and is audited.

Nothing here can add, edit or delete a payment record: money only moves through
``payments.services``.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from core.admin_policies import VIEW_ONLY, RefusingPolicy

from .forms import RefundForm
from .models import NotificationEvent, PaymentIntent, Refund
from .services import PaymentError
from .services.refunds import create_refund, refundable_amount

REFUND_PERMISSION = "payments.refund_paymentintent"


for _model in (PaymentIntent, Refund, NotificationEvent):
    register_permission_policy(_model, RefusingPolicy(_model, VIEW_ONLY))


@hooks.register("register_log_actions")
def register_payment_log_actions(actions):
    actions.register_action("payments.intent_created", gettext_lazy("创建支付单"), gettext_lazy("创建支付单"))
    actions.register_action("payments.refund_requested", gettext_lazy("发起退款"), gettext_lazy("发起退款"))
    actions.register_action("payments.manual_refund", gettext_lazy("人工退款"), gettext_lazy("人工退款"))


class IntentInspectView(InspectView):
    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if (
            self.request.user.has_perm(REFUND_PERMISSION)
            and self.object.status == PaymentIntent.Status.SUCCEEDED
        ):
            buttons.append(
                HeaderButton(
                    _("人工退款"),
                    url=reverse("payments_admin_refund", args=[self.object.pk]),
                    icon_name="undo",
                )
            )
        return buttons


class PaymentIntentViewSet(ModelViewSet):
    model = PaymentIntent
    icon = "tasks"
    menu_label = gettext_lazy("支付单")
    list_display = [
        "public_id",
        "description",
        "amount",
        "status",
        "refund_state",
        "provider",
        "channel",
        "created_at",
    ]
    list_filter = ["status", "provider", "channel", "created_at"]
    search_fields = ["public_id", "description", "provider_trade_no", "idempotency_key"]
    form_fields = ["description"]
    inspect_view_enabled = True
    inspect_view_class = IntentInspectView
    inspect_view_fields = [
        "public_id",
        "amount",
        "currency",
        "status",
        "provider",
        "channel",
        "provider_trade_no",
        "idempotency_key",
        "description",
        "metadata",
        "expires_at",
        "content_type",
        "object_id",
        "user",
        "created_at",
        "succeeded_at",
        "refused_reason",
        "refund_state",
    ]
    copy_view_enabled = False

    def get_index_view_kwargs(self, **kwargs):
        # Balances from the ledger in the list's one query (the 退款 column).
        return super().get_index_view_kwargs(queryset=PaymentIntent.objects.with_balances(), **kwargs)

    add_to_reference_index = False


class RefundViewSet(ModelViewSet):
    model = Refund
    icon = "undo"
    menu_label = gettext_lazy("退款")
    list_display = ["public_id", "intent", "amount", "status", "reason", "created_by", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["public_id", "intent__public_id", "reason"]
    form_fields = ["reason"]
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False


class NotificationEventViewSet(ModelViewSet):
    model = NotificationEvent
    icon = "mail"
    menu_label = gettext_lazy("渠道通知日志")
    list_display = [
        "notification_id",
        "provider",
        "received_at",
        "verified",
        "processed",
        "replay_count",
        "error",
    ]
    list_filter = ["provider", "verified", "processed", "received_at"]
    search_fields = ["notification_id", "raw_body", "error"]
    form_fields = ["error"]
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False


class PaymentsGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("支付")
    menu_icon = "tasks"
    menu_order = 400
    items = (
        PaymentIntentViewSet("payment_intents"),
        RefundViewSet("payment_refunds"),
        NotificationEventViewSet("payment_notifications"),
    )


@hooks.register("register_admin_viewset")
def register_payments_viewsets():
    return PaymentsGroup()


def manual_refund(request, pk):
    """Refund part or all of a paid intent. Needs the refund permission; audited."""
    if not request.user.has_perm(REFUND_PERMISSION):
        raise PermissionDenied
    intent = get_object_or_404(PaymentIntent.objects.with_balances(), pk=pk)
    form = RefundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            refund = create_refund(
                intent, form.cleaned_data["amount"], form.cleaned_data["reason"], user=request.user
            )
        except PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            log(
                intent,
                "payments.manual_refund",
                user=request.user,
                data={"refund": refund.public_id, "amount": str(refund.amount), "reason": refund.reason},
            )
            messages.success(request, _("已退款 ¥%(amount)s。") % {"amount": refund.amount})
            return redirect("payment_intents:inspect", intent.pk)
    return TemplateResponse(
        request,
        "payments/admin/refund.html",
        {"intent": intent, "form": form, "refundable": refundable_amount(intent)},
    )


@hooks.register("register_admin_urls")
def register_refund_url():
    return [path("payments/intents/<int:pk>/refund/", manual_refund, name="payments_admin_refund")]
