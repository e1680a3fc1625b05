"""Fulfilment: starting the service and completing the order with its e-certificate.

Rules:
- M2: at completion a funeral home issues a cremation certificate and a cemetery a burial
  certificate (setting ``M2_CERTIFICATE_KINDS``: provider type → certificate kind), sealed and
  verifiable by code at ``/verify/<code>/`` (``WAGTAILADMIN_BASE_URL`` when no base URL is
  given). The date can't be in the future and the place is required.
- F9: an order with a change order still open can't be completed; sign or withdraw it first.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.models import VerifiableDocument
from core.pdf import in_platform_language
from core.statemachine import IllegalTransition, transition
from core.verification import issue_document

from .. import pdfs
from ..models import Certificate, ChangeOrder, OrderStatus
from .common import ACTION_CERTIFICATE, actor, lock_order


def start_service(order, user):
    with transaction.atomic():
        order = lock_order(order)
        return transition(order, OrderStatus.IN_SERVICE, user=user, reason=_("开始服务"))


def certificate_kind(provider):
    return settings.M2_CERTIFICATE_KINDS.get(provider.type)


def complete_order(order, user, *, event_date=None, place="", base_url=""):
    """Complete the order; a funeral home issues a cremation certificate, a cemetery a burial certificate (M2)."""
    with transaction.atomic():
        order = lock_order(order)
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
    log(order, ACTION_CERTIFICATE, user=actor(user), data={"number": number, "code": document.code})
    return certificate
