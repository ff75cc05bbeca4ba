"""Y1, Y4 through the checkout pages with cards at Stripe and PayPal through
its own gateway (PAYPAL_GATEWAY), both SDKs pointed at local fakes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from camshaft.orders.models import Order
from camshaft.payments.models import PaymentStatus
from tests.checkout.test_stripe_checkout import RecordingClient, to_payment_step
from tests.payments.fakes import paypal_api
from tests.payments.fakes.paypal_api import ORDER_ID
from tests.shopping import place_from_review, stocked_part

pytestmark = pytest.mark.django_db


def test_Y1_paypal_next_to_stripe_sends_the_shopper_to_paypal_and_places_the_order(
    client, stripe_fake, paypal_fake
):
    to_payment_step(RecordingClient(client), stocked_part(price=Decimal("100.04")))
    paypal_fake.expect_request("/v2/checkout/orders", method="POST").respond_with_json(
        paypal_api.created_order()
    )
    for _ in range(2):  # a double click, or back and again: one PayPal order
        to_paypal = client.post(reverse("checkout_payment"), {"method": "paypal"})
        assert to_paypal.url == f"https://www.paypal.com/checkoutnow?token={ORDER_ID}"
    keys = {
        request.headers["PayPal-Request-Id"]
        for request, _ in paypal_fake.log
        if request.path == "/v2/checkout/orders"
    }
    assert len(keys) == 1
    back = client.get(reverse("checkout_wallet_return", args=["paypal"]), {"token": ORDER_ID})
    assert back.url == reverse("checkout_review")
    paypal_fake.expect_request(f"/v2/checkout/orders/{ORDER_ID}/authorize").respond_with_json(
        paypal_api.authorized_order(), status=201
    )
    placed = place_from_review(client, client.get(reverse("checkout_review")))
    order = Order.objects.get()
    assert placed.url == reverse("order_detail", args=[order.number])
    assert (order.payment.gateway, order.payment.status) == ("paypal", PaymentStatus.AUTHORIZED)


def test_Y1_paypal_that_does_not_answer_leaves_the_shopper_on_the_payment_step(client, paypal_fake):
    to_payment_step(RecordingClient(client), stocked_part(price=Decimal("100.04")))
    paypal_fake.expect_request("/v2/checkout/orders", method="POST").respond_with_json(
        {"name": "INTERNAL_SERVER_ERROR", "message": "An internal server error occurred."},
        status=500,
    )
    answer = client.post(reverse("checkout_payment"), {"method": "paypal"})
    assert answer.status_code == 400
    assert b"PayPal did not answer" in answer.content
