"""Payments in the Wagtail admin: intents (with filters), refunds, the notification log,
a manual refund that needs ``payments.refund_paymentintent`` and is audited, "查询渠道"
(``payments.query_paymentintent``) and the reconciliation runs with their reports
(``payments.add_reconciliationrun``); the pages themselves are in ``admin_views``.

Nothing here can add, edit or delete a payment record: money only moves through
``payments.services``.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import LogFormatter, log
from wagtail.permissions import register_permission_policy

from core.admin_policies import VIEW_ONLY, RefusingPolicy
from core.admin_queues import SafeExportIndexView

from .admin_views import (
    REFUND_PERMISSION,
    IntentInspectView,
    RunIndexView,
    RunInspectView,
    query_intent,
    start_reconciliation,
)
from .forms import RefundForm
from .models import NotificationEvent, PaymentIntent, ReconciliationItem, ReconciliationRun, Refund
from .services import PaymentError
from .services.refunds import create_refund, refundable_amount

for _model in (PaymentIntent, Refund, NotificationEvent, ReconciliationRun, ReconciliationItem):
    register_permission_policy(_model, RefusingPolicy(_model, VIEW_ONLY))


@hooks.register("register_log_actions")
def register_payment_log_actions(actions):
    actions.register_action("payments.intent_created", gettext_lazy("创建支付单"), gettext_lazy("创建支付单"))
    actions.register_action("payments.refund_requested", gettext_lazy("发起退款"), gettext_lazy("发起退款"))
    actions.register_action("payments.manual_refund", gettext_lazy("人工退款"), gettext_lazy("人工退款"))
    actions.register_action("payments.reconciliation_run", gettext_lazy("对账"), gettext_lazy("发起对账"))

    @actions.register_action("payments.channel_queried")
    class ChannelQueried(LogFormatter):
        label = gettext_lazy("查询渠道")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            if data.get("error"):
                return _("查询渠道失败：%(error)s") % {"error": data["error"]}
            gateway = ReconciliationItem.GATEWAY_LABELS.get(
                data.get("gateway_status"), data.get("gateway_status")
            )
            statuses = dict(PaymentIntent.Status.choices)
            text = _("查询渠道：渠道显示%(gateway)s；支付单“%(before)s”→“%(after)s”") % {
                "gateway": gateway,
                "before": statuses.get(data.get("from"), data.get("from")),
                "after": statuses.get(data.get("to"), data.get("to")),
            }
            if data.get("settled"):
                text += _("，已入账")
            return text


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
    # The platform id and the gateway's trade number, as an officer pastes them.
    search_fields = ["public_id", "provider_trade_no", "description", "idempotency_key"]
    form_fields = ["description"]
    index_view_class = SafeExportIndexView
    inspect_view_enabled = True
    inspect_view_class = IntentInspectView
    inspect_view_fields = ["public_id"]  # the page is its own template (admin/intent_inspect.html)
    copy_view_enabled = False
    list_export = [
        "public_id",
        "description",
        "amount",
        "get_status_display",
        "captured",
        "refunded",
        "provider",
        "get_channel_display",
        "provider_trade_no",
        "created_at",
        "succeeded_at",
        "refused_reason",
    ]
    export_headings = {
        "public_id": gettext_lazy("支付编号"),
        "description": gettext_lazy("说明"),
        "amount": gettext_lazy("金额"),
        "get_status_display": gettext_lazy("状态"),
        "captured": gettext_lazy("已收款"),
        "refunded": gettext_lazy("已退款"),
        "provider": gettext_lazy("支付渠道配置"),
        "get_channel_display": gettext_lazy("支付方式"),
        "provider_trade_no": gettext_lazy("渠道交易号"),
        "created_at": gettext_lazy("创建时间"),
        "succeeded_at": gettext_lazy("支付时间"),
        "refused_reason": gettext_lazy("不予收款原因"),
    }
    export_filename = "payment-intents"

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
    search_fields = ["public_id", "intent__public_id", "intent__provider_trade_no", "reason"]
    form_fields = ["reason"]
    index_view_class = SafeExportIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_export = [
        "public_id",
        "intent.public_id",
        "amount",
        "get_status_display",
        "reason",
        "created_by",
        "created_at",
    ]
    export_headings = {
        "public_id": gettext_lazy("退款编号"),
        "intent.public_id": gettext_lazy("支付编号"),
        "amount": gettext_lazy("退款金额"),
        "get_status_display": gettext_lazy("状态"),
        "reason": gettext_lazy("退款原因"),
        "created_by": gettext_lazy("发起人"),
        "created_at": gettext_lazy("创建时间"),
    }
    export_filename = "payment-refunds"


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
    search_fields = ["notification_id", "intent__public_id", "raw_body", "error"]
    form_fields = ["error"]
    index_view_class = SafeExportIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_export = [
        "notification_id",
        "provider",
        "intent_public_id",
        "received_at",
        "verified",
        "processed",
        "replay_count",
        "error",
    ]
    export_headings = {
        "notification_id": gettext_lazy("通知编号"),
        "provider": gettext_lazy("支付渠道配置"),
        "intent_public_id": gettext_lazy("支付编号"),
        "received_at": gettext_lazy("接收时间"),
        "verified": gettext_lazy("签名有效"),
        "processed": gettext_lazy("已处理"),
        "replay_count": gettext_lazy("重复送达次数"),
        "error": gettext_lazy("错误"),
    }
    export_filename = "payment-notifications"

    def get_index_view_kwargs(self, **kwargs):
        # The intent's id for the export, without a query per row (and empty when unmatched).
        return super().get_index_view_kwargs(
            queryset=NotificationEvent.objects.annotate(intent_public_id=F("intent__public_id")), **kwargs
        )


class ReconciliationRunViewSet(ModelViewSet):
    model = ReconciliationRun
    icon = "resubmit"
    menu_label = gettext_lazy("对账")
    list_display = ["__str__", "trigger", "started_by", "checked", "matched", "fixed", "attention"]
    list_filter = ["trigger", "started_at"]
    form_fields = ["older_than_minutes"]  # never used: the policy refuses add and change
    index_view_class = RunIndexView
    inspect_view_enabled = True
    inspect_view_class = RunInspectView
    copy_view_enabled = False
    add_to_reference_index = False
    list_export = [
        "started_at",
        "finished_at",
        "get_trigger_display",
        "started_by",
        "older_than_minutes",
        "checked",
        "matched",
        "fixed",
        "attention",
    ]
    export_headings = {
        "started_at": gettext_lazy("开始时间"),
        "finished_at": gettext_lazy("结束时间"),
        "get_trigger_display": gettext_lazy("发起方式"),
        "started_by": gettext_lazy("发起人"),
        "older_than_minutes": gettext_lazy("查询支付中超过（分钟）"),
        "checked": gettext_lazy("核对笔数"),
        "matched": gettext_lazy("一致"),
        "fixed": gettext_lazy("已自动处理"),
        "attention": gettext_lazy("需人工处理"),
    }
    export_filename = "reconciliation-runs"


class ReconciliationItemViewSet(ModelViewSet):
    model = ReconciliationItem
    icon = "list-ul"
    menu_label = gettext_lazy("对账明细")
    list_display = ["intent", "run", "outcome", "gateway_status", "status_after", "note"]
    list_filter = ["outcome", "run"]
    search_fields = ["intent__public_id", "intent__provider_trade_no", "note"]
    form_fields = ["note"]  # never used: the policy refuses add and change
    index_view_class = SafeExportIndexView
    inspect_view_enabled = False
    copy_view_enabled = False
    add_to_reference_index = False
    list_export = [
        "run.started_at",
        "intent.public_id",
        "intent.amount",
        "get_outcome_display",
        "get_gateway_status_display",
        "get_status_after_display",
        "note",
    ]
    export_headings = {
        "run.started_at": gettext_lazy("对账时间"),
        "intent.public_id": gettext_lazy("支付编号"),
        "intent.amount": gettext_lazy("金额"),
        "get_outcome_display": gettext_lazy("结果"),
        "get_gateway_status_display": gettext_lazy("渠道状态"),
        "get_status_after_display": gettext_lazy("对账后状态"),
        "note": gettext_lazy("说明"),
    }
    export_filename = "reconciliation-items"

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=ReconciliationItem.objects.select_related("run", "intent"), **kwargs
        )


class PaymentsGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("支付")
    menu_icon = "tasks"
    menu_order = 400
    items = (
        PaymentIntentViewSet("payment_intents"),
        RefundViewSet("payment_refunds"),
        NotificationEventViewSet("payment_notifications"),
        ReconciliationRunViewSet("payment_reconciliation", url_prefix="payments/reconciliation"),
        ReconciliationItemViewSet("payment_reconciliation_items", url_prefix="payments/reconciliation-items"),
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
    return [
        path("payments/intents/<int:pk>/refund/", manual_refund, name="payments_admin_refund"),
        path("payments/intents/<int:pk>/query/", query_intent, name="payments_admin_query"),
        path("payments/reconcile/", start_reconciliation, name="payments_admin_reconcile"),
    ]
