"""Y4 and the processor's own changes: Stripe's webhooks, signed with a test
secret, checked with Stripe's library, each applied once by its id."""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from camshaft.checkout import services as checkout
from camshaft.notifications.models import OutboxMessage
from camshaft.orders.models import OrderStatus
from camshaft.payments.models import Payment, PaymentStatus, ProcessorEvent
from tests.payments.fakes import stripe_api
from tests.shopping import ready_cart, ship_everything

pytestmark = pytest.mark.django_db
PI = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
URL = reverse("processor_webhook", args=["stripe"])


def signed(client, body: dict, *, secret="whsec_test_local_fake", at=None):  # noqa: S107
    """POST `body` as Stripe would: Stripe-Signature t=…,v1=HMAC-SHA256."""
    payload = json.dumps(body)
    stamp = int(at or time.time())
    signature = hmac.new(secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256)
    return client.post(
        URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": f"t={stamp},v1={signature.hexdigest()}"},
    )


def captured_payment(amount=Decimal("109.99")) -> Payment:
    return Payment.objects.create(
        method="card",
        amount=amount,
        currency="USD",
        status=PaymentStatus.CAPTURED,
        gateway="stripe",
        authorization_reference=PI,
        amount_captured=amount,
    )


def test_Y4_stripe_webhook_refund_made_in_the_dashboard_is_applied_once(client, stripe_fake):
    payment = captured_payment()
    refund = stripe_api.event("charge.refunded", stripe_api.charge(amount_refunded=2000))
    for _ in range(3):  # Stripe retries until it hears 200; a replay changes nothing
        assert signed(client, refund).status_code == 200
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("20.00")
    assert ProcessorEvent.objects.count() == 1
    assert payment.transactions.get(kind="refund").amount == Decimal("20.00")


def test_Y4_stripe_webhooks_out_of_order_never_undo_a_later_refund(client, stripe_fake):
    payment = captured_payment()
    later = stripe_api.event("charge.refunded", stripe_api.charge(10999), id="evt_2")
    earlier = stripe_api.event("charge.refunded", stripe_api.charge(2000), id="evt_1")
    signed(client, later)
    signed(client, earlier)
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("109.99")
    assert payment.status == PaymentStatus.REFUNDED


@pytest.mark.parametrize(
    "forgery",
    [
        {"secret": "whsec_someone_else"},  # not signed by Stripe
        {"at": time.time() - 3600},  # an old notice replayed an hour later
    ],
)
def test_Y4_stripe_webhook_forged_or_replayed_late_is_refused(client, stripe_fake, forgery):
    payment = captured_payment()
    refund = stripe_api.event("charge.refunded", stripe_api.charge(10999))
    assert signed(client, refund, **forgery).status_code == 400
    payment.refresh_from_db()
    assert payment.amount_refunded == 0
    assert not ProcessorEvent.objects.exists()


def test_Y4_stripe_webhook_unsigned_is_refused(client, stripe_fake):
    body = json.dumps(stripe_api.event("charge.refunded", stripe_api.charge()))
    assert client.post(URL, body, content_type="application/json").status_code == 400


def test_Y4_webhook_for_a_gateway_the_store_does_not_use_is_refused(client):
    body = stripe_api.event("charge.refunded", stripe_api.charge())
    assert signed(client, body).status_code == 400  # the test gateway is configured


def test_Y2_stripe_dispute_updates_the_order_and_tells_staff(client, stripe_fake, settings):
    settings.PAYMENT_GATEWAY = "camshaft.payments.gateways.test.TestGateway"
    from camshaft.accounts.models import User

    cart = ready_cart()
    placed = checkout.place(cart=cart, user=None, currency="USD", idempotency_key="k1")
    clerk = User.objects.create_user(email="clerk@example.com", password="x" * 12, is_staff=True)
    ship_everything(placed.order, by=clerk)
    # As if Stripe had authorized it: the webhook finds the payment by its PaymentIntent.
    Payment.objects.filter(pk=placed.order.payment_id).update(
        gateway="stripe", authorization_reference=PI
    )
    settings.PAYMENT_GATEWAY = "camshaft.payments.gateways.stripe.StripeGateway"
    dispute = stripe_api.event("charge.dispute.created", stripe_api.dispute())
    assert signed(client, dispute).status_code == 200
    payment = Payment.objects.get(pk=placed.order.payment_id)
    assert payment.disputed
    event = placed.order.events.get(action="processor_disputed")
    assert "fraudulent" in event.note
    alert = OutboxMessage.objects.get(category="staff_payment_alert")
    assert alert.to_address == settings.STAFF_ALERT_EMAIL
    assert placed.order.number in alert.subject
    full = stripe_api.event("charge.refunded", stripe_api.charge(0), id="evt_refund")
    full["data"]["object"]["amount_refunded"] = int(payment.amount_captured * 100)
    signed(client, full)
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.RETURNED


def test_Y4_stripe_dispute_news_older_than_what_was_applied_changes_nothing(client, stripe_fake):
    payment = captured_payment()
    opened = stripe_api.event("charge.dispute.created", stripe_api.dispute(), id="evt_open")
    won = stripe_api.event("charge.dispute.closed", stripe_api.dispute(status="won"), id="evt_won")
    won["created"] = opened["created"] + 86400
    assert signed(client, won).status_code == 200
    assert signed(client, opened).status_code == 200  # delivered late
    payment.refresh_from_db()
    assert not payment.disputed
    assert ProcessorEvent.objects.filter(payment=payment).count() == 2


def test_Y2_stripe_payment_intent_cancelled_at_stripe_voids_the_payment(client, stripe_fake):
    payment = captured_payment()
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.AUTHORIZED, amount_captured=0)
    cancelled = stripe_api.event(
        "payment_intent.canceled",
        stripe_api.payment_intent("canceled", cancellation_reason="requested_by_customer"),
    )
    assert signed(client, cancelled).status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.VOIDED
