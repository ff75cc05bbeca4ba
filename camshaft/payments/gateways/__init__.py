"""Payment gateways: one interface, the built-in test gateway, real adapters (Y5)."""

from functools import cache, wraps

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
from camshaft.privacy.selectors import PAYMENT_PROCESSOR, shared_fields

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
    """The gateway named by the PAYMENT_GATEWAY setting (a dotted path),
    its calls limited to the fields of the sharing register (V10)."""
    gateway_class = import_string(getattr(settings, "PAYMENT_GATEWAY", DEFAULT_GATEWAY))
    return _within_register(gateway_class)()


#: The calls that hand data to the processor: the interface's abstract methods.
GATEWAY_CALLS = tuple(sorted(PaymentGateway.__abstractmethods__))


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
