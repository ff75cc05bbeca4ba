"""Y2, Y3 through the checkout pages with Stripe's Payment Element, the SDK
pointed at a local fake of Stripe's API (the browser part is tests/e2e)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from camshaft.checkout.models import Checkout
from camshaft.orders.models import Order
from camshaft.payments.models import PaymentStatus
from tests.payments.fakes import stripe_api
from tests.shopping import place_from_review, stocked_part, web_address_form

pytestmark = pytest.mark.django_db
PM = "pm_1MtwBwLkdIwHu7ixvtmAbC7t"
CARD_NUMBER_RUN = re.compile(r"\d(?:[ -]?\d){12,18}")


class RecordingClient:
    """The Django test client, keeping every request body it sends."""

    def __init__(self, client):
        self.client, self.sent = client, []

    def get(self, path, data=None):
        self.sent.append(f"{path} {data or ''}")
        return self.client.get(path, data)

    def post(self, path, data=None):
        self.sent.append(f"{path} {data or ''}")
        return self.client.post(path, data)


def to_payment_step(browser, part):
    browser.post(reverse("cart_add"), {"sku": part.sku, "quantity": "1"})
    assert browser.post(reverse("checkout_address"), web_address_form()).status_code == 302
    response = browser.post(reverse("checkout_shipping"), {"shipping_method": "standard"})
    assert response.status_code == 302
    return browser.get(reverse("checkout_payment"))


def test_Y3_stripe_checkout_page_has_no_card_number_field_and_loads_stripe_by_script(
    client, stripe_fake
):
    page = to_payment_step(RecordingClient(client), stocked_part(price=Decimal("100.04")))
    html = page.content.decode()
    assert 'id="hosted-card"' in html
    assert 'name="card_number"' not in html and 'name="cvc"' not in html
    assert "stripe-checkout.js" in html
    assert 'data-amount="10999"' in html  # 100.04 + 9.95 shipping, in cents
    assert "<script>" not in html  # no inline script (the CSP branch forbids it)


def test_Y3_no_request_to_our_server_during_a_stripe_checkout_carries_a_card_number(
    client, stripe_fake
):
    browser = RecordingClient(client)
    to_payment_step(browser, stocked_part(price=Decimal("100.04")))
    stripe_fake.expect_request(f"/v1/payment_methods/{PM}").respond_with_json(
        stripe_api.payment_method()
    )
    response = browser.post(reverse("checkout_payment"), {"method": "card", "card_token": PM})
    assert response.status_code == 302, response.content.decode()[:2000]
    review = browser.get(reverse("checkout_review"))
    assert b"Visa ending 4242" in review.content
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent()
    )
    placed = place_from_review(browser.client, review)
    assert placed.url == reverse("order_detail", args=[Order.objects.get().number])
    assert Order.objects.get().payment.status == PaymentStatus.AUTHORIZED
    assert not [body for body in browser.sent if CARD_NUMBER_RUN.search(body)]


def test_Y2_stripe_3d_secure_sends_the_shopper_to_the_bank_and_the_checkout_resumes(
    client, stripe_fake
):
    to_payment_step(RecordingClient(client), stocked_part(price=Decimal("100.04")))
    stripe_fake.expect_request(f"/v1/payment_methods/{PM}").respond_with_json(
        stripe_api.payment_method()
    )
    client.post(reverse("checkout_payment"), {"method": "card", "card_token": PM})
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.requires_action()
    )
    to_bank = place_from_review(client, client.get(reverse("checkout_review")))
    assert to_bank.url.startswith("https://hooks.stripe.com/3d_secure_2/")
    assert not Order.objects.exists()
    pending = stripe_api.requires_action()["id"]
    assert Checkout.objects.get().card_token == pending
    back = client.get(reverse("checkout_card_confirmed"), {"payment_intent": "pi_someone_else"})
    assert back.url == reverse("checkout_review")
    stripe_fake.expect_request(f"/v1/payment_intents/{pending}").respond_with_json(
        stripe_api.payment_intent(id=pending)
    )
    placed = place_from_review(client, client.get(reverse("checkout_review")))
    order = Order.objects.get()
    assert placed.url == reverse("order_detail", args=[order.number])
    assert order.payment.authorization_reference == pending  # not what the URL said


def test_K2_stripe_card_kept_by_a_member_stays_reusable_through_3d_secure(client, stripe_fake):
    from camshaft.payments.models import SavedCard
    from tests.factories import MemberFactory

    client.force_login(MemberFactory())
    to_payment_step(RecordingClient(client), stocked_part(price=Decimal("100.04")))
    stripe_fake.expect_request("/v1/customers", method="POST").respond_with_json(
        {"id": "cus_NffrFeUfNV2Hib", "object": "customer"}
    )
    stripe_fake.expect_request(f"/v1/payment_methods/{PM}/attach").respond_with_json(
        stripe_api.payment_method()
    )
    stripe_fake.expect_request(f"/v1/payment_methods/{PM}").respond_with_json(
        stripe_api.payment_method()
    )
    chosen = client.post(
        reverse("checkout_payment"), {"method": "card", "card_token": PM, "save_card": "on"}
    )
    assert chosen.status_code == 302
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.requires_action()
    )
    place_from_review(client, client.get(reverse("checkout_review")))
    pending = stripe_api.requires_action()["id"]
    stripe_fake.expect_request(f"/v1/payment_intents/{pending}").respond_with_json(
        stripe_api.payment_intent(id=pending)
    )
    client.get(reverse("checkout_card_confirmed"))
    place_from_review(client, client.get(reverse("checkout_review")))
    assert Order.objects.get().payment.authorization_reference == pending
    # The card is kept by its Customer and PaymentMethod, never by the one-off PaymentIntent.
    (saved,) = SavedCard.objects.all()
    assert saved.gateway_token == f"cus_NffrFeUfNV2Hib:{PM}"
    assert str(saved) == "Visa ending 4242"


def csp(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    return {name: set(sources) for name, *sources in (p.split() for p in header.split(";") if p)}


def test_Y3_stripe_widens_the_csp_of_the_payment_and_review_pages_only_and_exactly(
    client, settings
):
    settings.PAYMENT_GATEWAY = "camshaft.payments.gateways.stripe.StripeGateway"
    settings.STRIPE_API_BASE = ""  # Stripe's own hosts; these pages call no API
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    browser = RecordingClient(client)
    payment = csp(to_payment_step(browser, stocked_part(price=Decimal("100.04"))))
    stripe_js = {"https://js.stripe.com", "https://*.js.stripe.com"}
    assert payment["script-src"] == {"'self'", *stripe_js}
    assert payment["frame-src"] == {"'self'", *stripe_js, "https://hooks.stripe.com"}
    assert payment["connect-src"] == {"'self'", "https://api.stripe.com"}
    # The bank's 3-D Secure page answers the review page's form (a redirect).
    assert payment["form-action"] == {"'self'", "https://hooks.stripe.com"}
    assert payment["style-src"] == {"'self'"} and payment["img-src"] == {"'self'", "data:"}
    assert client.post(reverse("checkout_payment"), {"method": "check"}).status_code == 302
    review = csp(client.get(reverse("checkout_review")))
    assert review["form-action"] == {"'self'", "https://hooks.stripe.com"}
    assert review["script-src"] == {"'self'"} and review["frame-src"] == {"'self'"}
    for elsewhere in (reverse("checkout_address"), reverse("cart"), "/"):
        policy = csp(client.get(elsewhere))
        assert policy["script-src"] == {"'self'"}, elsewhere
        assert policy["form-action"] == {"'self'"}, elsewhere


def test_Y1_paypal_approval_page_is_the_only_place_the_payment_form_may_send_a_shopper(
    client, settings
):
    settings.PAYPAL_GATEWAY = "camshaft.payments.gateways.paypal.PayPalGateway"
    settings.PAYPAL_API_BASE = ""
    settings.PAYPAL_ENVIRONMENT = "sandbox"
    page = to_payment_step(RecordingClient(client), stocked_part(price=Decimal("100.04")))
    policy = csp(page)
    assert policy["form-action"] == {"'self'", "https://www.sandbox.paypal.com"}
    assert policy["script-src"] == {"'self'"}  # PayPal: a redirect, no script or frame


def test_Y2_api_checkout_with_a_stripe_token_and_3d_secure(client, stripe_fake):
    """A mobile app tokenizes the card with Stripe's SDK and sends the token;
    the bank's 3-D Secure is a 402 with the page to open, then a new attempt."""
    from tests.checkout.test_api_checkout import App
    from tests.shopping import ADDRESS

    app = App(client)
    part = stocked_part(price=Decimal("100.04"))
    for method, path, body in [
        ("post", "/cart/lines", {"sku": part.sku, "quantity": 1}),
        ("put", "/checkout/addresses", {"email": "pat@example.com", "billing": ADDRESS}),
        ("put", "/checkout/shipping-method", {"code": "standard"}),
    ]:
        assert app.call(method, path, body).status_code == 200
    stripe_fake.expect_request(f"/v1/payment_methods/{PM}").respond_with_json(
        stripe_api.payment_method()
    )
    chosen = app.call("put", "/checkout/payment", {"method": "card", "card_token": PM})
    assert chosen.status_code == 200, chosen.json()
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.requires_action()
    )
    first = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "3ds-1"})
    assert first.status_code == 402
    assert first.json()["redirect_url"].startswith("https://hooks.stripe.com/3d_secure_2/")
    assert not Order.objects.exists()
    pending = stripe_api.requires_action()["id"]
    stripe_fake.expect_request(f"/v1/payment_intents/{pending}").respond_with_json(
        stripe_api.payment_intent(id=pending)
    )
    second = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "3ds-2"})
    assert second.status_code == 201, second.json()
    assert Order.objects.get().payment.authorization_reference == pending
