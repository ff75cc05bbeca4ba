"""Payment gateways: one interface, the built-in test gateway, real adapters (Y5)."""

from django.conf import settings
from django.utils.module_loading import import_string

from camshaft.payments.gateways.base import (
    CardToken,
    GatewayResult,
    GatewayStatus,
    GatewayUnavailable,
    PaymentGateway,
    Wallet,
    WalletSession,
)

DEFAULT_GATEWAY = "camshaft.payments.gateways.test.TestGateway"

__all__ = [
    "DEFAULT_GATEWAY",
    "CardToken",
    "GatewayResult",
    "GatewayStatus",
    "GatewayUnavailable",
    "PaymentGateway",
    "Wallet",
    "WalletSession",
    "get_gateway",
]


def get_gateway() -> PaymentGateway:
    """The gateway named by the PAYMENT_GATEWAY setting (a dotted path)."""
    gateway_class = import_string(getattr(settings, "PAYMENT_GATEWAY", DEFAULT_GATEWAY))
    return gateway_class()
