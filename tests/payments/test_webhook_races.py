"""Y4 under real concurrency (PostgreSQL): a processor delivering the same
notice several times at once, or telling of one refund under several event
ids at once, changes the payment once."""

from decimal import Decimal

import pytest
from django.db import connection

from camshaft.payments import services
from camshaft.payments.gateways import WebhookEvent
from camshaft.payments.models import Payment, PaymentStatus, ProcessorEvent, TransactionKind
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def captured():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    payment = Payment.objects.create(
        method="paypal",
        amount=Decimal("109.99"),
        currency="USD",
        status=PaymentStatus.CAPTURED,
        gateway="paypal",
        authorization_reference="0AW2184448108334S",
        amount_captured=Decimal("109.99"),
    )
    payment.transactions.create(
        kind=TransactionKind.CAPTURE,
        amount=Decimal("109.99"),
        currency="USD",
        status="approved",
        gateway_reference="2GG279541U471931P",
        idempotency_key="capture:race",
    )
    return payment


def refund(event_id: str) -> WebhookEvent:
    return WebhookEvent(
        event_id=event_id,
        kind="refunded",
        capture_id="2GG279541U471931P",
        refund_id="1Y107995YT783435V",
        refund_amount=Decimal("20.00"),
        currency="USD",
        description="Refunded at PayPal",
    )


def test_Y4_eight_deliveries_of_one_notice_at_once_apply_it_once(captured):
    results, errors = at_once(
        lambda: services.apply_processor_event(gateway="paypal", event=refund("WH-1")).pk
    )
    assert errors == []
    assert len(set(results)) == 1
    captured.refresh_from_db()
    assert captured.amount_refunded == Decimal("20.00")
    assert ProcessorEvent.objects.count() == 1


def test_Y4_one_refund_told_under_eight_event_ids_at_once_is_applied_once(captured):
    ids = iter(range(8))
    results, errors = at_once(
        lambda: services.apply_processor_event(gateway="paypal", event=refund(f"WH-{next(ids)}")).pk
    )
    assert errors == []
    assert len(set(results)) == 8
    captured.refresh_from_db()
    assert captured.amount_refunded == Decimal("20.00")
    assert captured.transactions.filter(kind=TransactionKind.REFUND).count() == 1
