"""Y1-Y5 with PayPal (Orders v2, intent AUTHORIZE), the SDK pointed at a local
fake of PayPal's API."""

import json
import time
from decimal import Decimal

import pytest
from werkzeug import Response

from camshaft.payments import services
from camshaft.payments.gateways import GatewayUnavailable, get_gateway
from camshaft.payments.models import Payment, PaymentStatus
from tests.payments.fakes import paypal_api
from tests.payments.fakes.paypal_api import AUTHORIZATION_ID, CAPTURE_ID, ORDER_ID

pytestmark = pytest.mark.django_db
TOTAL = Decimal("109.99")


def sent(server, path):
    return [
        (request.get_data(as_text=True), request.headers)
        for request, _ in server.log
        if request.path == path
    ]


def authorized(fake, key="authorize:1"):
    fake.expect_request(f"/v2/checkout/orders/{ORDER_ID}/authorize").respond_with_json(
        paypal_api.authorized_order(), status=201
    )
    return services.authorize_wallet_payment(
        wallet="paypal", amount=TOTAL, currency="USD", wallet_token=ORDER_ID, idempotency_key=key
    )


def test_Y1_paypal_order_with_intent_authorize_sends_the_shopper_to_paypal(paypal_fake):
    paypal_fake.expect_request("/v2/checkout/orders", method="POST").respond_with_json(
        paypal_api.created_order(), status=200
    )
    session = get_gateway(wallet="paypal").start_wallet(
        wallet="paypal", amount=TOTAL, currency="USD", return_url="https://shop.test/back/"
    )
    assert session.token == ORDER_ID
    assert session.redirect_url == f"https://www.paypal.com/checkoutnow?token={ORDER_ID}"
    ((body, _),) = sent(paypal_fake, "/v2/checkout/orders")
    order = json.loads(body)
    assert order["intent"] == "AUTHORIZE"
    assert order["purchase_units"] == [{"amount": {"currency_code": "USD", "value": "109.99"}}]


def test_Y1_paypal_authorizes_the_approved_order(paypal_fake):
    payment = authorized(paypal_fake)
    assert payment.status == PaymentStatus.AUTHORIZED
    assert payment.gateway == "paypal"
    assert payment.authorization_reference == AUTHORIZATION_ID
    ((_, headers),) = sent(paypal_fake, f"/v2/checkout/orders/{ORDER_ID}/authorize")
    assert headers["PayPal-Request-Id"] == "authorize:1"


def test_Y1_paypal_decline_is_stored_and_told_to_the_shopper(paypal_fake):
    paypal_fake.expect_request(f"/v2/checkout/orders/{ORDER_ID}/authorize").respond_with_json(
        paypal_api.unprocessable(), status=422
    )
    with pytest.raises(services.PaymentDeclined) as declined:
        services.authorize_wallet_payment(
            wallet="paypal",
            amount=TOTAL,
            currency="USD",
            wallet_token=ORDER_ID,
            idempotency_key="authorize:2",
        )
    assert declined.value.payment.status == PaymentStatus.DECLINED


def test_Y2_paypal_captures_per_shipment_then_refunds(paypal_fake):
    payment = authorized(paypal_fake)
    paypal_fake.expect_request(
        f"/v2/payments/authorizations/{AUTHORIZATION_ID}/capture"
    ).respond_with_json(paypal_api.capture(), status=201)
    services.capture_payment(payment=payment, amount=Decimal("60.00"), idempotency_key="cap:1")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTLY_CAPTURED
    ((body, headers),) = sent(
        paypal_fake, f"/v2/payments/authorizations/{AUTHORIZATION_ID}/capture"
    )
    assert json.loads(body) == {
        "amount": {"currency_code": "USD", "value": "60.00"},
        "final_capture": False,
    }
    assert headers["PayPal-Request-Id"] == "cap:1"
    paypal_fake.expect_request(f"/v2/payments/captures/{CAPTURE_ID}/refund").respond_with_json(
        paypal_api.refund(), status=201
    )
    for _ in range(2):  # a double click refunds once
        services.refund_payment(payment=payment, amount=Decimal("20.00"), idempotency_key="rma:1")
    assert len(sent(paypal_fake, f"/v2/payments/captures/{CAPTURE_ID}/refund")) == 1
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("20.00")


def test_Y2_paypal_voids_the_authorization_on_cancellation(paypal_fake):
    payment = authorized(paypal_fake)
    paypal_fake.expect_request(
        f"/v2/payments/authorizations/{AUTHORIZATION_ID}/void"
    ).respond_with_data("", status=204)
    services.void_payment(payment=payment, idempotency_key="void:1")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.VOIDED


def test_Y5_paypal_timeout_stores_nothing(paypal_fake):
    def slow(request):
        time.sleep(1.5)
        return Response("{}", content_type="application/json")

    paypal_fake.expect_request(f"/v2/checkout/orders/{ORDER_ID}/authorize").respond_with_handler(
        slow
    )
    with pytest.raises(GatewayUnavailable):
        services.authorize_wallet_payment(
            wallet="paypal",
            amount=TOTAL,
            currency="USD",
            wallet_token=ORDER_ID,
            idempotency_key="authorize:3",
        )
    assert not Payment.objects.exists()


def test_Y5_amazon_pay_and_visa_checkout_are_not_wired_yet(paypal_fake, settings):
    settings.PAYMENT_GATEWAY = "camshaft.payments.gateways.paypal.PayPalGateway"
    with pytest.raises(GatewayUnavailable, match="not wired"):
        get_gateway(wallet="amazon_pay").start_wallet(
            wallet="amazon_pay", amount=TOTAL, currency="USD", return_url="https://shop.test/"
        )


def test_Y2_paypal_payer_action_required_sends_the_buyer_back_to_paypal_then_authorizes(
    paypal_fake,
):
    paypal_fake.expect_oneshot_request(
        f"/v2/checkout/orders/{ORDER_ID}/authorize"
    ).respond_with_json(
        paypal_api.unprocessable(
            "PAYER_ACTION_REQUIRED",
            "Payer needs to perform the following action before proceeding with payment.",
        ),
        status=422,
    )
    paypal_fake.expect_request(f"/v2/checkout/orders/{ORDER_ID}", method="GET").respond_with_json(
        paypal_api.created_order()
    )
    with pytest.raises(services.PaymentActionRequired) as needed:
        services.authorize_wallet_payment(
            wallet="paypal",
            amount=TOTAL,
            currency="USD",
            wallet_token=ORDER_ID,
            idempotency_key="authorize:7",
        )
    assert needed.value.redirect_url == f"https://www.paypal.com/checkoutnow?token={ORDER_ID}"
    assert not Payment.objects.exists()  # nothing held until the buyer acts
    payment = authorized(paypal_fake, key="authorize:8")  # back from PayPal
    assert payment.status == PaymentStatus.AUTHORIZED


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _keys(item)}
    return set()


def test_V10_paypal_receives_only_amounts_and_ids_never_who_pays(paypal_fake):
    paypal_fake.expect_request("/v2/checkout/orders", method="POST").respond_with_json(
        paypal_api.created_order()
    )
    get_gateway(wallet="paypal").start_wallet(
        wallet="paypal",
        amount=TOTAL,
        currency="USD",
        return_url="https://shop.test/back/",
        idempotency_key="wallet:v10",
    )
    payment = authorized(paypal_fake, key="authorize:v10")
    paypal_fake.expect_request(
        f"/v2/payments/authorizations/{AUTHORIZATION_ID}/capture"
    ).respond_with_json(paypal_api.capture(), status=201)
    services.capture_payment(payment=payment, amount=TOTAL, idempotency_key="cap:v10")
    paypal_fake.expect_request(f"/v2/payments/captures/{CAPTURE_ID}/refund").respond_with_json(
        paypal_api.refund(), status=201
    )
    services.refund_payment(payment=payment, amount=Decimal("20.00"), idempotency_key="rma:v10")
    sent = set()
    for request, _ in paypal_fake.log:
        if request.path == "/v1/oauth2/token":
            continue
        assert request.headers.get("PayPal-Request-Id"), request.path
        body = request.get_data(as_text=True)
        sent |= _keys(json.loads(body)) if body else set()
    assert sent == {
        "intent",
        "purchase_units",
        "amount",
        "currency_code",
        "value",
        "payment_source",
        "paypal",
        "experience_context",
        "return_url",
        "cancel_url",
        "user_action",
        "shipping_preference",
        "final_capture",
    }


def test_Y3_paypal_never_takes_a_card_number(paypal_fake):
    from camshaft.payments.cards import CardInvalid

    with pytest.raises(CardInvalid):
        get_gateway(wallet="paypal").tokenize_card(
            number="4242424242424242", exp_month=8, exp_year=2099, cvc="123", holder="Pat"
        )
    assert not paypal_fake.log


def test_Y5_paypal_capture_that_times_out_leaves_nothing_half_done(paypal_fake):
    payment = authorized(paypal_fake)

    def slow(request):
        time.sleep(1.5)
        return Response("{}", content_type="application/json")

    paypal_fake.expect_oneshot_request(
        f"/v2/payments/authorizations/{AUTHORIZATION_ID}/capture"
    ).respond_with_handler(slow)
    with pytest.raises(GatewayUnavailable):
        services.capture_payment(payment=payment, amount=TOTAL, idempotency_key="cap:slow")
    payment.refresh_from_db()
    assert (payment.status, payment.amount_captured) == (PaymentStatus.AUTHORIZED, 0)
    assert not payment.transactions.filter(kind="capture").exists()
    paypal_fake.expect_request(
        f"/v2/payments/authorizations/{AUTHORIZATION_ID}/capture"
    ).respond_with_json(paypal_api.capture(), status=201)
    services.capture_payment(payment=payment, amount=TOTAL, idempotency_key="cap:slow")
    retries = [
        request.headers["PayPal-Request-Id"]
        for request, _ in paypal_fake.log
        if request.path.endswith("/capture")
    ]
    assert retries == ["cap:slow", "cap:slow"]  # the retry is the same request to PayPal
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED
