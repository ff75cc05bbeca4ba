"""Y3 over a whole checkout: after paying with every test card through the
pages and the API, no Luhn-valid test card number is anywhere in the
database (sessions decoded), the outbox or the logs."""

import logging

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from camshaft.notifications.models import OutboxMessage
from camshaft.orders.models import Order
from tests.payments.test_card_data import card_numbers_in, everything_stored
from tests.shopping import TEST_CARDS, cvc_for, place_from_review, stocked_part, web_checkout

pytestmark = pytest.mark.django_db


def test_Y3_no_card_number_anywhere_after_checkouts(client, caplog):
    caplog.set_level(logging.DEBUG)
    numbers = {number.replace(" ", "") for number in TEST_CARDS}
    part = stocked_part()
    for number in TEST_CARDS:
        client.cookies.clear()
        review = web_checkout(client, part, number=number)
        place_from_review(client, review)
        api_headers = {}
        added = client.post(
            "/api/v1/cart/lines", {"sku": part.sku, "quantity": 1}, content_type="application/json"
        )
        api_headers["X-Cart-Token"] = added.json()["token"]
        client.put(
            "/api/v1/checkout/addresses",
            {
                "email": "api@example.com",
                "billing": review.context["summary"].checkout.billing_address,
            },
            content_type="application/json",
            headers=api_headers,
        )
        client.put(
            "/api/v1/checkout/shipping-method",
            {"code": "standard"},
            content_type="application/json",
            headers=api_headers,
        )
        card = {"number": number, "exp_month": 12, "exp_year": 2099, "cvc": cvc_for(number)}
        client.put(
            "/api/v1/checkout/payment",
            {"method": "card", "card": card},
            content_type="application/json",
            headers=api_headers,
        )
        client.post(
            "/api/v1/checkout/orders",
            {},
            content_type="application/json",
            headers={**api_headers, "Idempotency-Key": number},
        )
    # A bad card typed into the form must not linger either.
    client.post(reverse("checkout_payment"), {"method": "card", "card_number": "4242424242424241"})

    assert Order.objects.count() >= 8  # the approving cards went through both ways
    assert OutboxMessage.objects.filter(category="order_confirmation").exists()
    stored = everything_stored()
    sessions = "\n".join(str(s.get_decoded()) for s in Session.objects.all())
    assert "4242" in stored  # last four are kept: the scan read real rows
    assert card_numbers_in(stored, numbers) == set()
    assert card_numbers_in(sessions, numbers) == set()
    assert caplog.records
    assert card_numbers_in(caplog.text, numbers) == set()
