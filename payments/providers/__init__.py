from .base import (
    BasePaymentProvider,
    Checkout,
    NotificationData,
    NotificationRejected,
    ProviderError,
    QueryResult,
    RefundResult,
    get_provider,
)

__all__ = [
    "BasePaymentProvider",
    "Checkout",
    "NotificationData",
    "NotificationRejected",
    "ProviderError",
    "QueryResult",
    "RefundResult",
    "get_provider",
]
