"""Y1: checkout offers only the wallets a configured gateway really takes.
With Stripe for cards and PayPal through its own gateway, Amazon Pay and
Visa Checkout are not offered, and choosing them anyway is refused with a
reason and changes nothing, on the pages and through the API."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from camshaft.checkout.models import Checkout
from tests.checkout.test_api_checkout import App
from tests.checkout.test_stripe_checkout import RecordingClient, to_payment_step
from tests.shopping import ADDRESS, stocked_part

pytestmark = pytest.mark.django_db


def offered(page) -> set[str]:
    return set(re.findall(r'name="method" value="([a-z_]+)"', page.content.decode()))


def test_Y1_with_the_test_gateway_every_wallet_is_offered(client):
    page = to_payment_step(RecordingClient(client), stocked_part(price=Decimal("100.04")))
    assert {"card", "paypal", "amazon_pay", "visa_checkout", "check"} <= offered(page)
    assert "Wallets" in page.content.decode()


def test_Y1_stripe_and_paypal_offer_paypal_but_not_amazon_pay_or_visa_checkout(
    client, stripe_fake, paypal_fake
):
    page = to_payment_step(RecordingClient(client), stocked_part(price=Decimal("100.04")))
    methods = offered(page)
    assert {"card", "paypal", "check", "money_order", "wire_transfer"} <= methods
    assert not methods & {"amazon_pay", "visa_checkout"}
    assert "Amazon Pay" not in page.content.decode()


def test_Y1_stripe_alone_offers_no_wallet_at_all(client, stripe_fake):
    page = to_payment_step(RecordingClient(client), stocked_part(price=Decimal("100.04")))
    assert not offered(page) & {"paypal", "amazon_pay", "visa_checkout"}
    assert "Wallets" not in page.content.decode()


@pytest.mark.parametrize("wallet", ["amazon_pay", "visa_checkout"])
def test_Y1_a_wallet_not_offered_is_refused_on_the_page_and_nothing_is_chosen(
    client, stripe_fake, paypal_fake, wallet
):
    to_payment_step(RecordingClient(client), stocked_part(price=Decimal("100.04")))
    response = client.post(reverse("checkout_payment"), {"method": wallet})
    assert response.status_code == 400  # the page again, with the reason
    assert "Select a valid choice" in response.content.decode()
    assert not Checkout.objects.exclude(payment_method="").exists()
    assert not stripe_fake.log  # no processor was asked


@pytest.mark.parametrize("wallet", ["amazon_pay", "visa_checkout"])
def test_Y1_a_wallet_not_offered_is_refused_by_the_api_and_nothing_is_chosen(
    client, stripe_fake, paypal_fake, wallet
):
    app = App(client)
    app.call("post", "/cart/lines", {"sku": stocked_part().sku, "quantity": 1})
    app.call("put", "/checkout/addresses", {"email": "pat@example.com", "billing": ADDRESS})
    started = app.call(
        "post", "/checkout/wallet", {"wallet": wallet, "return_url": "https://app.example/back"}
    )
    assert started.status_code == 422
    assert "PayPal" in started.content.decode()  # what the store does take
    chosen = app.call("put", "/checkout/payment", {"method": wallet, "wallet_token": "w"})
    assert chosen.status_code == 422
    assert not Checkout.objects.exclude(payment_method="").exists()
