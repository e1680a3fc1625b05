"""The funeral section's order page in the admin (issue 23, point 3): one page per order with the
parties, the deceased (masked ID only), the sealed contract (served after re-checking its stored
hash), the lines, the change orders, payments and refunds (linking to their payment pages), the
certificates and the whole audit timeline in Beijing time; search by order number, contract
number, the deceased's name and the family's mobile number."""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from wagtail.admin.views.generic import InspectView
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import ModelLogEntry
from wagtail.snippets.views.snippets import UnpublishView as SnippetUnpublishView

from accounts.validators import normalize_mobile
from core.admin_queues import SafeExportIndexView
from core.statemachine import TRANSITION_ACTION
from core.verification import serve_verified
from payments.models import PaymentIntent, Refund

from .models import Certificate, ChangeOrder, Contract, ContractTemplate, Order, OrderLine
from .services.history import balance_due, describe, paid_total

VIEW_PERMISSION = "orders.view_order"
_MOBILE_LIKE = re.compile(r"^[\s\-+()（）0-9０-９＋]{7,}$")


# --- The register's listing -------------------------------------------------------------------


class OrderIndexView(SafeExportIndexView):
    """Searches the order number, contract number, the deceased's and the contact's names,
    the provider, and the family's mobile (on the order and on the account), a number typed
    with spaces, dashes or +86 included."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        condition = Q()
        for field in self.search_fields or []:
            condition |= Q(**{f"{field}__icontains": query})
        if _MOBILE_LIKE.match(query):
            mobile = normalize_mobile(query)
            if mobile:
                condition |= Q(contact_mobile=mobile) | Q(user__mobile=mobile)
        return queryset.filter(condition)


# --- One page per order -------------------------------------------------------------------------


def _choice_label(model, field_name, value):
    try:
        choices = dict(model._meta.get_field(field_name).flatchoices)
    except Exception:
        return value
    return str(choices.get(value, value))


def _timeline_text(entry, model):
    if model is Order:
        return describe(entry)
    data = entry.data or {}
    if entry.action == TRANSITION_ACTION:
        field = data.get("field") or "status"
        return _("状态：%(from)s → %(to)s") % {
            "from": _choice_label(model, field, data.get("from")),
            "to": _choice_label(model, field, data.get("to")),
        }
    return str(entry.message)


def order_timeline(order, contract, changes, certificates, intents, refunds):
    """Every audit entry of the order and of what belongs to it, oldest first (one query)."""
    subjects = [(Order, [order.pk])]
    if contract is not None:
        subjects.append((Contract, [contract.pk]))
    subjects += [
        (ChangeOrder, [change.pk for change in changes]),
        (Certificate, [certificate.pk for certificate in certificates]),
        (PaymentIntent, [intent.pk for intent in intents]),
        (Refund, [refund.pk for refund in refunds]),
    ]
    condition = Q()
    models_by_type = {}
    for model, pks in subjects:
        if not pks:
            continue
        content_type = ContentType.objects.get_for_model(model)
        models_by_type[content_type.pk] = model
        condition |= Q(content_type=content_type, object_id__in=[str(pk) for pk in pks])
    names = {(Order, order.pk): _("订单")}
    if contract is not None:
        names[(Contract, contract.pk)] = _("合同 %(number)s") % {"number": contract.number}
    for change in changes:
        names[(ChangeOrder, change.pk)] = _("变更单 %(number)s") % {"number": change.display_number}
    for certificate in certificates:
        names[(Certificate, certificate.pk)] = f"{certificate.get_kind_display()} {certificate.number}"
    for intent in intents:
        names[(PaymentIntent, intent.pk)] = _("支付单 %(id)s") % {"id": intent.public_id}
    for refund in refunds:
        names[(Refund, refund.pk)] = _("退款 %(id)s") % {"id": refund.public_id}
    entries = ModelLogEntry.objects.filter(condition).select_related("user").order_by("timestamp", "pk")
    rows = []
    for entry in entries:
        model = models_by_type.get(entry.content_type_id)
        pk = int(entry.object_id) if entry.object_id.isdigit() else entry.object_id
        data = entry.data or {}
        rows.append(
            {
                "timestamp": entry.timestamp,
                "subject": names.get((model, pk), ""),
                "label": _action_label(entry),
                "text": _timeline_text(entry, model),
                "reason": data.get("reason", "") if entry.action == TRANSITION_ACTION else "",
                "user": entry.user_display_name if entry.user_id else _("系统"),
            }
        )
    return rows


def _action_label(entry):
    """The entry's action in words. ``get_formatter`` reads the registered actions first (the
    registry's ``get_action_label`` does not, so the first order page a process served failed);
    an action no app registers any more shows its code."""
    formatter = log_action_registry.get_formatter(entry)
    return formatter.label if formatter is not None else entry.action


def _line_groups(order, lines, changes):
    """The lines by stage: the order as placed, the contract, then each change order."""
    groups = []
    by_stage = {}
    for line in lines:
        by_stage.setdefault((line.stage, line.change_order_id), []).append(line)
    if by_stage.get((OrderLine.Stage.ORDER, None)):
        groups.append((_("下单时"), by_stage[(OrderLine.Stage.ORDER, None)]))
    if by_stage.get((OrderLine.Stage.CONTRACT, None)):
        groups.append((_("合同"), by_stage[(OrderLine.Stage.CONTRACT, None)]))
    for change in changes:
        if by_stage.get((OrderLine.Stage.CHANGE, change.pk)):
            title = _("变更单 %(number)s（%(status)s）") % {
                "number": change.display_number,
                "status": change.get_status_display(),
            }
            groups.append((title, by_stage[(OrderLine.Stage.CHANGE, change.pk)]))
    return groups


class OrderInspectView(InspectView):
    template_name = "orders/admin/order_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Order.objects.select_related("provider", "user", "quote", "confirmed_by"), pk=self.pk
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        contract = (
            Contract.objects.filter(order=order)
            .select_related("sealed_document", "template", "issued_by")
            .first()
        )
        changes = list(order.change_orders.select_related("proposed_by").order_by("number"))
        lines = list(order.lines.all())
        certificates = list(order.certificates.select_related("document"))
        intents = list(
            PaymentIntent.objects.with_balances()
            .filter(content_type=ContentType.objects.get_for_model(Order), object_id=str(order.pk))
            .order_by("created_at", "pk")
        )
        refunds = list(Refund.objects.filter(intent__in=[i.pk for i in intents]).order_by("created_at", "pk"))
        intent_by_public_id = {intent.public_id: intent for intent in intents}
        refund_by_public_id = {refund.public_id: refund for refund in refunds}
        ledger = [
            {
                "row": payment,
                "intent": intent_by_public_id.get(payment.reference),
                "refund": refund_by_public_id.get(payment.reference),
            }
            for payment in order.payments.all()
        ]
        context.update(
            {
                "order": order,
                "contract": contract,
                "changes": changes,
                "line_groups": _line_groups(order, lines, changes),
                "certificates": certificates,
                "intents": intents,
                "refunds": refunds,
                "ledger": ledger,
                "paid_total": paid_total(order),
                "balance_due": balance_due(order),
                "timeline": order_timeline(order, contract, changes, certificates, intents, refunds),
            }
        )
        return context


@require_GET
def sealed_contract(request, pk):
    """The sealed contract PDF for the bureau, served only if its bytes still match the hash
    recorded when it was sealed (a mismatch is recorded and answered with an explanation)."""
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    contract = Contract.objects.filter(order_id=pk).select_related("sealed_document").first()
    if contract is None or not contract.is_sealed:
        raise Http404
    return serve_verified(request, contract.sealed_document, f"{contract.number}.pdf")


# --- Contract templates: unpublishing the only live one is confirmed with what it means ----------------


class ContractTemplateUnpublishView(SnippetUnpublishView):
    template_name = "orders/admin/contract_template_unpublish.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        others = ContractTemplate.objects.filter(live=True).exclude(pk=self.object.pk)
        context["only_live"] = self.object.live and not others.exists()
        return context
