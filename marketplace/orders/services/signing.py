"""Contracts: issuing one from the bureau's template, and signing contracts and change orders.

Rules:
- F4: the contract is priced at the posted prices in effect when it is issued.
- F8: the provider's posted terms go into the contract: its deposit percentage and the
  cancellation refund schedule in force (setting ``F8_CANCELLATION_REFUND_SCHEDULE``).
- F9: the contract carries the itemised statement (stage ``contract``); a change order is
  binding only once both sides signed it.
- Signing: the family, then a member of the provider's staff, each re-confirm with a one-time
  SMS code (``accounts.otp``), type their registered name and sign the exact PDF bytes they
  were shown (SHA-256). After the countersignature the platform seals the final PDF (PAdES)
  and registers it for ``/verify/<code>/`` (``WAGTAILADMIN_BASE_URL`` when no base URL is given).

Only templates the bureau published (``ContractTemplate`` with a live revision) can be used.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail.log_actions import log

from accounts.otp import OtpError, check_code, send_code
from core.models import VerifiableDocument
from core.money import ZERO
from core.pdf import in_platform_language
from core.statemachine import IllegalTransition, transition
from core.verification import issue_document

from .. import pdfs
from ..models import (
    ChangeStatus,
    Contract,
    ContractStatus,
    ContractTemplate,
    OrderLine,
    OrderStatus,
    Signature,
)
from ..permissions import is_provider_member
from ..statements import (
    bill_lines,
    lines_from_records,
    lines_from_statement,
    order_quantities,
    save_lines,
    statement_for,
    totals,
)
from .common import ACTION_SEALED, ACTION_SIGNED, lock_order
from .history import balance_due

SIGNED_MEANWHILE = _lazy("该文书已被签署或状态已变化（可能是他人刚刚签署或订单已取消），请刷新页面查看。")


# --- The bureau's templates ---------------------------------------------------------------------


def published_templates():
    return ContractTemplate.objects.filter(live=True, live_revision__isnull=False).order_by("title")


def ensure_default_template(user=None):
    """Publish the bureau's default contract template if it is missing (migration 0002 does the
    same on a fresh database; demo data and tests on a flushed database call this)."""
    from ..defaults import DEFAULT_DISPUTE_RESOLUTION, DEFAULT_TEMPLATE_BODY, DEFAULT_TEMPLATE_TITLE

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


# --- Issuing the contract -----------------------------------------------------------------------


def issue_contract(order, user, template):
    """Issue the contract from a published template revision, at the prices in effect today (F4),
    with the provider's deposit and the cancellation refund schedule in force (F8)."""
    with transaction.atomic():
        order = lock_order(order)
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
            refund_schedule=[
                [int(days), str(ratio)] for days, ratio in settings.F8_CANCELLATION_REFUND_SCHEDULE
            ],
            issued_at=timezone.now(),
            issued_by=user,
        )
        pdf = pdfs.contract_pdf(contract, revision.as_object(), lines, signatures=[])
        contract.draft_sha256 = pdfs.sha256(pdf)
        contract.draft_file.save(f"{contract.number}-draft.pdf", pdfs.content_file(pdf), save=False)
        contract.save()
        save_lines(order, OrderLine.Stage.CONTRACT, lines)
        order.subtotal, order.exempted, order.total = sums.subtotal, sums.exempted, sums.total
        return transition(
            order,
            OrderStatus.CONTRACT_ISSUED,
            user=user,
            reason=_("合同 %(number)s（模板：%(template)s，版本 %(rev)s）")
            % {"number": contract.number, "template": template.title, "rev": revision.pk},
            save_fields=("subtotal", "exempted", "total"),
        )


# --- Signing (contracts and change orders) -------------------------------------------------------


def signer_name(user):
    return (user.real_name or user.get_full_name() or "").strip()


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
    otp_error = None
    with transaction.atomic():
        # The order row first, then the document: cancel_order takes them in this order too, so
        # a signature and a cancellation queue up instead of deadlocking. State is checked under
        # the locks, before the code is used, so whoever comes second (another signer, the same
        # signer pressing twice, a cancellation) gets a clear message and keeps their input.
        lock_order(document.order)
        document = type(document).objects.select_for_update().get(pk=document.pk)
        if not may_sign(document, user, role):
            raise ValidationError(SIGNED_MEANWHILE)
        try:
            otp = check_code(user, code_purpose(document, role), code)
        except OtpError as exc:
            # Leave the block normally, so a wrong code's attempt count is committed, not
            # rolled back with the signature that was never made; raised below.
            otp_error = exc
        else:
            signature = _record_signature(
                document, user, role, expected_name, otp, ip_address, user_agent, base_url
            )
    if otp_error is not None:
        raise otp_error
    return signature


def _record_signature(document, user, role, full_name, otp, ip_address, user_agent, base_url):
    link = {"contract": document} if isinstance(document, Contract) else {"change_order": document}
    signature = Signature.objects.create(
        **link,
        role=role,
        user=user,
        full_name=full_name,
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
    order = lock_order(contract.order)
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
    document = _seal(
        contract,
        order,
        user,
        kind=VerifiableDocument.Kind.CONTRACT,
        title=_("殡葬服务合同 %(n)s") % {"n": contract.number},
        reason=_("殡葬服务合同（双方已签署）"),
        render=lambda code, url: pdfs.contract_pdf(
            contract, revision.as_object(), lines, signatures=signatures, code=code, url=url
        ),
        sealed_status=ContractStatus.SEALED,
        base_url=base_url,
    )
    log(order, ACTION_SEALED, user=user, data={"code": document.code, "sha256": document.sha256})
    transition(
        order, OrderStatus.COUNTERSIGNED, user=user, reason=_("机构会签合同 %(n)s") % {"n": contract.number}
    )
    if balance_due(order) <= ZERO:
        transition(order, OrderStatus.PAID, user=user, reason=_("应付金额为零，无需支付"))


@in_platform_language
def _after_change_signature(change, user, role, base_url):
    order = lock_order(change.order)
    if role == Signature.Role.FAMILY:
        transition(change, ChangeStatus.FAMILY_SIGNED, user=user, reason=_("家属签署"))
        return
    lines = lines_from_records(change.lines.select_related("item"))
    signatures = list(change.signatures.order_by("signed_at"))
    document = _seal(
        change,
        order,
        user,
        kind=VerifiableDocument.Kind.CHANGE_ORDER,
        title=_("合同变更单 %(n)s") % {"n": change.display_number},
        reason=_("合同变更单（双方已签署）"),
        render=lambda code, url: pdfs.change_order_pdf(
            change, lines, signatures=signatures, code=code, url=url
        ),
        sealed_status=ChangeStatus.SIGNED,
        base_url=base_url,
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


def _seal(document, order, user, *, kind, title, reason, render, sealed_status, base_url):
    """Seal the final PDF of a contract or change order both sides signed (PAdES), register it
    for ``/verify/<code>/``, keep its digest on the document and move the document on."""
    sealed = issue_document(
        source=document,
        kind=kind,
        title=title,
        issuer_name=order.provider.name,
        holder_name=order.contact_name,
        render=render,
        reason=reason,
        base_url=base_url or settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
    )
    document.sealed_document = sealed
    document.sealed_sha256 = sealed.sha256
    document.sealed_at = sealed.issued_at
    transition(
        document,
        sealed_status,
        user=user,
        reason=_("机构会签，平台加盖电子印章"),
        save_fields=("sealed_document", "sealed_sha256", "sealed_at"),
    )
    return sealed
