"""A shopper pays by card through Stripe's Payment Element in a real browser
(Y1-Y3). Stripe.js is replaced by a stub served by the local fake of
Stripe's API: it draws a field of its own and answers a PaymentMethod id,
as the real one does, so the test also proves that no request to our
server carries the card number."""

import re
from decimal import Decimal

import pytest

from camshaft.orders.models import Order
from camshaft.payments.models import PaymentStatus
from tests.e2e.test_checkout import fill_address
from tests.factories import PartFactory, StockLevelFactory
from tests.payments.fakes import stripe_api
from tests.shopping import flat_rates

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PM = "pm_1MtwBwLkdIwHu7ixvtmAbC7t"
CARD_DIGITS = re.compile(r"4242\D?4242\D?4242\D?4242")

#: What the page needs of Stripe.js; the typed number stays in the stub, as
#: it stays inside Stripe's frame.
STRIPE_JS_STUB = """
window.Stripe = function (key) {
  var field;
  return {
    elements: function (options) {
      window.stripeElementsOptions = options;
      return {
        create: function () {
          return { mount: function (el) {
            field = document.createElement("input");
            field.id = "stripe-stub-card";
            el.appendChild(field);
          } };
        },
        submit: function () { return Promise.resolve({}); },
      };
    },
    createPaymentMethod: function () {
      return Promise.resolve({ paymentMethod: { id: "PM_ID" } });
    },
  };
};
""".replace("PM_ID", PM)


def serve_stripe_js(stripe_fake, settings):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_local_fake"
    settings.STRIPE_JS_URL = stripe_fake.url_for("/v3/")
    stripe_fake.expect_request("/v3/").respond_with_data(
        STRIPE_JS_STUB, content_type="application/javascript"
    )
    stripe_fake.expect_request(f"/v1/payment_methods/{PM}").respond_with_json(
        stripe_api.payment_method()
    )


def to_review(page):
    """Cart, address, two-day shipping, a card typed into the Payment Element."""
    page.goto("/parts/ROT-88/")
    page.click("#add-to-cart button")
    page.goto("/checkout/")
    fill_address(page)
    page.check("input[value=two_day]")
    page.click("text=Continue to payment")
    page.wait_for_url("**/checkout/payment/")
    assert page.locator("#id_card_number").count() == 0
    page.fill("#stripe-stub-card", "4242 4242 4242 4242")
    assert page.evaluate("window.stripeElementsOptions.captureMethod") == "manual"
    page.click("text=Continue to review")
    page.wait_for_url("**/checkout/review/")
    assert page.inner_text("#review-payment") == "Visa ending 4242"


@pytest.fixture
def rotor():
    flat_rates()
    part = PartFactory(sku="ROT-88", name="Vented Front Brake Rotor", price=Decimal("64.00"))
    StockLevelFactory(part=part, quantity=4)
    return part


def test_Y3_card_goes_into_the_payment_element_and_never_to_our_server(
    page, rotor, stripe_fake, settings, live_server
):
    serve_stripe_js(stripe_fake, settings)
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent(amount=8895)
    )
    to_us = []
    page.on(
        "request",
        lambda request: (
            to_us.append(f"{request.url} {request.post_data or ''}")
            if request.url.startswith(live_server.url)
            else None
        ),
    )
    to_review(page)
    page.click("#place-order")
    page.wait_for_url("**/orders/CS-*/")
    assert Order.objects.get().payment.status == PaymentStatus.AUTHORIZED
    assert to_us and not [sent for sent in to_us if CARD_DIGITS.search(sent)]


def test_Y2_bank_asks_for_3d_secure_and_the_checkout_resumes(
    page, rotor, stripe_fake, settings, live_server
):
    """The review page's form is answered by a redirect to the bank's page
    (through Stripe's hooks host, here the fake), which the page's CSP must
    allow; the bank sends the shopper back and the order is placed."""
    serve_stripe_js(stripe_fake, settings)
    pending = stripe_api.requires_action()["id"]
    back = f"{live_server.url}/checkout/card/confirmed/?payment_intent={pending}"
    bank = stripe_fake.url_for("/3d_secure_2/hosted")
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.requires_action(url=bank) | {"amount": 8895}
    )
    stripe_fake.expect_request("/3d_secure_2/hosted").respond_with_data(
        f'<h1>Your bank</h1><a id="complete" href="{back}">Complete authentication</a>',
        content_type="text/html",
    )
    stripe_fake.expect_request(f"/v1/payment_intents/{pending}").respond_with_json(
        stripe_api.payment_intent(id=pending, amount=8895)
    )
    to_review(page)
    page.click("#place-order")
    page.wait_for_url(bank)
    assert not Order.objects.exists()
    page.click("#complete")
    page.wait_for_url("**/checkout/review/")
    page.click("#place-order")
    page.wait_for_url("**/orders/CS-*/")
    payment = Order.objects.get().payment
    assert (payment.status, payment.authorization_reference) == (PaymentStatus.AUTHORIZED, pending)
