"""Payment gateways: one interface, the built-in test gateway, real adapters (Y5)."""

from functools import cache, wraps

from django.conf import settings
from django.utils.module_loading import import_string

from camshaft.consent.sharing import PAYMENT_PROCESSOR, shared_fields
from camshaft.payments.gateways.base import (
    GATEWAY_CALLS,
    CardForm,
    CardToken,
    GatewayResult,
    GatewayStatus,
    GatewayUnavailable,
    PaymentGateway,
    Wallet,
    WalletSession,
    WebhookEvent,
    WebhookRefused,
)

DEFAULT_GATEWAY = "camshaft.payments.gateways.test.TestGateway"

__all__ = [
    "DEFAULT_GATEWAY",
    "CardForm",
    "CardToken",
    "GatewayResult",
    "GatewayStatus",
    "GatewayUnavailable",
    "PaymentGateway",
    "Wallet",
    "WalletSession",
    "WebhookEvent",
    "WebhookRefused",
    "configured_gateways",
    "gateway_named",
    "get_gateway",
]


def get_gateway(*, wallet: str = "") -> PaymentGateway:
    """The gateway named by the PAYMENT_GATEWAY setting (a dotted path), or
    for `wallet` "paypal" the one PAYPAL_GATEWAY names when set (a store may
    take cards through one processor and PayPal through another); its calls
    limited to the fields of the sharing register (V10)."""
    path = getattr(settings, "PAYMENT_GATEWAY", DEFAULT_GATEWAY)
    if wallet == Wallet.PAYPAL and getattr(settings, "PAYPAL_GATEWAY", ""):
        path = settings.PAYPAL_GATEWAY
    return _within_register(import_string(path))()


def configured_gateways() -> list[PaymentGateway]:
    """Every gateway the settings name, the card gateway first."""
    paths = [getattr(settings, "PAYMENT_GATEWAY", DEFAULT_GATEWAY)]
    if (paypal := getattr(settings, "PAYPAL_GATEWAY", "")) and paypal not in paths:
        paths.append(paypal)
    return [_within_register(import_string(path))() for path in paths]


def gateway_named(name: str) -> PaymentGateway:
    """The configured gateway that holds payments marked `name` (captures,
    voids and refunds go back to the processor that authorized), else the
    card gateway."""
    gateways = configured_gateways()
    return next((gateway for gateway in gateways if gateway.name == name), gateways[0])


@cache
def _within_register(gateway_class: type[PaymentGateway]) -> type[PaymentGateway]:
    """A subclass of `gateway_class` whose every call first checks that each
    field it hands over is one the sharing register lists for the payment
    processor, so no change here can quietly send more."""

    def checked(name: str):
        call = getattr(gateway_class, name)

        @wraps(call)
        def within_register(self, **fields):
            return call(self, **shared_fields(PAYMENT_PROCESSOR, fields))

        return within_register

    namespace = {name: checked(name) for name in GATEWAY_CALLS}
    namespace["__module__"] = gateway_class.__module__
    return type(gateway_class.__name__, (gateway_class,), namespace)
