"""O2 with Stripe: an order changed before it ships raises its card's
authorization (incremental authorization), or holds the difference
separately on the saved card the member allowed, or is refused; an order
that shrank is captured for less. Stripe is a local fake of its API."""

from decimal import Decimal
from urllib.parse import parse_qs

import pytest

from camshaft.payments import services
from camshaft.payments.gateways import CardToken
from camshaft.payments.models import (
    Authorization,
    Payment,
    PaymentStatus,
    PaymentTransaction,
    SavedCard,
    TransactionKind,
)
from tests.payments.fakes import stripe_api

pytestmark = pytest.mark.django_db
PI = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
SECOND_PI = "pi_3SeparateLkdIwHu7ix9Qw2"
CHARGE = "ch_3MtwBwLkdIwHu7ix28a3tqPa"
SECOND_CHARGE = "ch_3SeparateLkdIwHu7ix9Qw2"
METHOD = "pm_1MtwBwLkdIwHu7ixvtmAbC7t"
SAVED = f"cus_NffrFeUfNV2Hib:{METHOD}"
TOTAL = Decimal("109.99")


def sent(server, path, method="POST"):
    """The form fields and headers of each request the fake received on `path`."""
    return [
        (parse_qs(request.get_data(as_text=True)), request.headers)
        for request, _ in server.log
        if request.path == path and request.method == method
    ]


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user(
        email="member@example.com", password="a-long-member-pass"
    )


def authorized(fake, token=METHOD) -> Payment:
    fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent()
    )
    payment = services.authorize_card_payment(
        amount=TOTAL,
        currency="USD",
        card=CardToken(token, "visa", "4242", 8, 2099),
        idempotency_key="authorize:1",
    )
    fake.clear_log()
    fake.clear_all_handlers()
    return payment


def card_supports_increments(fake, status):
    fake.expect_request(f"/v1/payment_intents/{PI}", method="GET").respond_with_json(
        stripe_api.payment_intent(latest_charge=stripe_api.charge_with_card(status))
    )


def saved_card(member, *, allowed=True) -> SavedCard:
    return SavedCard.objects.create(
        user=member,
        gateway_token=SAVED,
        brand="visa",
        last4="4242",
        exp_month=8,
        exp_year=2099,
        off_session_allowed=allowed,
    )


def holds(payment) -> list[tuple[str, Decimal]]:
    return list(payment.authorizations.values_list("reference", "amount"))


def test_O2_change_stripe_asks_for_incremental_authorization_when_it_authorizes(stripe_fake):
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent()
    )
    payment = services.authorize_card_payment(
        amount=TOTAL,
        currency="USD",
        card=CardToken(METHOD, "visa", "4242", 8, 2099),
        idempotency_key="authorize:1",
    )
    ((fields, _),) = sent(stripe_fake, "/v1/payment_intents")
    assert fields["payment_method_options[card][request_incremental_authorization]"] == [
        "if_available"
    ]
    assert holds(payment) == [(PI, TOTAL)]


def test_O2_change_stripe_increments_the_authorization_where_the_card_allows(stripe_fake):
    payment = authorized(stripe_fake)
    card_supports_increments(stripe_fake, "available")
    stripe_fake.expect_request(
        f"/v1/payment_intents/{PI}/increment_authorization"
    ).respond_with_json(stripe_api.payment_intent(amount=13999))

    for _ in range(2):  # a repeated change raises it once
        raised = services.change_payment_amount(
            payment=payment, amount=Decimal("139.99"), idempotency_key="change:1"
        )

    ((fields, headers),) = sent(stripe_fake, f"/v1/payment_intents/{PI}/increment_authorization")
    assert fields == {"amount": ["13999"]}  # the new total, as Stripe wants it
    assert headers["Idempotency-Key"] == "change:1"
    assert (raised.kind, raised.amount, raised.status) == (
        TransactionKind.AUTHORIZE,
        Decimal("30.00"),
        "approved",
    )
    payment.refresh_from_db()
    assert payment.amount == Decimal("139.99")
    assert holds(payment) == [(PI, Decimal("139.99"))]
    assert not sent(stripe_fake, "/v1/payment_intents")  # no second PaymentIntent

    stripe_fake.expect_request(f"/v1/payment_intents/{PI}/capture").respond_with_json(
        stripe_api.payment_intent("succeeded", amount=13999)
    )
    services.capture_payment(payment=payment, amount=Decimal("139.99"), idempotency_key="cap:1")
    ((fields, _),) = sent(stripe_fake, f"/v1/payment_intents/{PI}/capture")
    assert fields == {"amount_to_capture": ["13999"]}


def test_O2_change_stripe_increment_declined_by_the_bank_changes_nothing(stripe_fake):
    payment = authorized(stripe_fake)
    card_supports_increments(stripe_fake, "available")
    stripe_fake.expect_request(
        f"/v1/payment_intents/{PI}/increment_authorization"
    ).respond_with_json(stripe_api.card_error(), status=402)
    with pytest.raises(services.PaymentRefused, match="must pay the difference"):
        services.change_payment_amount(
            payment=payment, amount=Decimal("139.99"), idempotency_key="change:1"
        )
    payment.refresh_from_db()
    assert payment.amount == TOTAL
    assert holds(payment) == [(PI, TOTAL)]


def test_O2_change_stripe_card_without_increments_holds_the_difference_on_the_saved_card(
    stripe_fake, member
):
    saved_card(member)
    payment = authorized(stripe_fake, token=SAVED)
    assert payment.saved_card.gateway_token == SAVED
    card_supports_increments(stripe_fake, "unavailable")
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent(id=SECOND_PI, amount=3000, latest_charge=SECOND_CHARGE)
    )

    services.change_payment_amount(
        payment=payment, amount=Decimal("139.99"), idempotency_key="change:1"
    )

    assert not sent(stripe_fake, f"/v1/payment_intents/{PI}/increment_authorization")
    ((fields, headers),) = sent(stripe_fake, "/v1/payment_intents")
    assert fields == {
        "amount": ["3000"],  # the difference only
        "currency": ["usd"],
        "capture_method": ["manual"],
        "confirm": ["true"],
        "off_session": ["true"],
        "customer": ["cus_NffrFeUfNV2Hib"],
        "payment_method": [METHOD],
        "payment_method_types[0]": ["card"],
    }
    assert headers["Idempotency-Key"] == "change:1"
    payment.refresh_from_db()
    assert payment.amount == Decimal("139.99")
    assert holds(payment) == [(PI, TOTAL), (SECOND_PI, Decimal("30.00"))]


def test_O2_change_stripe_partly_captured_intent_holds_the_difference_apart(stripe_fake, member):
    """Stripe increments a hold only before its first capture: once a
    parcel was charged, more goes on a PaymentIntent of its own."""
    saved_card(member)
    payment = authorized(stripe_fake, token=SAVED)
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}", method="GET").respond_with_json(
        stripe_api.payment_intent(
            amount_received=4000, latest_charge=stripe_api.charge_with_card("available")
        )
    )
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent(id=SECOND_PI, amount=3000, latest_charge=SECOND_CHARGE)
    )

    services.change_payment_amount(
        payment=payment, amount=Decimal("139.99"), idempotency_key="change:1"
    )

    assert not sent(stripe_fake, f"/v1/payment_intents/{PI}/increment_authorization")
    ((fields, _),) = sent(stripe_fake, "/v1/payment_intents")
    assert fields["amount"] == ["3000"] and fields["off_session"] == ["true"]
    payment.refresh_from_db()
    assert holds(payment) == [(PI, TOTAL), (SECOND_PI, Decimal("30.00"))]


def test_O2_change_stripe_captures_and_refunds_across_both_authorizations(stripe_fake, member):
    saved_card(member)
    payment = authorized(stripe_fake, token=SAVED)
    card_supports_increments(stripe_fake, "unavailable")
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent(id=SECOND_PI, amount=3000, latest_charge=SECOND_CHARGE)
    )
    services.change_payment_amount(
        payment=payment, amount=Decimal("139.99"), idempotency_key="change:1"
    )
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}/capture").respond_with_json(
        stripe_api.payment_intent("requires_capture")
    )
    stripe_fake.expect_request(f"/v1/payment_intents/{SECOND_PI}/capture").respond_with_json(
        stripe_api.payment_intent("succeeded", id=SECOND_PI, latest_charge=SECOND_CHARGE)
    )

    # The first shipment takes part of the first hold (multicapture), the
    # second shipment the rest of it and all of the separate one.
    services.capture_payment(payment=payment, amount=Decimal("60.00"), idempotency_key="cap:1")
    for _ in range(2):  # a repeated capture captures once
        services.capture_payment(payment=payment, amount=Decimal("79.99"), idempotency_key="cap:2")

    first = sent(stripe_fake, f"/v1/payment_intents/{PI}/capture")
    assert [fields for fields, _ in first] == [
        {"amount_to_capture": ["6000"], "final_capture": ["false"]},
        {"amount_to_capture": ["4999"]},  # final: nothing more from this one
    ]
    assert [headers["Idempotency-Key"] for _, headers in first] == ["cap:1", "cap:2"]
    ((second, headers),) = sent(stripe_fake, f"/v1/payment_intents/{SECOND_PI}/capture")
    assert second == {"amount_to_capture": ["3000"]}
    assert headers["Idempotency-Key"] == "cap:2:1"
    payment.refresh_from_db()
    assert (payment.status, payment.amount_captured) == (
        PaymentStatus.CAPTURED,
        Decimal("139.99"),
    )
    captures = PaymentTransaction.objects.filter(kind=TransactionKind.CAPTURE)
    assert sorted(captures.values_list("amount", "gateway_reference")) == [
        (Decimal("30.00"), SECOND_CHARGE),
        (Decimal("49.99"), CHARGE),
        (Decimal("60.00"), CHARGE),
    ]

    stripe_fake.expect_request("/v1/refunds", method="POST").respond_with_json(stripe_api.refund())
    services.refund_payment(payment=payment, amount=Decimal("139.99"), idempotency_key="rma:1")
    refunds = [fields for fields, _ in sent(stripe_fake, "/v1/refunds")]
    assert refunds == [
        {"charge": [CHARGE], "amount": ["6000"]},
        {"charge": [CHARGE], "amount": ["4999"]},
        {"charge": [SECOND_CHARGE], "amount": ["3000"]},
    ]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED


def test_O2_change_stripe_off_session_needing_3d_secure_is_refused_and_nothing_changes(
    stripe_fake, member
):
    saved_card(member)
    payment = authorized(stripe_fake, token=SAVED)
    card_supports_increments(stripe_fake, "unavailable")
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.authentication_required(), status=402
    )
    with pytest.raises(services.PaymentRefused) as refused:
        services.change_payment_amount(
            payment=payment, amount=Decimal("139.99"), idempotency_key="change:1"
        )
    assert "confirm" in refused.value.message
    assert "must pay the difference" in refused.value.message
    payment.refresh_from_db()
    assert payment.amount == TOTAL
    assert holds(payment) == [(PI, TOTAL)]


@pytest.mark.parametrize("allowed", [False, None], ids=["not-allowed", "not-saved"])
def test_O2_change_stripe_without_a_card_allowed_off_session_tells_to_pay_the_difference(
    stripe_fake, member, allowed
):
    if allowed is not None:
        saved_card(member, allowed=allowed)
    payment = authorized(stripe_fake, token=SAVED if allowed is not None else METHOD)
    card_supports_increments(stripe_fake, "unavailable")
    with pytest.raises(services.PaymentRefused, match="shopper must pay the difference"):
        services.change_payment_amount(
            payment=payment, amount=Decimal("139.99"), idempotency_key="change:1"
        )
    assert not sent(stripe_fake, "/v1/payment_intents")  # nothing was tried off-session
    payment.refresh_from_db()
    assert payment.amount == TOTAL


def test_O2_change_stripe_reduction_is_captured_for_less_and_the_rest_released(stripe_fake):
    payment = authorized(stripe_fake)
    services.change_payment_amount(
        payment=payment, amount=Decimal("80.00"), idempotency_key="change:1"
    )
    assert not stripe_fake.log  # Stripe lowers a hold only by capturing less
    payment.refresh_from_db()
    assert payment.amount == Decimal("80.00")
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}/capture").respond_with_json(
        stripe_api.payment_intent("succeeded")
    )
    services.capture_payment(payment=payment, amount=Decimal("80.00"), idempotency_key="cap:1")
    ((fields, _),) = sent(stripe_fake, f"/v1/payment_intents/{PI}/capture")
    # A final capture of less: Stripe releases the other 29.99 of the hold.
    assert fields == {"amount_to_capture": ["8000"]}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED


def test_O2_change_stripe_reduction_cancels_a_separate_hold_it_no_longer_needs(stripe_fake, member):
    saved_card(member)
    payment = authorized(stripe_fake, token=SAVED)
    card_supports_increments(stripe_fake, "unavailable")
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent(id=SECOND_PI, amount=3000, latest_charge=SECOND_CHARGE)
    )
    services.change_payment_amount(
        payment=payment, amount=Decimal("139.99"), idempotency_key="change:1"
    )
    stripe_fake.expect_request(f"/v1/payment_intents/{SECOND_PI}/cancel").respond_with_json(
        stripe_api.payment_intent("canceled", id=SECOND_PI)
    )

    services.change_payment_amount(
        payment=payment, amount=Decimal("99.99"), idempotency_key="change:2"
    )

    assert len(sent(stripe_fake, f"/v1/payment_intents/{SECOND_PI}/cancel")) == 1
    assert not sent(stripe_fake, f"/v1/payment_intents/{PI}/cancel")
    payment.refresh_from_db()
    assert payment.amount == Decimal("99.99")
    assert list(payment.authorizations.values_list("reference", "amount", "voided")) == [
        (PI, Decimal("99.99"), False),
        (SECOND_PI, Decimal("30.00"), True),
    ]
    assert Authorization.objects.get(reference=PI).amount_capturable == Decimal("99.99")
