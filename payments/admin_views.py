"""The bureau's payment pages (issue 23, points 3 and 4): one page per payment, linking to
what was paid for, with its ledger, refunds, notifications and audit trail; "查询渠道"; and
the reconciliation run with its stored report."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages
from wagtail.admin.views.generic import InspectView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from core.admin_queues import SafeExportIndexView

from . import admin_payables
from .models import PaymentIntent, ReconciliationItem, ReconciliationRun
from .services.reconciliation import query_channel, run_reconciliation

REFUND_PERMISSION = "payments.refund_paymentintent"
QUERY_PERMISSION = "payments.query_paymentintent"
RECONCILE_PERMISSION = "payments.add_reconciliationrun"


class IntentInspectView(InspectView):
    template_name = "payments/admin/intent_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            PaymentIntent.objects.with_balances().select_related("user", "content_type"), pk=self.pk
        )

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        user = self.request.user
        if user.has_perm(QUERY_PERMISSION):
            buttons.append(
                HeaderButton(
                    _("查询渠道"),
                    url=reverse("payments_admin_query", args=[self.object.pk]),
                    icon_name="resubmit",
                )
            )
        if user.has_perm(REFUND_PERMISSION) and self.object.status == PaymentIntent.Status.SUCCEEDED:
            buttons.append(
                HeaderButton(
                    _("人工退款"),
                    url=reverse("payments_admin_refund", args=[self.object.pk]),
                    icon_name="undo",
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        intent = self.object
        payable = intent.payable if intent.content_type_id else None
        context.update(
            {
                "intent": intent,
                "payable": admin_payables.link_for(payable, self.request.user),
                "transactions": list(intent.transactions.select_related("refund", "notification")),
                "refunds": list(intent.refunds.select_related("created_by")),
                "notifications": list(intent.notifications.order_by("received_at", "pk")),
                "log_entries": list(
                    ModelLogEntry.objects.for_instance(intent)
                    .select_related("user")
                    .order_by("timestamp", "pk")
                ),
                "may_query": self.request.user.has_perm(QUERY_PERMISSION),
            }
        )
        return context


@require_http_methods(["GET", "POST"])
def query_intent(request, pk):
    """ "查询渠道": ask the gateway about one intent and settle it. GET asks to confirm."""
    if not request.user.has_perm(QUERY_PERMISSION):
        raise PermissionDenied
    intent = get_object_or_404(PaymentIntent, pk=pk)
    if request.method == "POST":
        answer = query_channel(intent, user=request.user)
        if answer.error:
            messages.error(request, answer.message)
        elif answer.settled or answer.status_before != answer.status_after:
            messages.success(request, answer.message)
        else:
            messages.info(request, answer.message)
        return redirect("payment_intents:inspect", intent.pk)
    return TemplateResponse(request, "payments/admin/query_confirm.html", {"intent": intent})


# --- Reconciliation --------------------------------------------------------------------------


class ReconcileForm(forms.Form):
    minutes = forms.IntegerField(
        label=gettext_lazy("只核对支付中超过多少分钟的支付单"),
        min_value=0,
        max_value=60 * 24 * 30,
        help_text=gettext_lazy("刚发起的支付通常还在等待渠道通知；定时任务使用系统设置的分钟数。"),
    )


@require_http_methods(["GET", "POST"])
def start_reconciliation(request):
    """The bureau starts a reconciliation; the report is stored and opened."""
    if not request.user.has_perm(RECONCILE_PERMISSION):
        raise PermissionDenied
    form = ReconcileForm(request.POST or None, initial={"minutes": settings.PAYMENTS_RECONCILE_AFTER_MINUTES})
    if request.method == "POST" and form.is_valid():
        run, _summary = run_reconciliation(
            older_than=timedelta(minutes=form.cleaned_data["minutes"]),
            user=request.user,
            trigger=ReconciliationRun.Trigger.ADMIN,
        )
        log(
            run,
            "payments.reconciliation_run",
            user=request.user,
            data={
                "minutes": run.older_than_minutes,
                "matched": run.matched,
                "fixed": run.fixed,
                "attention": run.attention,
            },
        )
        messages.success(
            request,
            _("对账完成：一致 %(matched)d 笔，已自动处理 %(fixed)d 笔，需人工处理 %(attention)d 笔。")
            % {"matched": run.matched, "fixed": run.fixed, "attention": run.attention},
        )
        return redirect("payment_reconciliation:inspect", run.pk)
    return TemplateResponse(request, "payments/admin/reconcile_start.html", {"form": form})


class RunIndexView(SafeExportIndexView):
    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm(RECONCILE_PERMISSION):
            buttons.append(
                HeaderButton(_("发起对账"), url=reverse("payments_admin_reconcile"), icon_name="resubmit")
            )
        return buttons


class RunInspectView(InspectView):
    template_name = "payments/admin/run_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(ReconciliationRun.objects.select_related("started_by"), pk=self.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = list(self.object.items.select_related("intent").order_by("pk"))
        groups = [
            (outcome, label, [item for item in items if item.outcome == outcome])
            for outcome, label in ReconciliationItem.Outcome.choices
        ]
        items_url = reverse("payment_reconciliation_items:index")
        context.update(
            {
                "run": self.object,
                "groups": groups,
                "items_url": f"{items_url}?run={self.object.pk}",
            }
        )
        return context
