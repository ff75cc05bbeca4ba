"""Y4 and the processor's own changes with PayPal: webhooks signed as PayPal
signs them (SHA256withRSA over transmission id|time|webhook id|CRC32 of the
body, the certificate served by the local fake of PayPal's API), each event
applied once by its id, in whatever order they arrive."""

import base64
import json
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.urls import reverse

from camshaft.checkout import services as checkout
from camshaft.notifications.models import OutboxMessage
from camshaft.orders.models import OrderStatus
from camshaft.payments import services
from camshaft.payments.models import Payment, PaymentStatus, ProcessorEvent, TransactionKind
from tests.payments.fakes import paypal_api
from tests.payments.fakes.paypal_api import AUTHORIZATION_ID, CAPTURE_ID
from tests.shopping import ready_cart, ship_everything

pytestmark = pytest.mark.django_db
URL = reverse("processor_webhook", args=["paypal"])
CERT_PATH = "/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77"


def _signer(name: str):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def paypal_key():
    """PayPal's signing key and certificate, as far as these tests know."""
    return _signer("messageverificationcerts.paypal.com")


@pytest.fixture(scope="module")
def forger_key():
    return _signer("someone-else.example")


@pytest.fixture
def paypal(paypal_fake, paypal_key, settings):
    settings.PAYMENT_GATEWAY = "camshaft.payments.gateways.paypal.PayPalGateway"
    paypal_fake.expect_request(CERT_PATH).respond_with_data(
        paypal_key[1], content_type="application/x-pem-file"
    )
    return paypal_fake


def post(client, fake, event: dict, *, key, webhook_id="8PT597110X687430LKGECATA", **change):
    """POST `event` as PayPal would, signed with `key` (a private key)."""
    body = json.dumps(event).encode()
    sent_at = change.get("sent_at") or datetime.now(UTC)
    transmission = {
        "id": "69cd13f0-d67a-11e5-baa3-778b53f4ae55",
        "time": sent_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    signed = f"{transmission['id']}|{transmission['time']}|{webhook_id}|{zlib.crc32(body)}"
    signature = key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    return client.post(
        URL,
        change.get("body", body),
        content_type="application/json",
        headers={
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "PAYPAL-CERT-URL": change.get("cert_url") or fake.url_for(CERT_PATH),
            "PAYPAL-TRANSMISSION-ID": transmission["id"],
            "PAYPAL-TRANSMISSION-SIG": base64.b64encode(signature).decode(),
            "PAYPAL-TRANSMISSION-TIME": transmission["time"],
        },
    )


def captured_payment(amount=Decimal("109.99")) -> Payment:
    payment = Payment.objects.create(
        method="paypal",
        amount=amount,
        currency="USD",
        status=PaymentStatus.CAPTURED,
        gateway="paypal",
        authorization_reference=AUTHORIZATION_ID,
        amount_captured=amount,
    )
    payment.transactions.create(
        kind=TransactionKind.CAPTURE,
        amount=amount,
        currency="USD",
        status="approved",
        gateway_reference=CAPTURE_ID,
        idempotency_key=f"capture:{payment.pk}",
    )
    return payment


def refund_event(value="20.00", *, refund="1Y107995YT783435V", id="WH-1"):
    return paypal_api.webhook_event(
        "PAYMENT.CAPTURE.REFUNDED", paypal_api.refunded(value, id=refund), id=id
    )


def test_Y4_paypal_webhook_refund_made_at_paypal_is_applied_once(client, paypal, paypal_key):
    payment = captured_payment()
    for _ in range(3):  # PayPal delivers again until it hears 2xx; a replay changes nothing
        assert post(client, paypal, refund_event(), key=paypal_key[0]).status_code == 200
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("20.00")
    assert ProcessorEvent.objects.get().payment == payment
    refund = payment.transactions.get(kind=TransactionKind.REFUND)
    assert (refund.amount, refund.gateway_reference) == (Decimal("20.00"), "1Y107995YT783435V")


def test_Y4_paypal_refunds_arriving_out_of_order_add_up_once_each(client, paypal, paypal_key):
    payment = captured_payment()
    second = refund_event("89.99", refund="REFUND-2", id="WH-2")
    first = refund_event("20.00", refund="REFUND-1", id="WH-1")
    # The same refund told again under another event id is still one refund.
    again = refund_event("20.00", refund="REFUND-1", id="WH-3")
    for event in (second, first, again):
        assert post(client, paypal, event, key=paypal_key[0]).status_code == 200
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("109.99")
    assert payment.status == PaymentStatus.REFUNDED


def test_Y4_paypal_notice_of_our_own_refund_changes_nothing(client, paypal, paypal_key):
    payment = captured_payment()
    paypal.expect_request(f"/v2/payments/captures/{CAPTURE_ID}/refund").respond_with_json(
        paypal_api.refund(), status=201
    )
    services.refund_payment(payment=payment, amount=Decimal("20.00"), idempotency_key="rma:1")
    ours = refund_event("20.00", refund=paypal_api.refund()["id"])
    assert post(client, paypal, ours, key=paypal_key[0]).status_code == 200
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("20.00")
    assert payment.transactions.filter(kind=TransactionKind.REFUND).count() == 1


@pytest.mark.parametrize(
    "forgery",
    [
        "signed by someone else",
        "body changed after signing",
        "certificate from another host",
        "sent an hour ago",
        "signed for another webhook",
    ],
)
def test_Y4_paypal_webhook_forged_or_replayed_late_is_refused(
    client, paypal, paypal_key, forger_key, forgery
):
    payment = captured_payment()
    event = refund_event("109.99")
    change = {
        "signed by someone else": {"key": forger_key[0]},
        "body changed after signing": {
            "body": json.dumps(refund_event("0.01")).encode(),
        },
        "certificate from another host": {
            "cert_url": "https://certs.example.net" + CERT_PATH,
        },
        "sent an hour ago": {"sent_at": datetime.now(UTC) - timedelta(hours=1)},
        "signed for another webhook": {"webhook_id": "3XY12345AB6789012"},
    }[forgery]
    answer = post(client, paypal, event, **{"key": paypal_key[0], **change})
    assert answer.status_code == 400
    payment.refresh_from_db()
    assert payment.amount_refunded == 0
    assert not ProcessorEvent.objects.exists()


def test_Y4_paypal_webhook_unsigned_is_refused(client, paypal):
    body = json.dumps(refund_event())
    assert client.post(URL, body, content_type="application/json").status_code == 400


def test_Y4_paypal_webhook_refused_when_paypal_is_not_configured(client, paypal_key, httpserver):
    answer = post(client, httpserver, refund_event(), key=paypal_key[0])
    assert answer.status_code == 400  # the test gateway alone is configured


def test_Y4_paypal_dispute_news_older_than_what_was_applied_changes_nothing(
    client, paypal, paypal_key
):
    payment = captured_payment()
    opened = paypal_api.webhook_event(
        "CUSTOMER.DISPUTE.CREATED", paypal_api.dispute(), id="WH-D1", at="2026-12-04T05:00:00Z"
    )
    resolved = paypal_api.webhook_event(
        "CUSTOMER.DISPUTE.RESOLVED",
        paypal_api.dispute("RESOLVED", outcome="RESOLVED_SELLER_FAVOUR"),
        id="WH-D2",
        at="2026-12-05T05:00:00Z",
    )
    post(client, paypal, resolved, key=paypal_key[0])
    post(client, paypal, opened, key=paypal_key[0])  # delivered late
    payment.refresh_from_db()
    assert not payment.disputed
    assert ProcessorEvent.objects.filter(payment=payment).count() == 2


def test_Y2_paypal_authorization_voided_at_paypal_voids_the_payment(client, paypal, paypal_key):
    payment = captured_payment()
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.AUTHORIZED, amount_captured=0)
    voided = paypal_api.webhook_event(
        "PAYMENT.AUTHORIZATION.VOIDED", paypal_api.voided_authorization(), id="WH-V"
    )
    assert post(client, paypal, voided, key=paypal_key[0]).status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.VOIDED


def test_Y2_paypal_dispute_and_refund_update_the_order_and_tell_staff(
    client, paypal, paypal_key, settings
):
    settings.PAYMENT_GATEWAY = "camshaft.payments.gateways.test.TestGateway"
    from camshaft.accounts.models import User

    placed = checkout.place(cart=ready_cart(), user=None, currency="USD", idempotency_key="k1")
    clerk = User.objects.create_user(email="clerk@example.com", password="x" * 12, is_staff=True)
    ship_everything(placed.order, by=clerk)
    # As if PayPal had authorized and captured it.
    payment = Payment.objects.get(pk=placed.order.payment_id)
    payment.gateway = "paypal"
    payment.save()
    payment.transactions.filter(kind=TransactionKind.CAPTURE).update(gateway_reference=CAPTURE_ID)
    opened = paypal_api.webhook_event("CUSTOMER.DISPUTE.CREATED", paypal_api.dispute(), id="WH-D")
    assert post(client, paypal, opened, key=paypal_key[0]).status_code == 200
    payment.refresh_from_db()
    assert payment.disputed
    event = placed.order.events.get(action="processor_disputed")
    assert "MERCHANDISE_OR_SERVICE_NOT_RECEIVED" in event.note
    alert = OutboxMessage.objects.get(category="staff_payment_alert")
    assert alert.to_address == settings.STAFF_ALERT_EMAIL
    assert placed.order.number in alert.subject
    everything = refund_event(str(payment.amount_captured), refund="REFUND-ALL", id="WH-R")
    assert post(client, paypal, everything, key=paypal_key[0]).status_code == 200
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.RETURNED
    assert OutboxMessage.objects.filter(category="staff_payment_alert").count() == 2


def test_Y4_back_office_shows_what_paypal_said_about_a_payment(
    admin_client, client, paypal, paypal_key
):
    payment = captured_payment()
    opened = paypal_api.webhook_event("CUSTOMER.DISPUTE.CREATED", paypal_api.dispute(), id="WH-D")
    post(client, paypal, opened, key=paypal_key[0])
    page = admin_client.get(f"/staff/payments/payment/{payment.pk}/change/").content.decode()
    assert "WH-D" in page and "MERCHANDISE_OR_SERVICE_NOT_RECEIVED" in page
    disputed = admin_client.get("/staff/payments/payment/", {"disputed__exact": "1"})
    assert f"/staff/payments/payment/{payment.pk}/change/" in disputed.content.decode()
