"""Y1-Y5 with Stripe, its SDK pointed at a local fake of Stripe's API."""

import time
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from werkzeug import Response

from camshaft.payments import services
from camshaft.payments.cards import CardInvalid
from camshaft.payments.gateways import CardToken, GatewayUnavailable, get_gateway
from camshaft.payments.models import Payment, PaymentStatus
from tests.payments.fakes import stripe_api

pytestmark = pytest.mark.django_db
PI = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
CARD = CardToken("pm_1MtwBwLkdIwHu7ixvtmAbC7t", "visa", "4242", 8, 2099)
TOTAL = Decimal("109.99")


def sent(server, path):
    """The form fields and headers of each request the fake received on `path`."""
    return [
        (parse_qs(request.get_data(as_text=True)), request.headers)
        for request, _ in server.log
        if request.path == path
    ]


def authorized(stripe_fake, key="authorize:1"):
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent()
    )
    return services.authorize_card_payment(
        amount=TOTAL, currency="USD", card=CARD, idempotency_key=key
    )


def test_Y1_stripe_authorizes_a_card_with_manual_capture(stripe_fake):
    payment = authorized(stripe_fake)
    assert payment.status == PaymentStatus.AUTHORIZED
    assert payment.gateway == "stripe"
    assert payment.authorization_reference == PI
    ((fields, headers),) = sent(stripe_fake, "/v1/payment_intents")
    assert fields["amount"] == ["10999"]
    assert fields["currency"] == ["usd"]
    assert fields["capture_method"] == ["manual"]
    assert fields["payment_method"] == [CARD.token]
    assert headers["Idempotency-Key"] == "authorize:1"


@pytest.mark.parametrize(
    ("decline_code", "status"),
    [("generic_decline", "declined"), ("insufficient_funds", "insufficient_funds")],
)
def test_Y1_stripe_decline_is_stored_and_told_to_the_shopper(stripe_fake, decline_code, status):
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.card_error(decline_code), status=402
    )
    with pytest.raises(services.PaymentDeclined) as declined:
        services.authorize_card_payment(
            amount=TOTAL, currency="USD", card=CARD, idempotency_key="authorize:2"
        )
    assert declined.value.status == status
    assert declined.value.payment.status == PaymentStatus.DECLINED
    assert "declined" in declined.value.message


def test_Y2_stripe_3d_secure_sends_the_shopper_to_the_bank_then_resumes(stripe_fake):
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.requires_action()
    )
    with pytest.raises(services.PaymentActionRequired) as needed:
        services.authorize_card_payment(
            amount=TOTAL, currency="USD", card=CARD, idempotency_key="authorize:3"
        )
    assert needed.value.redirect_url.startswith("https://hooks.stripe.com/3d_secure_2/")
    assert not Payment.objects.exists()  # nothing held until the bank says yes
    pending = needed.value.reference
    stripe_fake.expect_request(f"/v1/payment_intents/{pending}", method="GET").respond_with_json(
        stripe_api.payment_intent(id=pending)
    )
    back = CardToken(pending, "visa", "4242", 8, 2099)
    payment = services.authorize_card_payment(
        amount=TOTAL, currency="USD", card=back, idempotency_key="authorize:4"
    )
    assert payment.status == PaymentStatus.AUTHORIZED
    assert payment.authorization_reference == pending


def test_Y2_stripe_captures_per_shipment_part_of_the_authorization(stripe_fake):
    payment = authorized(stripe_fake)
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}", method="GET").respond_with_json(
        stripe_api.payment_intent()
    )
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}/capture").respond_with_json(
        stripe_api.payment_intent("requires_capture")
    )
    services.capture_payment(payment=payment, amount=Decimal("60.00"), idempotency_key="cap:1")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTLY_CAPTURED
    ((fields, headers),) = sent(stripe_fake, f"/v1/payment_intents/{PI}/capture")
    assert fields["amount_to_capture"] == ["6000"]
    assert fields["final_capture"] == ["false"]
    assert headers["Idempotency-Key"] == "cap:1"


def test_Y2_stripe_voids_the_authorization_on_cancellation(stripe_fake):
    payment = authorized(stripe_fake)
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}/cancel").respond_with_json(
        stripe_api.payment_intent("canceled")
    )
    services.void_payment(payment=payment, idempotency_key="void:1")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.VOIDED


def test_Y2_stripe_order_shipped_whole_is_a_final_capture_any_account_may_make(stripe_fake):
    payment = authorized(stripe_fake)
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}", method="GET").respond_with_json(
        stripe_api.payment_intent()
    )
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}/capture").respond_with_json(
        stripe_api.payment_intent("succeeded")
    )
    services.capture_payment(payment=payment, amount=TOTAL, idempotency_key="cap:whole")
    ((fields, _),) = sent(stripe_fake, f"/v1/payment_intents/{PI}/capture")
    assert fields == {"amount_to_capture": ["10999"]}  # no final_capture: no multicapture needed
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED


def test_Y4_stripe_refund_is_made_once_for_a_repeated_request(stripe_fake):
    payment = authorized(stripe_fake)
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}", method="GET").respond_with_json(
        stripe_api.payment_intent()
    )
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}/capture").respond_with_json(
        stripe_api.payment_intent("succeeded")
    )
    services.capture_payment(payment=payment, amount=TOTAL, idempotency_key="cap:2")
    stripe_fake.expect_request("/v1/refunds", method="POST").respond_with_json(stripe_api.refund())
    for _ in range(2):  # a double click
        services.refund_payment(payment=payment, amount=Decimal("20.00"), idempotency_key="rma:1")
    ((fields, headers),) = sent(stripe_fake, "/v1/refunds")
    assert fields == {"charge": ["ch_3MtwBwLkdIwHu7ix28a3tqPa"], "amount": ["2000"]}
    assert headers["Idempotency-Key"] == "rma:1:0"
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("20.00")


def test_Y5_stripe_timeout_stores_nothing_and_may_be_retried(stripe_fake):
    def slow(request):
        time.sleep(1.5)
        return Response("{}", content_type="application/json")

    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_handler(slow)
    with pytest.raises(GatewayUnavailable):
        services.authorize_card_payment(
            amount=TOTAL, currency="USD", card=CARD, idempotency_key="authorize:5"
        )
    assert not Payment.objects.exists()


def test_Y5_stripe_server_error_is_unavailable_not_a_decline(stripe_fake):
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        {"error": {"type": "api_error", "message": "Something went wrong."}}, status=500
    )
    with pytest.raises(GatewayUnavailable):
        services.authorize_card_payment(
            amount=TOTAL, currency="USD", card=CARD, idempotency_key="authorize:6"
        )
    assert not Payment.objects.exists()


def test_Y3_stripe_never_takes_a_card_number(stripe_fake):
    with pytest.raises(CardInvalid):
        get_gateway().tokenize_card(
            number="4242424242424242", exp_month=8, exp_year=2099, cvc="123", holder="Pat"
        )
    assert not stripe_fake.log


def test_Y3_stripe_describes_a_browser_token_by_brand_and_last_four(stripe_fake):
    stripe_fake.expect_request(f"/v1/payment_methods/{CARD.token}").respond_with_json(
        stripe_api.payment_method()
    )
    assert get_gateway().describe_card(token=CARD.token) == CARD


def test_K2_stripe_keeps_a_saved_card_with_a_customer_of_its_own(stripe_fake):
    stripe_fake.expect_request("/v1/customers", method="POST").respond_with_json(
        {"id": "cus_NffrFeUfNV2Hib", "object": "customer"}
    )
    stripe_fake.expect_request(f"/v1/payment_methods/{CARD.token}/attach").respond_with_json(
        stripe_api.payment_method()
    )
    stripe_fake.expect_request(f"/v1/payment_methods/{CARD.token}").respond_with_json(
        stripe_api.payment_method()
    )
    kept = get_gateway().keep_card(token=CARD.token)
    assert kept.token == f"cus_NffrFeUfNV2Hib:{CARD.token}"
    ((customer, _),) = sent(stripe_fake, "/v1/customers")
    assert customer == {}  # no name, no email: only what the register lists leaves (V10)


def test_Y5_stripe_amounts_in_minor_units_yen_have_none():
    from camshaft.payments.gateways.stripe import minor_units

    assert minor_units(Decimal("109.99"), "USD") == 10999
    assert minor_units(Decimal("1200"), "JPY") == 1200


def test_K2_stripe_forgets_a_saved_card_its_member_removes(
    client, stripe_fake, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from camshaft.payments.models import SavedCard
    from tests.factories import MemberFactory

    member = MemberFactory()
    card = services.save_card(
        user=member, card=CardToken(f"cus_NffrFeUfNV2Hib:{CARD.token}", "visa", "4242", 8, 2099)
    )
    stripe_fake.expect_request(
        "/v1/customers/cus_NffrFeUfNV2Hib", method="DELETE"
    ).respond_with_json({"id": "cus_NffrFeUfNV2Hib", "object": "customer", "deleted": True})
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("saved_card_delete", args=[card.pk]))
    assert not SavedCard.objects.exists()
    assert [request.method for request, _ in stripe_fake.log] == ["DELETE"]


def test_K2_stripe_customer_already_gone_is_forgotten_quietly(stripe_fake):
    stripe_fake.expect_request("/v1/customers/cus_gone", method="DELETE").respond_with_json(
        {"error": {"type": "invalid_request_error", "code": "resource_missing"}}, status=404
    )
    get_gateway().forget_card(token=f"cus_gone:{CARD.token}")
    assert len(stripe_fake.log) == 1


def test_V10_stripe_receives_only_amounts_tokens_and_ids_never_who_pays(stripe_fake):
    """Every parameter of every call in a payment's life: none names, mails
    or locates the shopper (the sharing register's fields and flags)."""
    stripe_fake.expect_request("/v1/customers", method="POST").respond_with_json(
        {"id": "cus_NffrFeUfNV2Hib", "object": "customer"}
    )
    stripe_fake.expect_request(f"/v1/payment_methods/{CARD.token}/attach").respond_with_json(
        stripe_api.payment_method()
    )
    stripe_fake.expect_request(f"/v1/payment_methods/{CARD.token}").respond_with_json(
        stripe_api.payment_method()
    )
    kept = get_gateway().keep_card(token=CARD.token)
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent()
    )
    payment = services.authorize_card_payment(
        amount=TOTAL, currency="USD", card=kept, idempotency_key="authorize:v10"
    )
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}", method="GET").respond_with_json(
        stripe_api.payment_intent()
    )
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}/capture").respond_with_json(
        stripe_api.payment_intent("succeeded")
    )
    services.capture_payment(payment=payment, amount=Decimal("60.00"), idempotency_key="cap:v10")
    stripe_fake.expect_request("/v1/refunds", method="POST").respond_with_json(stripe_api.refund())
    services.refund_payment(payment=payment, amount=Decimal("20.00"), idempotency_key="rma:v10")
    sent_names = set()
    for request, _ in stripe_fake.log:
        fields = parse_qs(request.get_data(as_text=True))
        sent_names |= {name.split("[", 1)[0] for name in fields} | set(request.args)
        if request.method == "POST":
            assert request.headers.get("Idempotency-Key"), request.path
    assert sent_names == {
        "amount",
        "currency",
        "capture_method",
        "confirm",
        "payment_method_types",
        "payment_method_options",
        "return_url",
        "payment_method",
        "customer",
        "amount_to_capture",
        "final_capture",
        "charge",
    }
