"""O2 on the payment side: an order changed before (the rest of) it
shipped holds more (a further authorization) or less (a partial release),
never less than was captured; an offline payment owes more or has money
due back. Each exactly once (Y4)."""

from decimal import Decimal

import pytest

from camshaft.payments import services
from camshaft.payments.gateways.base import GatewayStatus, PaymentGateway
from camshaft.payments.gateways.test import TestGateway
from camshaft.payments.models import (
    PaymentStatus,
    PaymentTransaction,
    TestGatewayOperation,
    TransactionKind,
)
from tests.payments.conftest import VISA

pytestmark = pytest.mark.django_db

FIXED_AMOUNT_CARD = "4000 0000 0000 0341"


def authorized(tokenize, number=VISA, amount="100.00"):
    return services.authorize_card_payment(
        amount=Decimal(amount), currency="USD", card=tokenize(number), idempotency_key="auth:1"
    )


def held(payment) -> Decimal:
    return TestGatewayOperation.objects.get(reference=payment.authorization_reference).amount


def test_O2_change_payment_amount_up_authorizes_the_difference_once(tokenize):
    payment = authorized(tokenize)
    first = services.change_payment_amount(
        payment=payment, amount=Decimal("130.00"), idempotency_key="change:1"
    )
    again = services.change_payment_amount(
        payment=payment, amount=Decimal("130.00"), idempotency_key="change:1"
    )
    assert first.pk == again.pk
    assert (first.kind, first.amount) == (TransactionKind.AUTHORIZE, Decimal("30.00"))
    payment.refresh_from_db()
    assert payment.amount == Decimal("130.00") == held(payment)
    assert PaymentTransaction.objects.filter(idempotency_key="change:1").count() == 1


def test_O2_change_payment_amount_down_releases_part_and_captures_no_more(tokenize):
    payment = authorized(tokenize)
    release = services.change_payment_amount(
        payment=payment, amount=Decimal("60.00"), idempotency_key="change:1"
    )
    assert (release.kind, release.amount) == (TransactionKind.VOID, Decimal("40.00"))
    payment.refresh_from_db()
    assert payment.amount == Decimal("60.00") == held(payment)
    assert payment.status == PaymentStatus.AUTHORIZED
    with pytest.raises(services.PaymentRefused):
        services.capture_payment(
            payment=payment, amount=Decimal("60.01"), idempotency_key="capture:1"
        )
    services.capture_payment(payment=payment, amount=Decimal("60.00"), idempotency_key="capture:2")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED


def test_O2_change_payment_amount_declined_by_the_bank_changes_nothing(tokenize):
    payment = authorized(tokenize, number=FIXED_AMOUNT_CARD)
    with pytest.raises(services.PaymentRefused, match="declined"):
        services.change_payment_amount(
            payment=payment, amount=Decimal("150.00"), idempotency_key="change:1"
        )
    payment.refresh_from_db()
    assert payment.amount == Decimal("100.00") == held(payment)


def test_O2_change_payment_amount_after_a_capture_needs_a_card_to_hold_more_on(tokenize):
    """A hold captured from cannot grow; without a saved card the member
    let us charge later, the processor declines and nothing changes."""
    payment = authorized(tokenize)
    services.capture_payment(payment=payment, amount=Decimal("10.00"), idempotency_key="cap:1")
    with pytest.raises(services.PaymentRefused, match="captured"):
        services.change_payment_amount(
            payment=payment, amount=Decimal("150.00"), idempotency_key="change:1"
        )
    payment.refresh_from_db()
    assert (payment.amount, payment.amount_captured) == (Decimal("100.00"), Decimal("10.00"))
    assert payment.authorizations.count() == 1


def test_O2_change_payment_amount_after_a_capture_never_below_what_was_captured(tokenize):
    payment = authorized(tokenize)
    services.capture_payment(payment=payment, amount=Decimal("40.00"), idempotency_key="cap:1")
    with pytest.raises(services.PaymentRefused, match="already captured"):
        services.change_payment_amount(
            payment=payment, amount=Decimal("39.99"), idempotency_key="change:1"
        )
    payment.refresh_from_db()
    assert payment.amount == Decimal("100.00")


def test_O2_change_payment_amount_down_after_a_capture_is_released_by_the_final_capture(
    tokenize,
):
    """Lowered in our books; the last capture of the rest is the final one,
    so the processor releases what the hold had beyond it."""
    payment = authorized(tokenize)
    services.capture_payment(payment=payment, amount=Decimal("40.00"), idempotency_key="cap:1")
    release = services.change_payment_amount(
        payment=payment, amount=Decimal("70.00"), idempotency_key="change:1"
    )
    assert (release.kind, release.amount) == (TransactionKind.VOID, Decimal("30.00"))
    payment.refresh_from_db()
    assert (payment.amount, payment.status) == (Decimal("70.00"), PaymentStatus.PARTLY_CAPTURED)
    services.capture_payment(payment=payment, amount=Decimal("30.00"), idempotency_key="cap:2")
    payment.refresh_from_db()
    assert (payment.amount_captured, payment.status) == (Decimal("70.00"), PaymentStatus.CAPTURED)
    assert held(payment) == Decimal("70.00")  # the final capture released the rest


def test_O2_change_offline_payment_owes_more_or_has_money_due_back():
    payment = services.start_offline_payment(
        method="check", amount=Decimal("100.00"), currency="USD"
    )
    services.record_offline_receipt(
        payment=payment,
        amount=Decimal("100.00"),
        received_by=None,
        reference="chk 7",
        idempotency_key="receipt:7",
    )
    payment.refresh_from_db()
    assert services.payment_change_due(payment, Decimal("120.00")) == Decimal("20.00")
    assert (
        services.change_payment_amount(
            payment=payment, amount=Decimal("120.00"), idempotency_key="change:1"
        )
        is None
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AWAITING_PAYMENT

    assert services.payment_change_due(payment, Decimal("70.00")) == Decimal("-30.00")
    back = services.change_payment_amount(
        payment=payment, amount=Decimal("70.00"), idempotency_key="change:2"
    )
    assert (back.kind, back.amount) == (TransactionKind.REFUND, Decimal("30.00"))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AUTHORIZED
    assert payment.amount == payment.amount_refundable == Decimal("70.00")


def test_O2_change_a_processor_without_increments_declines_and_releases_at_capture():
    class Minimal(TestGateway):
        increase_authorization = PaymentGateway.increase_authorization
        reduce_authorization = PaymentGateway.reduce_authorization

    gateway = Minimal()
    more = gateway.increase_authorization(
        authorization_id="a",
        amount=Decimal("5.00"),
        total=Decimal("15.00"),
        currency="USD",
        token="",
        idempotency_key="k1",
    )
    less = gateway.reduce_authorization(
        authorization_id="a", amount=Decimal("5.00"), currency="USD", idempotency_key="k2"
    )
    assert more.status == GatewayStatus.DECLINED and "cannot raise" in more.message
    assert less.approved
