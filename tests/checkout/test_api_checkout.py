"""K1-K4 and Y1-Y4 through the JSON API, as a mobile app would use it."""

from datetime import date
from decimal import Decimal

import pytest

from camshaft.accounts.models import User
from camshaft.accounts.services import issue_api_token
from camshaft.consent.services import current_policy
from camshaft.orders.models import Order
from camshaft.payments.models import Payment, TestGatewayOperation
from tests.shopping import ADDRESS, DECLINES, VISA, stocked_part

pytestmark = pytest.mark.django_db

CARD = {"number": VISA, "exp_month": 12, "exp_year": 2099, "cvc": "123", "holder": "Pat"}


class App:
    """A mobile app talking to the API: it keeps the guest cart token or a
    member's bearer token and sends it on every call."""

    def __init__(self, client, user=None):
        self.client = client
        self.headers = {}
        if user is not None:
            self.headers["Authorization"] = f"Bearer {issue_api_token(user=user).key}"

    def call(self, method, path, body=None, **headers):
        response = getattr(self.client, method)(
            f"/api/v1{path}",
            body if body is not None else {},
            content_type="application/json",
            headers={**self.headers, **headers},
        )
        if "token" in (data := _json(response)) and data.get("token"):
            self.headers["X-Cart-Token"] = data["token"]
        return response

    def ready(self, part, *, quantity=1, card=CARD, email="pat@example.com"):
        steps = [
            ("post", "/cart/lines", {"sku": part.sku, "quantity": quantity}),
            ("put", "/checkout/addresses", {"email": email, "billing": ADDRESS}),
            ("put", "/checkout/shipping-method", {"code": "standard"}),
        ]
        for method, path, body in steps:
            response = self.call(method, path, body)
            assert response.status_code == 200, response.json()
        response = self.call("put", "/checkout/payment", {"method": "card", "card": card})
        assert response.status_code == 200, response.json()
        return response.json()


def _json(response):
    try:
        return response.json()
    except ValueError:
        return {}


def test_K2_guest_checks_out_through_the_api(client):
    app = App(client)
    part = stocked_part(price=Decimal("30.00"))
    state = app.ready(part, quantity=2)
    assert state["missing"] == []
    assert state["payment"] == "Visa ending 4242"
    assert state["grand_total"] == "69.95"
    assert [o["code"] for o in state["shipping_options"]] == ["standard", "two_day", "overnight"]
    placed = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "a1"})
    assert placed.status_code == 201, placed.json()
    body = placed.json()
    assert body["status"] == "placed"
    assert body["grand_total"] == "69.95"
    assert body["payment"] == "Visa ending 4242"
    assert app.call("get", "/cart").json()["lines"] == []


def test_Y4_api_retry_with_the_same_idempotency_key_returns_the_same_order(client):
    app = App(client)
    app.ready(stocked_part())
    first = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "retry-me"})
    again = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "retry-me"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Order.objects.count() == 1
    assert TestGatewayOperation.objects.filter(kind="authorize").count() == 1


def test_Y4_placing_without_an_idempotency_key_is_refused(client):
    app = App(client)
    app.ready(stocked_part())
    response = app.call("post", "/checkout/orders", {})
    assert response.status_code == 422
    assert not Order.objects.exists()


def test_K3_prices_and_totals_sent_by_the_client_are_refused_and_never_used(client):
    """A field the contract does not name is a 422 (B2): a client cannot even
    send a price, and the order's totals are the server's."""
    app = App(client)
    part = stocked_part(price=Decimal("80.00"))
    sneaky = app.call("post", "/cart/lines", {"sku": part.sku, "quantity": 1, "price": "0.01"})
    assert sneaky.status_code == 422
    app.call("post", "/cart/lines", {"sku": part.sku, "quantity": 1})
    app.call("put", "/checkout/addresses", {"email": "pat@example.com", "billing": ADDRESS})
    app.call("put", "/checkout/shipping-method", {"code": "standard"})
    app.call("put", "/checkout/payment", {"method": "card", "card": CARD})
    refused = app.call(
        "post",
        "/checkout/orders",
        {"grand_total": "0.01", "discount_total": "80.00"},
        **{"Idempotency-Key": "k"},
    )
    assert refused.status_code == 422
    assert not Order.objects.exists()
    placed = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "k"})
    assert placed.status_code == 201
    order = Order.objects.get()
    assert order.grand_total == Decimal("89.95")
    assert order.discount_total == 0
    assert order.payment.amount == Decimal("89.95")


def test_Y1_declined_card_is_a_402_with_the_reason(client):
    app = App(client)
    app.ready(stocked_part(), card={**CARD, "number": DECLINES})
    response = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "k"})
    assert response.status_code == 402
    assert "declined" in response.json()["detail"]
    assert not Order.objects.exists()


def test_Y1_invalid_card_is_refused_with_a_message_that_does_not_repeat_it(client):
    app = App(client)
    part = stocked_part()
    app.call("post", "/cart/lines", {"sku": part.sku, "quantity": 1})
    bad = {**CARD, "number": "4242 4242 4242 4241"}
    response = app.call("put", "/checkout/payment", {"method": "card", "card": bad})
    assert response.status_code == 422
    assert "4242424242424241" not in response.content.decode().replace(" ", "")
    assert not Payment.objects.exists()


def test_K2_incomplete_checkout_is_a_409_saying_what_is_missing(client):
    app = App(client)
    app.call("post", "/cart/lines", {"sku": stocked_part().sku, "quantity": 1})
    response = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "k"})
    assert response.status_code == 409
    assert "billing address" in response.json()["detail"]
    bad_method = app.call("put", "/checkout/shipping-method", {"code": "teleport"})
    assert bad_method.status_code == 422


def test_K2_member_checks_out_with_a_bearer_token_and_a_saved_card(client, django_user_model):
    member = django_user_model.objects.create_user(email="m@example.com", password="x-long-pass")
    app = App(client, user=member)
    part = stocked_part()
    app.call("post", "/cart/lines", {"sku": part.sku, "quantity": 1})
    app.call("put", "/checkout/addresses", {"billing": ADDRESS})
    app.call("put", "/checkout/shipping-method", {"code": "standard"})
    app.call("put", "/checkout/payment", {"method": "card", "card": CARD, "save_card": True})
    placed = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "m1"})
    assert placed.status_code == 201
    assert placed.json()["email"] == "m@example.com"
    cards = app.call("get", "/me/cards").json()
    assert [c["last4"] for c in cards] == ["4242"]

    app.call("post", "/cart/lines", {"sku": part.sku, "quantity": 1})
    app.call("put", "/checkout/addresses", {"billing": ADDRESS})
    app.call("put", "/checkout/shipping-method", {"code": "overnight"})
    chosen = app.call(
        "put", "/checkout/payment", {"method": "card", "saved_card_id": cards[0]["id"]}
    )
    assert chosen.json()["payment"] == "Visa ending 4242"
    second = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "m2"})
    assert second.status_code == 201
    assert second.json()["shipping_method"] == "Overnight"

    orders = app.call("get", "/orders").json()
    assert orders["total"] == 2
    assert app.call("delete", f"/me/cards/{cards[0]['id']}").status_code == 204
    assert app.call("delete", f"/me/cards/{cards[0]['id']}").status_code == 404


def test_K4_guest_opens_an_account_when_placing_the_order_through_the_api(client):
    app = App(client)
    app.ready(stocked_part(), email="new@example.com")
    account = {
        "password": "gasket-torque-41",
        "date_of_birth": str(date(1990, 1, 1)),
        "accepted_policy_version": current_policy().version,
    }
    placed = app.call(
        "post", "/checkout/orders", {"create_account": account}, **{"Idempotency-Key": "k"}
    )
    assert placed.status_code == 201
    user = User.objects.get(email="new@example.com")
    assert Order.objects.get().user == user
    token = client.post(
        "/api/v1/auth/token",
        {"email": "new@example.com", "password": "gasket-torque-41"},
        content_type="application/json",
    ).json()["token"]
    mine = client.get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"}).json()
    assert mine["total"] == 1


def test_Y1_wallet_through_the_api(client):
    app = App(client)
    part = stocked_part()
    app.call("post", "/cart/lines", {"sku": part.sku, "quantity": 1})
    app.call("put", "/checkout/addresses", {"email": "pat@example.com", "billing": ADDRESS})
    app.call("put", "/checkout/shipping-method", {"code": "standard"})
    started = app.call(
        "post",
        "/checkout/wallet",
        {"wallet": "amazon_pay", "return_url": "https://app.example/back"},
    ).json()
    assert started["redirect_url"].startswith("https://app.example/back?wallet_token=")
    chosen = app.call(
        "put",
        "/checkout/payment",
        {"method": "amazon_pay", "wallet_token": started["wallet_token"]},
    )
    assert chosen.json()["payment"] == "Amazon Pay"
    placed = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "w"})
    assert placed.status_code == 201
    assert placed.json()["payment"] == "Amazon Pay"


def test_Y1_offline_payment_through_the_api_says_it_delays_the_order(client):
    app = App(client)
    part = stocked_part()
    app.call("post", "/cart/lines", {"sku": part.sku, "quantity": 1})
    app.call("put", "/checkout/addresses", {"email": "pat@example.com", "billing": ADDRESS})
    app.call("put", "/checkout/shipping-method", {"code": "standard"})
    chosen = app.call("put", "/checkout/payment", {"method": "wire_transfer"}).json()
    assert any("delays" in notice for notice in chosen["notices"])
    placed = app.call("post", "/checkout/orders", {}, **{"Idempotency-Key": "w"}).json()
    assert placed["status"] == "awaiting_payment"
    assert any("delays" in notice for notice in placed["notices"])


def test_B2_a_wrong_bearer_token_is_a_401_not_a_guest(client):
    response = client.get("/api/v1/checkout", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
