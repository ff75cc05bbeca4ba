"""Y5: a store connecting Stripe or PayPal is warned of missing keys and of
test mode left on in production (`camshaft check-deploy`)."""

from camshaft.payments.checks import check_processor_settings


def test_Y5_the_test_gateway_needs_no_processor_settings(settings):
    settings.PAYMENT_GATEWAY = "camshaft.payments.gateways.test.TestGateway"
    settings.PAYPAL_GATEWAY = ""
    assert check_processor_settings() == []


def test_Y5_stripe_without_its_webhook_secret_is_reported(settings):
    settings.PAYMENT_GATEWAY = "camshaft.payments.gateways.stripe.StripeGateway"
    settings.STRIPE_SECRET_KEY = "sk_live_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_live_x"
    settings.STRIPE_WEBHOOK_SECRET = ""
    (warning,) = check_processor_settings()
    assert warning.id == "camshaft.W120" and "STRIPE_WEBHOOK_SECRET" in warning.msg


def test_Y5_test_mode_in_production_is_reported_for_each_processor(settings):
    settings.PRODUCTION = True
    settings.PAYMENT_GATEWAY = "camshaft.payments.gateways.stripe.StripeGateway"
    settings.PAYPAL_GATEWAY = "camshaft.payments.gateways.paypal.PayPalGateway"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    settings.PAYPAL_CLIENT_ID, settings.PAYPAL_CLIENT_SECRET = "id", "secret"
    settings.PAYPAL_WEBHOOK_ID = "8PT597110X687430LKGECATA"
    settings.PAYPAL_ENVIRONMENT = "sandbox"
    assert {warning.id for warning in check_processor_settings()} == {
        "camshaft.W121",
        "camshaft.W123",
    }
