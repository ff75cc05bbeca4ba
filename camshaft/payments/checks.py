"""Deployment checks of the payment processors' settings (`camshaft
check-deploy`): a processor chosen without the keys it needs, or left in test
mode on a production store. docs/payments.md says how to connect each."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

STRIPE_GATEWAY = "camshaft.payments.gateways.stripe.StripeGateway"
PAYPAL_GATEWAY = "camshaft.payments.gateways.paypal.PayPalGateway"


@register(Tags.security, deploy=True)
def check_processor_settings(app_configs=None, **kwargs) -> list[Warning]:
    chosen = {settings.PAYMENT_GATEWAY, settings.PAYPAL_GATEWAY}
    found = []
    if STRIPE_GATEWAY in chosen:
        found += _stripe()
    if PAYPAL_GATEWAY in chosen:
        found += _paypal()
    return found


def _stripe() -> list[Warning]:
    found = []
    missing = [
        name
        for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")
        if not getattr(settings, name)
    ]
    if missing:
        found.append(
            Warning(
                f"Stripe is the card gateway but {', '.join(missing)} is not set.",
                hint="Copy the keys and the webhook's signing secret from Stripe's dashboard "
                "(docs/payments.md).",
                id="camshaft.W120",
            )
        )
    if settings.PRODUCTION and settings.STRIPE_SECRET_KEY.startswith("sk_test_"):
        found.append(
            Warning(
                "Stripe runs in test mode: shoppers' cards are not charged.",
                hint="Set STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY to the live keys.",
                id="camshaft.W121",
            )
        )
    return found


def _paypal() -> list[Warning]:
    found = []
    missing = [
        name
        for name in ("PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET", "PAYPAL_WEBHOOK_ID")
        if not getattr(settings, name)
    ]
    if missing:
        found.append(
            Warning(
                f"PayPal is configured but {', '.join(missing)} is not set.",
                hint="Copy them from the app and its webhook in PayPal's developer dashboard "
                "(docs/payments.md).",
                id="camshaft.W122",
            )
        )
    if settings.PRODUCTION and settings.PAYPAL_ENVIRONMENT != "live":
        found.append(
            Warning(
                "PayPal runs in its sandbox: shoppers' PayPal payments are not real.",
                hint="Set PAYPAL_ENVIRONMENT=live with the live app's credentials.",
                id="camshaft.W123",
            )
        )
    return found
