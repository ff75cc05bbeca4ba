"""Y1, Y2, Y4, Y5: authorize now, capture per shipment, void, refund, offline
payments, saved cards, and every call exactly once."""

from decimal import Decimal

import pytest
from django.db import connection

from camshaft.payments import services
from camshaft.payments.gateways import GatewayUnavailable, get_gateway
from camshaft.payments.gateways.test import DECLINING_WALLET_TOKEN, TestGateway
from camshaft.payments.models import (
    Payment,
    PaymentStatus,
    PaymentTransaction,
    SavedCard,
    TestGatewayOperation,
    TransactionKind,
)
from tests.concurrency import at_once
from tests.payments.conftest import (
    AMEX,
    DECLINES,
    DISCOVER,
    MASTERCARD,
    NO_FUNDS,
    PROCESSOR_ERROR,
    VISA,
)

pytestmark = pytest.mark.django_db


def authorize(tokenize, number=VISA, amount="100.00", key="authorize:order-1"):
    return services.authorize_card_payment(
        amount=Decimal(amount), currency="USD", card=tokenize(number), idempotency_key=key
    )


def test_Y5_default_gateway_is_the_test_gateway():
    assert isinstance(get_gateway(), TestGateway)


@pytest.mark.parametrize(
    ("number", "brand", "last4"),
    [
        (VISA, "visa", "4242"),
        (MASTERCARD, "mastercard", "4444"),
        (AMEX, "amex", "0005"),
        (DISCOVER, "discover", "1117"),
    ],
)
def test_Y5_test_cards_approve_decline_and_lack_funds(tokenize, number, brand, last4):
    payment = authorize(tokenize, number)
    assert payment.status == PaymentStatus.AUTHORIZED
    assert (payment.card_brand, payment.card_last4) == (brand, last4)
    assert payment.authorization_reference

    with pytest.raises(services.PaymentDeclined) as declined:
        authorize(tokenize, DECLINES, key="authorize:order-2")
    assert declined.value.status == "declined"
    assert "declined" in declined.value.message
    assert declined.value.payment.status == PaymentStatus.DECLINED
    assert Payment.objects.get(pk=declined.value.payment.pk).status == PaymentStatus.DECLINED

    with pytest.raises(services.PaymentDeclined) as no_funds:
        authorize(tokenize, NO_FUNDS, key="authorize:order-3")
    assert no_funds.value.status == "insufficient_funds"
    assert "insufficient funds" in no_funds.value.message


def test_Y5_processor_error_stores_nothing_and_may_be_retried(tokenize):
    with pytest.raises(GatewayUnavailable):
        authorize(tokenize, PROCESSOR_ERROR, key="authorize:order-9")
    assert not Payment.objects.exists()
    assert not TestGatewayOperation.objects.exists()


def test_Y5_any_other_valid_number_approves(tokenize):
    assert authorize(tokenize, "4111 1111 1111 1111").status == PaymentStatus.AUTHORIZED


def test_Y2_authorize_then_capture_per_shipment(tokenize, clerk):
    payment = authorize(tokenize, amount="100.00")
    assert payment.amount_captured == 0  # nothing charged until the goods ship

    first = services.capture_payment(
        payment=payment, amount=Decimal("60.00"), idempotency_key="capture:shipment-1", by=clerk
    )
    payment.refresh_from_db()
    assert first.approved and first.created_by == clerk
    assert (payment.status, payment.amount_captured) == (PaymentStatus.PARTLY_CAPTURED, 60)

    services.capture_payment(
        payment=payment, amount=Decimal("40.00"), idempotency_key="capture:shipment-2"
    )
    payment.refresh_from_db()
    assert (payment.status, payment.amount_captured) == (PaymentStatus.CAPTURED, 100)
    assert TestGatewayOperation.objects.filter(kind="capture", status="approved").count() == 2

    with pytest.raises(services.PaymentRefused, match="cannot be voided; refund it instead"):
        services.void_payment(payment=payment, idempotency_key="void:order-1")


def test_Y2_capture_beyond_the_authorized_amount_refused(tokenize):
    payment = authorize(tokenize, amount="50.00")
    with pytest.raises(services.PaymentRefused, match=r"50\.00 is left"):
        services.capture_payment(
            payment=payment, amount=Decimal("50.01"), idempotency_key="capture:shipment-1"
        )
    assert not PaymentTransaction.objects.filter(kind=TransactionKind.CAPTURE).exists()


def test_Y2_void_after_authorize(tokenize):
    payment = authorize(tokenize)
    void = services.void_payment(payment=payment, idempotency_key="void:order-1")
    payment.refresh_from_db()
    assert void.approved and payment.status == PaymentStatus.VOIDED
    assert TestGatewayOperation.objects.filter(kind="void", status="approved").count() == 1

    again = services.void_payment(payment=payment, idempotency_key="void:order-1")
    assert again == void  # a repeated cancel is harmless

    with pytest.raises(services.PaymentRefused, match="voided cannot be captured"):
        services.capture_payment(
            payment=payment, amount=Decimal("1.00"), idempotency_key="capture:shipment-1"
        )


def test_Y2_capture_twice_is_impossible(tokenize):
    payment = authorize(tokenize, amount="80.00")
    first = services.capture_payment(
        payment=payment, amount=Decimal("30.00"), idempotency_key="capture:shipment-7"
    )
    repeat = services.capture_payment(
        payment=payment, amount=Decimal("30.00"), idempotency_key="capture:shipment-7"
    )
    payment.refresh_from_db()
    assert repeat == first
    assert payment.amount_captured == Decimal("30.00")
    assert payment.transactions.filter(kind=TransactionKind.CAPTURE).count() == 1
    assert TestGatewayOperation.objects.filter(kind="capture").count() == 1

    with pytest.raises(services.IdempotencyKeyReused):
        services.capture_payment(
            payment=payment, amount=Decimal("50.00"), idempotency_key="capture:shipment-7"
        )


def test_Y4_retried_authorization_with_same_key_authorizes_once(tokenize):
    first = authorize(tokenize, key="authorize:order-42")
    retry = authorize(tokenize, key="authorize:order-42")  # the shopper clicked twice
    assert retry == first
    assert Payment.objects.count() == 1
    assert TestGatewayOperation.objects.filter(kind="authorize").count() == 1

    with pytest.raises(services.PaymentDeclined) as declined:
        authorize(tokenize, DECLINES, key="authorize:order-43")
    with pytest.raises(services.PaymentDeclined) as again:
        authorize(tokenize, DECLINES, key="authorize:order-43")
    assert again.value.payment == declined.value.payment
    assert Payment.objects.count() == 2


def test_Y4_gateway_returns_the_stored_result_for_a_repeated_key(tokenize):
    gateway = TestGateway()
    token = tokenize(VISA).token
    auth = gateway.authorize(
        token=token, amount=Decimal("10"), currency="USD", idempotency_key="g-1"
    )
    same = gateway.authorize(
        token=token, amount=Decimal("10"), currency="USD", idempotency_key="g-1"
    )
    assert same == auth
    capture = gateway.capture(
        authorization_id=auth.reference,
        amount=Decimal("10"),
        currency="USD",
        final_capture=True,
        idempotency_key="g-2",
    )
    assert capture.approved
    assert (
        gateway.capture(
            authorization_id=auth.reference,
            amount=Decimal("10"),
            currency="USD",
            final_capture=True,
            idempotency_key="g-2",
        )
        == capture
    )
    more = gateway.capture(
        authorization_id=auth.reference,
        amount=Decimal("1"),
        currency="USD",
        final_capture=True,
        idempotency_key="g-3",
    )
    assert not more.approved and "left of the authorization" in more.message
    void = gateway.void(authorization_id=auth.reference, idempotency_key="g-4")
    assert not void.approved and "refund it instead" in void.message
    refund = gateway.refund(
        capture_id=capture.reference, amount=Decimal("4"), currency="USD", idempotency_key="g-5"
    )
    assert refund.approved
    too_much = gateway.refund(
        capture_id=capture.reference, amount=Decimal("7"), currency="USD", idempotency_key="g-6"
    )
    assert not too_much.approved


def test_Y4_gateway_refuses_capturing_a_voided_authorization(tokenize):
    gateway = TestGateway()
    auth = gateway.authorize(
        token=tokenize(VISA).token, amount=Decimal("10"), currency="USD", idempotency_key="a"
    )
    assert gateway.void(authorization_id=auth.reference, idempotency_key="v").approved
    capture = gateway.capture(
        authorization_id=auth.reference,
        amount=Decimal("5"),
        currency="USD",
        final_capture=False,
        idempotency_key="c",
    )
    assert not capture.approved and "voided" in capture.message


@pytest.mark.django_db(transaction=True)
def test_Y4_eight_threads_capturing_with_the_same_key_capture_once(tokenize):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    payment = authorize(tokenize, amount="100.00")
    results, errors = at_once(
        lambda: (
            services.capture_payment(
                payment=payment, amount=Decimal("25.00"), idempotency_key="capture:shipment-1"
            ).pk
        )
    )

    assert errors == []
    assert len(set(results)) == 1
    payment.refresh_from_db()
    assert payment.amount_captured == Decimal("25.00")
    assert PaymentTransaction.objects.filter(kind=TransactionKind.CAPTURE).count() == 1
    assert TestGatewayOperation.objects.filter(kind="capture").count() == 1


@pytest.mark.django_db(transaction=True)
def test_Y4_eight_threads_authorizing_with_the_same_key_authorize_once(tokenize):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent inserts need PostgreSQL")
    card = tokenize(VISA)
    results, errors = at_once(
        lambda: (
            services.authorize_card_payment(
                amount=Decimal("70.00"), currency="USD", card=card, idempotency_key="authorize:o-1"
            ).pk
        )
    )

    assert errors == []
    assert len(set(results)) == 1
    assert Payment.objects.count() == 1
    assert TestGatewayOperation.objects.filter(kind="authorize").count() == 1


def test_Y4_refund_spans_shipments_and_never_twice(tokenize):
    payment = authorize(tokenize, amount="100.00")
    for n, amount in enumerate(["60.00", "40.00"]):
        services.capture_payment(
            payment=payment, amount=Decimal(amount), idempotency_key=f"capture:s-{n}"
        )
    services.refund_payment(payment=payment, amount=Decimal("50.00"), idempotency_key="refund:r-1")
    services.refund_payment(payment=payment, amount=Decimal("50.00"), idempotency_key="refund:r-1")
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.status) == (Decimal("50.00"), "captured")

    services.refund_payment(payment=payment, amount=Decimal("50.00"), idempotency_key="refund:r-2")
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.status) == (Decimal("100.00"), "refunded")
    refunds = TestGatewayOperation.objects.filter(kind="refund", status="approved")
    assert sorted(op.amount for op in refunds) == [Decimal("10.00"), Decimal("40.00"), 50]

    with pytest.raises(services.PaymentRefused, match=r"0\.00 is refundable"):
        services.refund_payment(
            payment=payment, amount=Decimal("0.01"), idempotency_key="refund:r-3"
        )


def test_Y1_wallets_authorize_and_the_test_declining_account_declines():
    session = get_gateway().start_wallet(
        wallet="paypal",
        amount=Decimal("20.00"),
        currency="USD",
        return_url="https://shop.test/checkout/return?step=pay",
    )
    assert session.redirect_url.startswith(
        "https://shop.test/checkout/return?step=pay&wallet_token="
    )
    payment = services.authorize_wallet_payment(
        wallet="paypal",
        amount=Decimal("20.00"),
        currency="USD",
        wallet_token=session.token,
        idempotency_key="authorize:w-1",
    )
    assert (payment.method, payment.status) == ("paypal", PaymentStatus.AUTHORIZED)

    with pytest.raises(services.PaymentDeclined):
        services.authorize_wallet_payment(
            wallet="amazon_pay",
            amount=Decimal("20.00"),
            currency="USD",
            wallet_token=DECLINING_WALLET_TOKEN,
            idempotency_key="authorize:w-2",
        )


def test_Y1_offline_payment_awaits_money_until_staff_record_it(clerk):
    payment = services.start_offline_payment(
        method="check", amount=Decimal("120.00"), currency="USD"
    )
    assert payment.status == PaymentStatus.AWAITING_PAYMENT
    assert "delays" in services.offline_delay_notice(payment)

    with pytest.raises(services.PaymentRefused, match="awaiting payment cannot be captured"):
        services.capture_payment(
            payment=payment, amount=Decimal("120.00"), idempotency_key="capture:s-1"
        )

    services.record_offline_receipt(
        payment=payment,
        amount=Decimal("100.00"),
        received_by=clerk,
        reference="check 1001",
        idempotency_key="receipt:1",
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AWAITING_PAYMENT  # 20.00 still owed

    receipt = services.record_offline_receipt(
        payment=payment,
        amount=Decimal("20.00"),
        received_by=clerk,
        reference="check 1002",
        idempotency_key="receipt:2",
    )
    services.record_offline_receipt(  # the clerk clicked twice
        payment=payment,
        amount=Decimal("20.00"),
        received_by=clerk,
        reference="check 1002",
        idempotency_key="receipt:2",
    )
    payment.refresh_from_db()
    assert (payment.status, payment.amount_received) == (PaymentStatus.AUTHORIZED, 120)
    assert (receipt.created_by, receipt.gateway_reference) == (clerk, "check 1002")

    services.capture_payment(payment=payment, amount=Decimal("120.00"), idempotency_key="cap:1")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED
    assert not TestGatewayOperation.objects.exists()  # no gateway for checks


def test_Y1_offline_payment_voided_before_money_arrives_and_refused_after():
    waiting = services.start_offline_payment(
        method="wire_transfer", amount=Decimal("10.00"), currency="EUR"
    )
    services.void_payment(payment=waiting, idempotency_key="void:1")
    waiting.refresh_from_db()
    assert waiting.status == PaymentStatus.VOIDED

    paid = services.start_offline_payment(
        method="money_order", amount=Decimal("10.00"), currency="EUR"
    )
    services.record_offline_receipt(
        payment=paid, amount=Decimal("10.00"), received_by=None, reference="", idempotency_key="r"
    )
    with pytest.raises(services.PaymentRefused, match="refund it instead"):
        services.void_payment(payment=paid, idempotency_key="void:2")
    services.refund_payment(payment=paid, amount=Decimal("10.00"), idempotency_key="refund:2")
    paid.refresh_from_db()
    assert paid.status == PaymentStatus.REFUNDED


def test_Y3_saved_card_keeps_only_token_brand_last4_and_expiry(tokenize, django_user_model):
    member = django_user_model.objects.create_user(email="m@example.com", password="x-long-pass-1")
    other = django_user_model.objects.create_user(email="o@example.com", password="x-long-pass-2")
    token = tokenize(AMEX)
    saved = services.save_card(user=member, card=token)
    assert services.save_card(user=member, card=token) == saved
    assert str(saved) == "American Express ending 0005"

    payment = services.authorize_card_payment(
        amount=Decimal("5.00"),
        currency="USD",
        card=services.saved_card_token(saved),
        idempotency_key="authorize:saved",
    )
    assert payment.status == PaymentStatus.AUTHORIZED

    with pytest.raises(SavedCard.DoesNotExist):
        services.delete_saved_card(user=other, card_id=saved.pk)
    services.delete_saved_card(user=member, card_id=saved.pk)
    assert not SavedCard.objects.exists()


def test_P1_amounts_are_decimals_never_floats(tokenize):
    with pytest.raises(TypeError):
        services.authorize_card_payment(
            amount=9.99, currency="USD", card=tokenize(VISA), idempotency_key="k"
        )
