from .base import (
    BasePaymentProvider,
    Checkout,
    ErrorKind,
    NotificationData,
    NotificationRejected,
    ProviderError,
    QueryResult,
    RefundResult,
    TradeStatus,
    get_provider,
)

__all__ = [
    "BasePaymentProvider",
    "Checkout",
    "ErrorKind",
    "NotificationData",
    "NotificationRejected",
    "ProviderError",
    "QueryResult",
    "RefundResult",
    "TradeStatus",
    "get_provider",
]
