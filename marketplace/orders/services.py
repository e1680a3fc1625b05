"""Domain operations of orders and contracts. Views call these; nothing here reads a request.

Rules: F4 (only posted, active items at the price in effect), F7 (exemptions as discount
lines citing the policy), F8 (the provider's posted terms go into the contract), F9 (the
itemised statement at quote, contract and final bill; changes only through change orders
both sides sign) and M2 (sealed e-certificates at completion).

The payments integration calls :func:`mark_paid` and :func:`mark_refunded`.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail.log_actions import log

from accounts.otp import OtpError, check_code, send_code
from core.models import VerifiableDocument
from core.statemachine import TRANSITION_ACTION, IllegalTransition, transition
from core.verification import issue_document
from marketplace.catalogue.models import ProviderMembership
from marketplace.catalogue.services import compute_statement, money

from . import identity, pdfs
from .models import (
    Certificate,
    ChangeOrder,
    ChangeStatus,
    Contract,
    ContractStatus,
    ContractTemplate,
    Order,
    OrderLine,
    OrderPayment,
    OrderStatus,
    Signature,
)
from .pdfs import in_platform_language

ZERO = Decimal("0.00")
ACTION_SUBMITTED = "orders.submitted"
ACTION_SIGNED = "orders.signed"
ACTION_SEALED = "orders.sealed"
ACTION_CHANGE_PROPOSED = "orders.change_proposed"
ACTION_PAYMENT = "orders.payment"
ACTION_CERTIFICATE = "orders.certificate"

__all__ = [
    "IllegalTransition",
    "PricesChanged",
    "submit_order",
    "confirm_order",
    "issue_contract",
    "send_signing_code",
    "sign",
    "start_service",
    "complete_order",
    "cancel_order",
    "propose_change",
    "decline_change",
    "withdraw_change",
    "mark_paid",
    "mark_refunded",
    "balance_due",
    "comparison",
]


def _who(user):
    return user if user is not None and user.is_authenticated else None


# --- Who sees what ------------------------------------------------------------------------------


def member_provider_ids(user):
    if not (user and user.is_authenticated):
        return set()
    return set(ProviderMembership.objects.filter(user=user).values_list("provider_id", flat=True))


def family_orders(user):
    return Order.objects.filter(user=user)


def provider_orders(user):
    return Order.objects.filter(provider_id__in=member_provider_ids(user))


def is_provider_member(user, order):
    return order.provider_id in member_provider_ids(user)


def signer_name(user):
    return (user.real_name or user.get_full_name() or "").strip()


# --- Lines and totals (F4, F7, F9) ----------------------------------------------------------------


@dataclass
class Line:
    """An unsaved line: an item at a price version, or a discount line citing a policy."""

    kind: str
    item: object
    price_version_id: int
    name: str
    category_name: str
    unit: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    policy_reference: str = ""

    @property
    def is_discount(self):
        return self.kind == OrderLine.Kind.DISCOUNT

    @property
    def item_id(self):
        return self.item.pk


def lines_from_statement(statement, *, sign=1):
    """Item lines at the posted price; F7 exemptions as separate discount lines citing the policy."""
    lines = []
    for row in statement.lines:
        item = row.item
        quantity = row.quantity * sign
        unit_price = money(row.unit_price)
        amount = money(unit_price * quantity)
        lines.append(
            Line(
                OrderLine.Kind.ITEM,
                item,
                row.version_id,
                item.name,
                item.category.name,
                item.unit,
                quantity,
                unit_price,
                amount,
            )
        )
        if row.f7_free:
            lines.append(
                Line(
                    OrderLine.Kind.DISCOUNT,
                    item,
                    row.version_id,
                    _("政策减免：%(item)s") % {"item": item.name},
                    item.category.name,
                    item.unit,
                    quantity,
                    -unit_price,
                    -amount,
                    settings.F7_POLICY_REFERENCE,
                )
            )
    return lines


def lines_from_records(records):
    return [
        Line(
            r.kind,
            r.item,
            r.price_version_id,
            r.name,
            r.category_name,
            r.unit,
            r.quantity,
            r.unit_price,
            r.amount,
            r.policy_reference,
        )
        for r in records
    ]


@dataclass
class Totals:
    subtotal: Decimal
    exempted: Decimal
    total: Decimal


def totals(lines):
    subtotal = money(sum((line.amount for line in lines if not line.is_discount), ZERO))
    exempted = money(-sum((line.amount for line in lines if line.is_discount), ZERO))
    return Totals(subtotal, exempted, money(subtotal - exempted))


def _save_lines(order, stage, lines, change_order=None):
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            stage=stage,
            change_order=change_order,
            kind=line.kind,
            item=line.item,
            price_version_id=line.price_version_id,
            name=line.name,
            category_name=line.category_name,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            policy_reference=line.policy_reference,
            sort_order=index,
        )
        for index, line in enumerate(lines)
    )


def check_expected_prices(statement, expected):
    """F4: refuse when a price sent with the page is not the posted price in effect for that line
    (the forms already refuse prices for items that are not on the page)."""
    if not expected:
        return
    posted = {row.item.pk: money(row.unit_price) for row in statement.lines}
    wrong = [
        posted_item
        for item_id, price in expected.items()
        if (posted_item := posted.get(int(item_id))) is not None and money(price) != posted_item
    ]
    if wrong:
        raise ValidationError(
            _("提交的价格与公示价格不一致（F4：只能按公示价格收费），请刷新页面按现行公示价格重新提交。"),
            code="f4_price",
        )


def quote_lines(quote):
    """The saved quote in the same line form (F7 exemptions as discount lines)."""
    lines = []
    for q in quote.lines.select_related("item__category"):
        item = q.item
        lines.append(
            Line(
                OrderLine.Kind.ITEM,
                item,
                q.price_version_id,
                item.name,
                item.category.name,
                item.unit,
                q.quantity,
                q.unit_price,
                q.amount,
            )
        )
        if q.f7_free:
            lines.append(
                Line(
                    OrderLine.Kind.DISCOUNT,
                    item,
                    q.price_version_id,
                    _("政策减免：%(item)s") % {"item": item.name},
                    item.category.name,
                    item.unit,
                    q.quantity,
                    -q.unit_price,
                    -q.amount,
                    quote.policy_reference or settings.F7_POLICY_REFERENCE,
                )
            )
    return lines


def statement_for(provider, quantities, order_like, day=None):
    """F4: recompute lines from item quantities at the price in effect (raises ValidationError)."""
    return compute_statement(
        provider,
        quantities,
        burial_choice=order_like.burial_choice,
        beijing_resident=order_like.beijing_resident,
        day=day,
    )


# --- Submitting an order ------------------------------------------------------------------------------


class PricesChanged(ValidationError):
    """The quote's prices are no longer the prices in effect; the family must accept the new ones."""

    def __init__(self, changes):
        self.changes = changes
        super().__init__(
            _("报价后部分项目的公示价格已调整，请核对新价格并勾选确认后再提交。"), code="prices_changed"
        )


@dataclass
class PriceChange:
    name: str
    quoted: Decimal | None
    now: Decimal | None


def price_changes(quote, statement):
    quoted = {line.item_id: line for line in quote.lines.all()}
    now = {row.item.pk: row for row in statement.lines}
    return [
        PriceChange(now[item_id].item.name, money(quoted[item_id].unit_price), money(now[item_id].unit_price))
        for item_id in quoted
        if item_id in now
        and (
            quoted[item_id].unit_price != now[item_id].unit_price
            or quoted[item_id].price_version_id != now[item_id].version_id
        )
    ]


def preview_from_quote(quote):
    """The statement at today's prices for a quote, and how it differs from the quote."""
    statement = compute_statement(
        quote.provider,
        {line.item_id: line.quantity for line in quote.lines.all()},
        burial_choice=quote.burial_choice,
        beijing_resident=quote.beijing_resident,
    )
    return statement, price_changes(quote, statement)


def open_order_for(quote):
    """The order a quote already became (a cancelled or refunded one does not count)."""
    return quote.orders.exclude(status__in=(OrderStatus.CANCELLED, OrderStatus.REFUNDED)).first()


@transaction.atomic
def submit_order(user, quote, *, details, accept_price_changes=False):
    """Turn a family's saved quote into an order at the prices in effect today (F4, F7, F9).

    ``details`` holds the deceased's details, the contact and the wanted date and time;
    ``details["deceased_id"]`` is the full identity number, kept only masked and as a digest."""
    if quote.user_id != user.pk:
        raise ValidationError(_("只能用自己的报价单下单。"))
    if not quote.provider.is_published:
        raise ValidationError(_("该机构目前不接受网上下单。"))
    existing = open_order_for(quote)
    if existing is not None:
        raise ValidationError(_("该报价单已提交为订单 %(ref)s。") % {"ref": existing.reference})
    statement, changes = preview_from_quote(quote)
    if not statement.lines:
        raise ValidationError(_("报价单中没有项目。"))
    if changes and not accept_price_changes:
        raise PricesChanged(changes)
    number = identity.validate_resident_id(details["deceased_id"])
    lines = lines_from_statement(statement)
    sums = totals(lines)
    order = Order.objects.create(
        user=user,
        provider=quote.provider,
        quote=quote,
        burial_choice=quote.burial_choice,
        beijing_resident=quote.beijing_resident,
        deceased_name=details["deceased_name"].strip(),
        deceased_gender=details["deceased_gender"],
        deceased_age=details["deceased_age"],
        date_of_death=details["date_of_death"],
        deceased_id_masked=identity.mask(number),
        deceased_id_hmac=identity.digest(number),
        contact_name=details["contact_name"].strip(),
        contact_relation=details["contact_relation"].strip(),
        contact_mobile=user.mobile,
        requested_date=details["requested_date"],
        requested_time=details["requested_time"],
        family_note=details.get("family_note", ""),
        subtotal=sums.subtotal,
        exempted=sums.exempted,
        total=sums.total,
    )
    _save_lines(order, OrderLine.Stage.ORDER, lines)
    log(order, ACTION_SUBMITTED, user=_who(user), data={"quote": quote.reference, "total": str(sums.total)})
    return order


# --- Provider steps -----------------------------------------------------------------------------------


def _lock(order):
    return Order.objects.select_for_update().get(pk=order.pk)


@transaction.atomic
def confirm_order(order, user, *, service_date, service_time, hall, note=""):
    order = _lock(order)
    order.service_date = service_date
    order.service_time = service_time
    order.hall = hall.strip()
    order.provider_note = note
    order.confirmed_at = timezone.now()
    order.confirmed_by = user
    reason = _("服务时间 %(date)s %(time)s，礼厅：%(hall)s") % {
        "date": service_date.isoformat(),
        "time": service_time.strftime("%H:%M"),
        "hall": order.hall or "—",
    }
    return transition(
        order,
        OrderStatus.CONFIRMED,
        user=user,
        reason=reason,
        save_fields=("service_date", "service_time", "hall", "provider_note", "confirmed_at", "confirmed_by"),
    )


def published_templates():
    return ContractTemplate.objects.filter(live=True, live_revision__isnull=False).order_by("title")


def order_quantities(order, stage=OrderLine.Stage.ORDER):
    return {
        line.item_id: line.quantity
        for line in order.lines.all()
        if line.stage == stage and line.kind == OrderLine.Kind.ITEM
    }


@transaction.atomic
def issue_contract(order, user, template):
    """Issue the contract from a published template revision, at the prices in effect today (F4)."""
    order = _lock(order)
    if order.status != OrderStatus.CONFIRMED:
        raise IllegalTransition(order, order.status, OrderStatus.CONTRACT_ISSUED)
    template = (
        ContractTemplate.objects.filter(pk=template.pk, live=True).select_related("live_revision").first()
    )
    if template is None or template.live_revision is None:
        raise ValidationError(_("只能使用民政局已发布的合同模板。"))
    revision = template.live_revision
    statement = statement_for(order.provider, order_quantities(order), order)
    lines = lines_from_statement(statement)
    sums = totals(lines)
    contract = Contract(
        order=order,
        number=f"HT{order.reference}",
        template=template,
        template_revision=revision,
        subtotal=sums.subtotal,
        exempted=sums.exempted,
        total=sums.total,
        deposit_percent=order.provider.deposit_percent,
        refund_schedule=[[int(days), str(ratio)] for days, ratio in settings.F8_CANCELLATION_REFUND_SCHEDULE],
        issued_at=timezone.now(),
        issued_by=user,
    )
    pdf = pdfs.contract_pdf(contract, revision.as_object(), lines, signatures=[])
    contract.draft_sha256 = pdfs.sha256(pdf)
    contract.draft_file.save(f"{contract.number}-draft.pdf", pdfs.content_file(pdf), save=False)
    contract.save()
    _save_lines(order, OrderLine.Stage.CONTRACT, lines)
    order.subtotal, order.exempted, order.total = sums.subtotal, sums.exempted, sums.total
    return transition(
        order,
        OrderStatus.CONTRACT_ISSUED,
        user=user,
        reason=_("合同 %(number)s（模板：%(template)s，版本 %(rev)s）")
        % {"number": contract.number, "template": template.title, "rev": revision.pk},
        save_fields=("subtotal", "exempted", "total"),
    )


@transaction.atomic
def start_service(order, user):
    order = _lock(order)
    return transition(order, OrderStatus.IN_SERVICE, user=user, reason=_("开始服务"))


def certificate_kind(provider):
    return settings.M2_CERTIFICATE_KINDS.get(provider.type)


def complete_order(order, user, *, event_date=None, place="", base_url=""):
    """Complete the order; a funeral home issues a cremation certificate, a cemetery a burial certificate (M2)."""
    with transaction.atomic():
        order = _lock(order)
        if order.status != OrderStatus.IN_SERVICE:
            raise IllegalTransition(order, order.status, OrderStatus.COMPLETED)
        if order.change_orders.filter(status__in=ChangeOrder.OPEN).exists():
            raise ValidationError(_("还有未签署完毕的变更单，请先完成签署或撤回。"))
        kind = certificate_kind(order.provider)
        certificate = None
        if kind:
            if event_date is None or not place.strip():
                raise ValidationError(_("请填写火化或安葬日期和地点，以出具电子证明。"))
            if event_date > timezone.localdate():
                raise ValidationError(_("火化或安葬日期不能晚于今天。"))
            certificate = _issue_certificate(order, user, kind, event_date, place.strip(), base_url)
        order.completed_at = timezone.now()
        transition(
            order, OrderStatus.COMPLETED, user=user, reason=_("服务完成"), save_fields=("completed_at",)
        )
    return order, certificate


@in_platform_language
def _issue_certificate(order, user, kind, event_date, place, base_url):
    prefix = "HZ" if kind == VerifiableDocument.Kind.CREMATION_CERTIFICATE else "AZ"
    number = f"{prefix}{order.reference}"
    issued_at = timezone.now()
    label = dict(Certificate.KINDS)[kind]
    document = issue_document(
        source=order,
        kind=kind,
        title=f"{label} {number}",
        issuer_name=order.provider.name,
        holder_name=order.deceased_name,
        render=lambda code, url: pdfs.certificate_pdf(
            order,
            kind=kind,
            label=label,
            number=number,
            event_date=event_date,
            place=place,
            issued_at=issued_at,
            code=code,
            url=url,
        ),
        reason=str(label),
        base_url=base_url or settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
    )
    certificate = Certificate.objects.create(
        order=order,
        kind=kind,
        number=number,
        event_date=event_date,
        place=place,
        issued_at=issued_at,
        issued_by=user,
        document=document,
    )
    log(order, ACTION_CERTIFICATE, user=_who(user), data={"number": number, "code": document.code})
    return certificate


@transaction.atomic
def cancel_order(order, user, *, reason):
    """Cancel by the family or the provider (F8 cancellation terms apply); unsigned documents are void,
    a sealed contract is marked revoked on the verification page."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因。")})
    order = _lock(order)
    order.cancel_reason = reason[:300]
    transition(order, OrderStatus.CANCELLED, user=user, reason=reason, save_fields=("cancel_reason",))
    contract = Contract.objects.filter(order=order).first()
    if contract is not None:
        if contract.status in (ContractStatus.ISSUED, ContractStatus.FAMILY_SIGNED):
            transition(contract, ContractStatus.VOID, user=user, reason=reason)
        elif contract.sealed_document_id:
            _revoke(contract.sealed_document, _("订单已取消：%(reason)s") % {"reason": reason})
    for change in order.change_orders.filter(status__in=ChangeOrder.OPEN):
        transition(change, ChangeStatus.WITHDRAWN, user=user, reason=reason)
    for change in order.change_orders.filter(sealed_document__isnull=False).select_related("sealed_document"):
        _revoke(change.sealed_document, _("订单已取消：%(reason)s") % {"reason": reason})
    return order


def _revoke(document, reason):
    document.status = VerifiableDocument.Status.REVOKED
    document.status_reason = reason[:200]
    document.save()


# --- Signing (contracts and change orders) -------------------------------------------------------------


SIGNED_MEANWHILE = _lazy("该文书已被签署或状态已变化（可能是他人刚刚签署或订单已取消），请刷新页面查看。")


def code_purpose(document, role):
    kind = "contract" if isinstance(document, Contract) else "change"
    return f"{kind}:{document.pk}:{role}"


def expected_status(document, role):
    if isinstance(document, Contract):
        return ContractStatus.ISSUED if role == Signature.Role.FAMILY else ContractStatus.FAMILY_SIGNED
    return ChangeStatus.PROPOSED if role == Signature.Role.FAMILY else ChangeStatus.FAMILY_SIGNED


def may_sign(document, user, role):
    order = document.order
    if document.status != expected_status(document, role):
        return False
    if role == Signature.Role.FAMILY:
        return order.user_id == user.pk
    return is_provider_member(user, order)


def send_signing_code(document, user, role):
    if not may_sign(document, user, role):
        raise ValidationError(_("当前无需您签署该文书。"))
    action = _("签署%(what)s %(number)s") % {
        "what": _("殡葬服务合同") if isinstance(document, Contract) else _("合同变更单"),
        "number": document.number if isinstance(document, Contract) else document.display_number,
    }
    return send_code(user, code_purpose(document, role), action)


def sign(
    document,
    user,
    role,
    *,
    full_name,
    consent,
    code,
    shown_sha256,
    ip_address=None,
    user_agent="",
    base_url="",
):
    """Sign a contract or change order after re-confirming with a one-time code.

    The typed name must match (the order's contact for the family; the staff member's
    real name for the provider), consent must be given, and ``shown_sha256`` must be the
    SHA-256 of the exact PDF bytes on record. After the provider's countersignature the
    final PDF with both signature records is sealed (PAdES) and registered for /verify/.
    Raises ValidationError (dict by field) or accounts.otp.OtpError."""
    if not may_sign(document, user, role):
        raise ValidationError(_("当前无需您签署该文书。"))
    expected_name = document.order.contact_name if role == Signature.Role.FAMILY else signer_name(user)
    errors = {}
    if not expected_name:
        errors["full_name"] = _("您的账户没有登记真实姓名，无法签署。请联系机构管理员。")
    elif (full_name or "").strip() != expected_name:
        errors["full_name"] = _("签署人姓名与登记的姓名不一致。")
    if not consent:
        errors["consent"] = _("请阅读合同全文并勾选同意后再签署。")
    if shown_sha256 != document.draft_sha256:
        errors["__all__"] = _("文书内容与您查看的版本不一致，请重新打开文书核对后再签署。")
    if errors:
        raise ValidationError(errors)
    # Outside the transaction below, so a wrong code's attempt count is never rolled back.
    try:
        otp = check_code(user, code_purpose(document, role), code)
    except OtpError:
        # The same signer pressing "sign" twice at once: the first press used the code. Wait
        # for it (the order lock) and say what happened rather than "get a code first".
        with transaction.atomic():
            _lock(document.order)
            if not may_sign(type(document).objects.get(pk=document.pk), user, role):
                raise ValidationError(SIGNED_MEANWHILE) from None
        raise
    with transaction.atomic():
        # The order row first, then the document: cancel_order takes them in this order too, so
        # a signature and a cancellation queue up instead of deadlocking. State is re-checked
        # after the locks; whoever comes second gets a clear message and keeps their input.
        _lock(document.order)
        document = type(document).objects.select_for_update().get(pk=document.pk)
        if not may_sign(document, user, role):
            raise ValidationError(SIGNED_MEANWHILE)
        link = {"contract": document} if isinstance(document, Contract) else {"change_order": document}
        signature = Signature.objects.create(
            **link,
            role=role,
            user=user,
            full_name=expected_name,
            signed_at=timezone.now(),
            ip_address=ip_address or None,
            user_agent=(user_agent or "")[:400],
            document_sha256=document.draft_sha256,
            one_time_code=otp,
        )
        log(
            document.order,
            ACTION_SIGNED,
            user=user,
            data={"document": str(document), "role": role, "sha256": document.draft_sha256},
        )
        if isinstance(document, Contract):
            _after_contract_signature(document, user, role, base_url)
        else:
            _after_change_signature(document, user, role, base_url)
    return signature


@in_platform_language
def _after_contract_signature(contract, user, role, base_url):
    order = _lock(contract.order)
    if role == Signature.Role.FAMILY:
        transition(contract, ContractStatus.FAMILY_SIGNED, user=user, reason=_("家属签署"))
        transition(
            order,
            OrderStatus.FAMILY_SIGNED,
            user=user,
            reason=_("家属签署合同 %(n)s") % {"n": contract.number},
        )
        return
    revision = contract.template_revision
    lines = lines_from_records(order.lines.filter(stage=OrderLine.Stage.CONTRACT).select_related("item"))
    signatures = list(contract.signatures.order_by("signed_at"))
    document = issue_document(
        source=contract,
        kind=VerifiableDocument.Kind.CONTRACT,
        title=_("殡葬服务合同 %(n)s") % {"n": contract.number},
        issuer_name=order.provider.name,
        holder_name=order.contact_name,
        render=lambda code, url: pdfs.contract_pdf(
            contract, revision.as_object(), lines, signatures=signatures, code=code, url=url
        ),
        reason=_("殡葬服务合同（双方已签署）"),
        base_url=base_url or settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
    )
    contract.sealed_document = document
    contract.sealed_sha256 = document.sha256
    contract.sealed_at = document.issued_at
    transition(
        contract,
        ContractStatus.SEALED,
        user=user,
        reason=_("机构会签，平台加盖电子印章"),
        save_fields=("sealed_document", "sealed_sha256", "sealed_at"),
    )
    log(order, ACTION_SEALED, user=user, data={"code": document.code, "sha256": document.sha256})
    transition(
        order, OrderStatus.COUNTERSIGNED, user=user, reason=_("机构会签合同 %(n)s") % {"n": contract.number}
    )
    if balance_due(order) <= ZERO:
        transition(order, OrderStatus.PAID, user=user, reason=_("应付金额为零，无需支付"))


@in_platform_language
def _after_change_signature(change, user, role, base_url):
    order = _lock(change.order)
    if role == Signature.Role.FAMILY:
        transition(change, ChangeStatus.FAMILY_SIGNED, user=user, reason=_("家属签署"))
        return
    lines = lines_from_records(change.lines.select_related("item"))
    signatures = list(change.signatures.order_by("signed_at"))
    document = issue_document(
        source=change,
        kind=VerifiableDocument.Kind.CHANGE_ORDER,
        title=_("合同变更单 %(n)s") % {"n": change.display_number},
        issuer_name=order.provider.name,
        holder_name=order.contact_name,
        render=lambda code, url: pdfs.change_order_pdf(
            change, lines, signatures=signatures, code=code, url=url
        ),
        reason=_("合同变更单（双方已签署）"),
        base_url=base_url or settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
    )
    change.sealed_document = document
    change.sealed_sha256 = document.sha256
    change.sealed_at = document.issued_at
    transition(
        change,
        ChangeStatus.SIGNED,
        user=user,
        reason=_("机构会签，平台加盖电子印章"),
        save_fields=("sealed_document", "sealed_sha256", "sealed_at"),
    )
    sums = totals(bill_lines(order))
    order.subtotal, order.exempted, order.total = sums.subtotal, sums.exempted, sums.total
    order.save(update_fields=["subtotal", "exempted", "total"])
    log(
        order,
        ACTION_SEALED,
        user=user,
        data={"code": document.code, "change": change.number, "total": str(sums.total)},
    )


# --- Change orders (F9) ---------------------------------------------------------------------------------


def bill_lines(order):
    """The final bill: the contract lines plus the lines of every signed change order (F9)."""
    records = order.lines.filter(stage=OrderLine.Stage.CONTRACT) | order.lines.filter(
        stage=OrderLine.Stage.CHANGE, change_order__status=ChangeStatus.SIGNED
    )
    return lines_from_records(
        records.select_related("item").order_by("stage", "change_order__number", "sort_order", "id")
    )


def removal_lines(order, removals):
    """Lines that take items off the bill at the price they were billed at (and reverse their F7 discount)."""
    current = bill_lines(order)
    result, errors = [], []
    for item_id, wanted in removals.items():
        held = [line for line in current if line.item_id == item_id and not line.is_discount]
        available = sum(line.quantity for line in held)
        if wanted > available:
            name = held[0].name if held else str(item_id)
            errors.append(_("“%(name)s”最多可减少 %(n)s。") % {"name": name, "n": available})
            continue
        remaining = wanted
        for line in reversed(held):
            if remaining <= 0 or line.quantity <= 0:
                continue
            take = min(line.quantity, remaining)
            remaining -= take
            result.append(
                Line(
                    OrderLine.Kind.ITEM,
                    line.item,
                    line.price_version_id,
                    line.name,
                    line.category_name,
                    line.unit,
                    -take,
                    line.unit_price,
                    money(-line.unit_price * take),
                )
            )
            discounted = any(
                d.is_discount and d.item_id == item_id and d.price_version_id == line.price_version_id
                for d in current
            )
            if discounted:
                result.append(
                    Line(
                        OrderLine.Kind.DISCOUNT,
                        line.item,
                        line.price_version_id,
                        _("政策减免：%(item)s") % {"item": line.name},
                        line.category_name,
                        line.unit,
                        -take,
                        -line.unit_price,
                        money(line.unit_price * take),
                        settings.F7_POLICY_REFERENCE,
                    )
                )
    if errors:
        raise ValidationError(errors)
    return result


def can_propose_change(order):
    return (
        order.status in settings.F9_CHANGE_ORDER_STATUSES
        and not order.change_orders.filter(status__in=ChangeOrder.OPEN).exists()
    )


@transaction.atomic
def propose_change(order, user, *, additions, removals, reason, expected_prices=None):
    """The provider proposes extra or removed items after signing (F9). Additions follow F4:
    only posted, active items of this provider at the price in effect."""
    order = _lock(order)
    if order.status not in settings.F9_CHANGE_ORDER_STATUSES:
        raise ValidationError(_("只有合同生效后、服务完成前才能提出变更。"))
    if order.change_orders.filter(status__in=ChangeOrder.OPEN).exists():
        raise ValidationError(_("已有一份待签署的变更单，请等待签署完毕或撤回后再提出。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写变更原因。")})
    additions = {int(k): int(v) for k, v in (additions or {}).items() if int(v) > 0}
    removals = {int(k): int(v) for k, v in (removals or {}).items() if int(v) > 0}
    if not additions and not removals:
        raise ValidationError(_("请至少增加或减少一个项目。"))
    lines = []
    if additions:
        statement = statement_for(order.provider, additions, order)
        check_expected_prices(statement, expected_prices)
        lines += lines_from_statement(statement)
    lines += removal_lines(order, removals)
    delta = totals(lines).total
    number = (order.change_orders.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    change = ChangeOrder(
        order=order, number=number, reason=reason, delta=delta, proposed_by=user, proposed_at=timezone.now()
    )
    pdf = pdfs.change_order_pdf(change, lines, signatures=[])
    change.draft_sha256 = pdfs.sha256(pdf)
    change.draft_file.save(f"{change.display_number}-draft.pdf", pdfs.content_file(pdf), save=False)
    change.save()
    _save_lines(order, OrderLine.Stage.CHANGE, lines, change_order=change)
    log(
        order,
        ACTION_CHANGE_PROPOSED,
        user=user,
        data={"change": number, "delta": str(delta), "reason": reason},
    )
    return change


@transaction.atomic
def decline_change(change, user, *, reason=""):
    return transition(change, ChangeStatus.DECLINED, user=user, reason=reason or _("家属拒绝变更"))


@transaction.atomic
def withdraw_change(change, user, *, reason=""):
    return transition(change, ChangeStatus.WITHDRAWN, user=user, reason=reason or _("机构撤回变更"))


# --- The quote → contract → final bill comparison (F9) ---------------------------------------------------


@dataclass
class Cell:
    quantity: int = 0
    amount: Decimal = ZERO
    unit_prices: list = field(default_factory=list)

    def add(self, line):
        self.quantity += line.quantity
        self.amount = money(self.amount + line.amount)
        if line.unit_price not in self.unit_prices and line.quantity > 0:
            self.unit_prices.append(line.unit_price)

    @property
    def present(self):
        return self.quantity != 0 or self.amount != ZERO


@dataclass
class ComparisonRow:
    name: str
    unit: str
    is_discount: bool
    policy_reference: str
    quote: Cell
    contract: Cell
    final: Cell

    @property
    def contract_differs(self):
        return (self.quote.quantity, self.quote.amount) != (self.contract.quantity, self.contract.amount)

    @property
    def final_differs(self):
        return (self.contract.quantity, self.contract.amount) != (self.final.quantity, self.final.amount)


@dataclass
class Comparison:
    rows: list
    quote: Totals
    contract: Totals
    final: Totals | None
    has_contract: bool = False


def comparison(order):
    """F9: quote → contract → final bill, line by line (items and their discount lines)."""
    columns = {"quote": quote_lines(order.quote)}
    records = list(order.lines.all().select_related("change_order"))
    contract = [r for r in records if r.stage == OrderLine.Stage.CONTRACT]
    if not contract:
        contract = [r for r in records if r.stage == OrderLine.Stage.ORDER]
    columns["contract"] = lines_from_records(contract)
    signed = [
        r
        for r in records
        if r.stage == OrderLine.Stage.CHANGE and r.change_order.status == ChangeStatus.SIGNED
    ]
    columns["final"] = columns["contract"] + lines_from_records(signed)
    rows = OrderedDict()
    for column, lines in columns.items():
        for line in lines:
            key = (line.item_id, line.kind)
            if key not in rows:
                rows[key] = ComparisonRow(
                    line.name, line.unit, line.is_discount, line.policy_reference, Cell(), Cell(), Cell()
                )
            getattr(rows[key], column).add(line)
    ordered = sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1] == OrderLine.Kind.DISCOUNT))
    has_contract = any(r.stage == OrderLine.Stage.CONTRACT for r in records)
    return Comparison(
        rows=[row for _key, row in ordered],
        quote=totals(columns["quote"]),
        contract=totals(columns["contract"]),
        final=totals(columns["final"]) if has_contract else None,
        has_contract=has_contract,
    )


# --- Payments (called by the payments integration) -------------------------------------------------------


def paid_total(order):
    sums = {row["kind"]: row["s"] for row in order.payments.values("kind").annotate(s=Sum("amount"))}
    return money(sums.get(OrderPayment.Kind.CHARGE, ZERO) - sums.get(OrderPayment.Kind.REFUND, ZERO))


def balance_due(order):
    """What the family still owes on the current bill (negative when the platform owes a refund)."""
    return money(order.total - paid_total(order))


@transaction.atomic
def mark_paid(order, *, amount, reference, user=None):
    """Record a successful payment for ``order``; idempotent by ``reference`` (the payment's id).

    The payments integration calls this from ``payments.signals.payment_succeeded`` with the
    intent's amount and public id. A countersigned order moves to ``paid`` once the payments
    cover the bill; later payments (for signed change orders) are recorded against the balance.
    Returns the order."""
    amount = money(amount)
    if amount <= ZERO:
        raise ValidationError(_("支付金额必须大于零。"))
    order = _lock(order)
    existing = OrderPayment.objects.filter(reference=reference).first()
    if existing is not None:
        if (
            existing.order_id != order.pk
            or existing.amount != amount
            or existing.kind != OrderPayment.Kind.CHARGE
        ):
            raise ValidationError(_("支付流水号已用于另一笔记录。"))
        return order
    OrderPayment.objects.create(
        order=order, kind=OrderPayment.Kind.CHARGE, amount=amount, reference=reference
    )
    log(
        order,
        ACTION_PAYMENT,
        user=_who(user),
        data={"kind": "charge", "amount": str(amount), "reference": reference},
    )
    if order.status == OrderStatus.COUNTERSIGNED and balance_due(order) <= ZERO:
        transition(
            order,
            OrderStatus.PAID,
            user=user,
            reason=_("已收到付款 ¥%(amount)s（%(ref)s）") % {"amount": amount, "ref": reference},
        )
    return order


@transaction.atomic
def mark_refunded(order, *, amount, reference, user=None, note=""):
    """Record a refund (from ``payments.signals.refund_succeeded``) with its reason (``note``); a
    cancelled order whose payments are fully refunded moves to ``refunded``. Idempotent by
    ``reference``."""
    amount = money(amount)
    if amount <= ZERO:
        raise ValidationError(_("退款金额必须大于零。"))
    order = _lock(order)
    if OrderPayment.objects.filter(reference=reference).exists():
        return order
    OrderPayment.objects.create(
        order=order, kind=OrderPayment.Kind.REFUND, amount=amount, reference=reference, note=note[:300]
    )
    log(
        order,
        ACTION_PAYMENT,
        user=_who(user),
        data={"kind": "refund", "amount": str(amount), "reference": reference},
    )
    if order.status == OrderStatus.CANCELLED and paid_total(order) <= ZERO:
        transition(
            order,
            OrderStatus.REFUNDED,
            user=user,
            reason=_("已退款 ¥%(amount)s（%(ref)s）") % {"amount": amount, "ref": reference},
        )
    return order


# --- History for the order page ---------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    timestamp: object
    user: object
    text: str


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def describe(entry):
    """The audit entry in words: who did what, from which status to which, and why."""
    data = entry.data or {}
    if entry.action == TRANSITION_ACTION:
        text = _("状态：%(from)s → %(to)s") % {
            "from": _label(OrderStatus, data.get("from")),
            "to": _label(OrderStatus, data.get("to")),
        }
        return f"{text}（{data['reason']}）" if data.get("reason") else text
    if entry.action == ACTION_SUBMITTED:
        return _("家属提交订单（报价单 %(quote)s，应付 ¥%(total)s）") % data
    if entry.action == ACTION_SIGNED:
        return _("%(role)s签署%(document)s（文本 SHA-256 %(sha)s…）") % {
            "role": _label(Signature.Role, data.get("role")),
            "document": data.get("document", ""),
            "sha": (data.get("sha256") or "")[:16],
        }
    if entry.action == ACTION_SEALED:
        return _("平台加盖电子印章，核验码 %(code)s") % {"code": data.get("code", "")}
    if entry.action == ACTION_CHANGE_PROPOSED:
        return _("机构提出变更单 %(n)s（金额变化 ¥%(delta)s）：%(reason)s") % {
            "n": data.get("change"),
            "delta": data.get("delta"),
            "reason": data.get("reason", ""),
        }
    if entry.action == ACTION_PAYMENT:
        template = (
            _("收到付款 ¥%(amount)s（%(reference)s）")
            if data.get("kind") == "charge"
            else _("退款 ¥%(amount)s（%(reference)s）")
        )
        return template % {"amount": data.get("amount"), "reference": data.get("reference")}
    if entry.action == ACTION_CERTIFICATE:
        return _("出具电子证明 %(number)s，核验码 %(code)s") % {
            "number": data.get("number"),
            "code": data.get("code"),
        }
    return entry.action


def history(order):
    from wagtail.models import ModelLogEntry

    entries = (
        ModelLogEntry.objects.filter(
            content_type__app_label="orders", content_type__model="order", object_id=str(order.pk)
        )
        .select_related("user")
        .order_by("timestamp", "id")
    )
    return [HistoryEntry(entry.timestamp, entry.user, describe(entry)) for entry in entries]


# --- The bureau's default template -------------------------------------------------------------------------


def ensure_default_template(user=None):
    """Publish the bureau's default contract template if it is missing (migration 0002 does the
    same on a fresh database; demo data and tests on a flushed database call this)."""
    from .defaults import DEFAULT_DISPUTE_RESOLUTION, DEFAULT_TEMPLATE_BODY, DEFAULT_TEMPLATE_TITLE

    template = ContractTemplate.objects.filter(title=DEFAULT_TEMPLATE_TITLE).first()
    if template is not None and template.live and template.live_revision_id:
        return template
    if template is None:
        template = ContractTemplate(
            title=DEFAULT_TEMPLATE_TITLE,
            body=DEFAULT_TEMPLATE_BODY,
            dispute_resolution=DEFAULT_DISPUTE_RESOLUTION,
            live=False,
        )
        template.full_clean()
        template.save()
    template.save_revision(user=user).publish(user=user)
    template.refresh_from_db()
    return template
