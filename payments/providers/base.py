"""The provider interface and the PAYMENT_VARIANTS registry.

A variant is a name in ``settings.PAYMENT_VARIANTS`` mapping to a provider class and
its options, like django-payments. Services talk to providers only through
:class:`BasePaymentProvider`; the models keep the variant name of each intent.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.utils.module_loading import import_string


class TradeStatus(StrEnum):
    """How a trade stands at the gateway, in neutral terms (each provider maps its own)."""

    PENDING = "pending"  # opened, not paid yet
    PAID = "paid"
    CLOSED = "closed"  # closed unpaid, or fully refunded
    NOT_FOUND = "not_found"  # the gateway has no such trade (the payer never opened it)


class ErrorKind(StrEnum):
    """What a :class:`ProviderError` means to the services, whatever the provider's codes.

    Only ``UNAVAILABLE`` means "try again later"; every other kind is the gateway's answer
    that it refuses the operation (a business failure), for the reason the kind names.
    """

    UNAVAILABLE = "unavailable"  # unreachable, misconfigured, unverifiable or a non-business error
    REJECTED = "rejected"  # refused for a reason the services don't tell apart
    NOT_FOUND = "not_found"  # the gateway has no such trade
    ALREADY_PAID = "already_paid"  # the trade can't be opened again: it is paid
    ALREADY_CLOSED = "already_closed"  # the trade can't be opened again: it is closed


class ProviderError(Exception):
    """The gateway could not be reached or answered with an error.

    ``kind`` (an :class:`ErrorKind`) is what the services act on; ``code`` and ``sub_code``
    are the provider's own codes, kept for the record and for messages.
    """

    def __init__(self, message, *, kind=ErrorKind.UNAVAILABLE, code="", sub_code="", raw=None):
        super().__init__(message)
        self.kind = ErrorKind(kind)
        self.code = code
        self.sub_code = sub_code
        self.raw = raw

    @property
    def refused(self):
        """The gateway answered and refused the operation (not merely unavailable)."""
        return self.kind != ErrorKind.UNAVAILABLE


class NotificationRejected(Exception):
    """A notification failed a check; ``verified`` says whether its signature was good."""

    def __init__(self, message, *, verified=False):
        super().__init__(message)
        self.verified = verified


@dataclass
class Checkout:
    channel: str
    redirect_url: str = ""
    form_html: str = ""
    qr_content: str = ""


@dataclass
class NotificationData:
    """What a verified notification says, in the provider's neutral terms."""

    notification_id: str
    out_trade_no: str
    trade_no: str
    trade_status: TradeStatus  # PAID, CLOSED or PENDING
    amount: Decimal
    params: dict = field(default_factory=dict)


@dataclass
class QueryResult:
    trade_status: TradeStatus
    trade_no: str = ""
    amount: Decimal | None = None
    raw: dict = field(default_factory=dict)


@dataclass
class RefundResult:
    provider_refund_id: str
    amount: Decimal
    raw: dict = field(default_factory=dict)


class BasePaymentProvider(ABC):
    """What every provider offers. Subclasses implement all of it (abstract methods)."""

    #: channels this provider can start a checkout for
    channels = ("pc", "mobile", "qr")

    def __init__(self, variant, **options):
        self.variant = variant
        self.options = options

    @abstractmethod
    def create_checkout(self, intent, channel, *, return_url, notify_url):
        """Start paying ``intent``: a redirect or form for pc and mobile, QR content for qr."""

    @abstractmethod
    def notification_id(self, raw_body):
        """The provider's id for a raw notification body, read without trusting it."""

    @abstractmethod
    def verify_notification(self, raw_body):
        """Check the signature of a raw body; return :class:`NotificationData` or raise."""

    @abstractmethod
    def check_against_intent(self, data, intent):
        """Raise :class:`NotificationRejected` if a verified notification doesn't fit ``intent``."""

    @abstractmethod
    def notification_reply(self, ok):
        """The body the provider expects back: (content, status)."""

    @abstractmethod
    def query(self, intent):
        """Ask the gateway about ``intent``'s trade; return :class:`QueryResult`."""

    @abstractmethod
    def refund(self, intent, refund):
        """Refund ``refund.amount`` of ``intent`` at the gateway; return :class:`RefundResult`."""

    @abstractmethod
    def close(self, intent):
        """Close an unpaid trade; return True if the gateway closed it or never had it."""


def variant_names():
    return list(settings.PAYMENT_VARIANTS)


def get_provider(variant=None):
    variant = variant or settings.PAYMENTS_DEFAULT_VARIANT
    try:
        path, options = settings.PAYMENT_VARIANTS[variant]
    except KeyError as exc:
        raise ProviderError(f"unknown payment variant {variant!r}") from exc
    return import_string(path)(variant, **options)
