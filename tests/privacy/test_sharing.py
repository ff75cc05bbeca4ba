"""V10: the sharing register lists which outside party gets which fields, and
only those fields leave: the carrier's label data and every payment gateway
call are built from the register."""

import inspect

import pytest
from django.urls import reverse

from camshaft.checkout import services as checkout
from camshaft.consent.sharing import (
    CARRIER,
    PAYMENT_PROCESSOR,
    SHARING_REGISTER,
    NotInSharingRegister,
    shared_fields,
)
from camshaft.payments.gateways import GATEWAY_CALLS, PaymentGateway, get_gateway
from camshaft.payments.gateways.test import TestGateway
from camshaft.payments.models import TestGatewayOperation
from camshaft.shipping.selectors import carrier_payload
from tests.shopping import ADDRESS, card, ready_cart, ship_everything

pytestmark = pytest.mark.django_db

SHIP_TO = {
    **ADDRESS,
    "full_name": "Robin Recipient",
    "line1": "77 Gasket Lane",
    "city": "Dayton",
    "postal_code": "45402",
    "phone": "+1 937 555 0199",
}


def placed_order(email="payer@example.com"):
    cart = ready_cart(email=email)
    checkout.set_addresses(cart=cart, user=None, email=email, billing=ADDRESS, shipping=SHIP_TO)
    checkout.set_shipping_method(cart=cart, code="standard", currency="USD")
    checkout.choose_payment(cart=cart, user=None, method="card", card=card())
    return checkout.place(cart=cart, user=None, currency="USD", idempotency_key="v10").order


def flattened(value) -> str:
    if isinstance(value, dict):
        return " ".join(flattened(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(flattened(v) for v in value)
    return str(value)


def test_V10_the_carrier_gets_exactly_the_registers_fields_and_no_billing_or_email(admin_user):
    order = placed_order()
    (shipment,) = ship_everything(order, by=admin_user)

    payload = carrier_payload(shipment)

    assert set(payload) == CARRIER.field_names
    assert payload["recipient_name"] == "Robin Recipient"
    assert payload["address_line1"] == "77 Gasket Lane"
    assert payload["phone"] == "+1 937 555 0199"
    assert payload["tracking_number"] == shipment.tracking_number
    assert payload["parcels"] and set(payload["parcels"][0]) == {
        "quantity",
        "weight_lb",
        "length_in",
        "width_in",
        "height_in",
    }
    sent = flattened(payload)
    for private in (order.email, ADDRESS["line1"], ADDRESS["phone"], str(order.grand_total)):
        assert private not in sent


def test_V10_a_field_the_register_does_not_list_never_leaves():
    with pytest.raises(NotInSharingRegister, match="email"):
        shared_fields(CARRIER, {"recipient_name": "Robin", "email": "robin@example.com"})


def test_V10_every_gateway_call_takes_only_fields_the_register_lists():
    for name in GATEWAY_CALLS:
        for gateway_class in (PaymentGateway, TestGateway):
            parameters = set(inspect.signature(getattr(gateway_class, name)).parameters) - {"self"}
            assert parameters <= PAYMENT_PROCESSOR.field_names, (gateway_class, name)


def test_V10_the_gateway_refuses_a_field_outside_the_register_and_does_nothing():
    gateway = get_gateway()
    assert isinstance(gateway, TestGateway)
    with pytest.raises(NotInSharingRegister, match="email"):
        gateway.start_wallet(
            wallet="paypal",
            amount="10.00",
            currency="USD",
            return_url="/back",
            email="someone@example.com",
        )
    assert not TestGatewayOperation.objects.exists()


class RecordingGateway(TestGateway):
    """The test gateway, noting what each call handed over."""

    calls: list[tuple[str, dict]] = []

    def tokenize_card(self, **fields):
        self.calls.append(("tokenize_card", fields))
        return super().tokenize_card(**fields)

    def authorize(self, **fields):
        self.calls.append(("authorize", fields))
        return super().authorize(**fields)

    def capture(self, **fields):
        self.calls.append(("capture", fields))
        return super().capture(**fields)


def test_V10_a_real_order_hands_the_processor_nothing_beyond_the_register(settings, admin_user):
    settings.PAYMENT_GATEWAY = f"{__name__}.RecordingGateway"
    RecordingGateway.calls.clear()
    order = placed_order(email="payer@example.com")
    ship_everything(order, by=admin_user)

    assert {name for name, _ in RecordingGateway.calls} >= {
        "tokenize_card",
        "authorize",
        "capture",
    }
    for name, fields in RecordingGateway.calls:
        assert set(fields) <= PAYMENT_PROCESSOR.field_names, name
        sent = flattened(fields)
        assert "payer@example.com" not in sent and "Piston Street" not in sent, name


def test_V10_the_register_is_public_on_a_page_and_in_the_api(client):
    page = client.get(reverse("privacy_sharing"))
    assert page.status_code == 200
    html = page.content.decode()
    for party in ("FedEx", "UPS", "AGS", "R+L Carriers"):
        assert party in html
    assert "recipient_name" in html and "cvc" in html

    answer = client.get("/api/v1/privacy/sharing-register")
    assert answer.status_code == 200
    by_code = {entry["code"]: entry for entry in answer.json()}
    assert set(by_code) == {recipient.code for recipient in SHARING_REGISTER}
    assert {f["name"] for f in by_code["carrier"]["fields"]} == CARRIER.field_names


def test_V10_the_back_office_shows_the_register_and_each_shipments_label_data(
    admin_client, admin_user
):
    register = admin_client.get(reverse("admin:privacy_sharing_register"))
    assert register.status_code == 200
    assert "payment_processor" in register.content.decode()

    (shipment,) = ship_everything(placed_order(), by=admin_user)
    page = admin_client.get(reverse("admin:shipping_shipment_change", args=[shipment.pk]))
    assert page.status_code == 200
    assert "Robin Recipient" in page.content.decode()
