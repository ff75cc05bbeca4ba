"""Helpers for tests that shop: a stocked part, a filled cart, a checkout
walked through the pages or the services."""

from decimal import Decimal

from django.urls import reverse

from camshaft.cart import services as cart_services
from camshaft.checkout import services as checkout
from tests.factories import PartFactory, StockLevelFactory

VISA = "4242 4242 4242 4242"
MASTERCARD = "5555 5555 5555 4444"
AMEX = "3782 822463 10005"
DISCOVER = "6011 1111 1111 1117"
DECLINES = "4000 0000 0000 0002"
NO_FUNDS = "4000 0000 0000 9995"
PROCESSOR_ERROR = "4000 0000 0000 0119"
TEST_CARDS = [VISA, MASTERCARD, AMEX, DISCOVER, DECLINES, NO_FUNDS, PROCESSOR_ERROR]

ADDRESS = {
    "full_name": "Pat Shopper",
    "line1": "12 Piston Street",
    "line2": "",
    "city": "Columbus",
    "region": "OH",
    "postal_code": "43004",
    "country": "US",
    "phone": "+1 614 555 0100",
}


def stocked_part(**fields):
    fields.setdefault("price", Decimal("49.99"))
    part = PartFactory(**fields)
    StockLevelFactory(part=part, quantity=50)
    return part


def cvc_for(number: str) -> str:
    return "1234" if number.startswith("3") else "123"


def card(number: str = VISA) -> checkout.CardDetails:
    return checkout.CardDetails(
        number=number, exp_month=12, exp_year=2099, cvc=cvc_for(number), holder="Pat Shopper"
    )


def ready_cart(*, user=None, parts=None, quantity=1, method="card", number=VISA, email=""):
    """A cart with `parts` (one stocked part by default) and a checkout
    filled in up to review, through the services."""
    cart = cart_services.cart_for(user=user)
    for part in parts or [stocked_part()]:
        cart_services.add_to_cart(cart=cart, sku=part.sku, quantity=quantity)
    checkout.set_addresses(cart=cart, user=user, email=email or "pat@example.com", billing=ADDRESS)
    checkout.set_shipping_method(cart=cart, code="standard", currency="USD")
    checkout.choose_payment(
        cart=cart, user=user, method=method, card=card(number) if method == "card" else None
    )
    return cart


def web_address_form(**overrides) -> dict:
    data = {f"billing_{name}": value for name, value in ADDRESS.items()}
    data["email"] = "pat@example.com"
    data.update(overrides)
    return data


def web_card_form(number: str = VISA, **overrides) -> dict:
    data = {
        "method": "card",
        "card_number": number,
        "exp_month": "12",
        "exp_year": "2099",
        "cvc": cvc_for(number),
        "holder": "Pat Shopper",
    }
    data.update(overrides)
    return data


def web_checkout(client, part, *, quantity=1, number=VISA, method="card", address=None):
    """Walk the checkout pages as a browser without JavaScript would, up to
    the review page; returns the review page's response. `quantity=None`
    checks out the cart as it is."""
    if quantity is not None:
        client.post(reverse("cart_add"), {"sku": part.sku, "quantity": str(quantity)})
    response = client.post(reverse("checkout_address"), address or web_address_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(reverse("checkout_shipping"), {"shipping_method": "standard"})
    assert response.status_code == 302, response.content.decode()[:2000]
    payment = web_card_form(number) if method == "card" else {"method": method}
    response = client.post(reverse("checkout_payment"), payment)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.get(reverse("checkout_review"))
    assert response.status_code == 200
    return response


def place_from_review(client, review_response, **extra):
    form = review_response.context["form"]
    data = {
        "idempotency_key": form.initial["idempotency_key"],
        "expected_total": str(form.initial["expected_total"]),
        **extra,
    }
    return client.post(reverse("checkout_review"), data)


FLAT_RATES = {
    "standard": Decimal("9.95"),
    "two_day": Decimal("24.95"),
    "overnight": Decimal("44.95"),
}
FLAT_TRUCK = Decimal("149.00")


def flat_rates() -> None:
    """Replace the rate tables with one flat price per method (any zone, up
    to 150 lb by parcel, 5,000 lb by truck), so order totals in tests read
    simply. tests/shipping tests the real tables."""
    from camshaft.shipping.models import Carrier, ShippingRate
    from camshaft.shipping.selectors import forget_rates

    ShippingRate.objects.all().delete()
    rows = []
    for carrier in Carrier.objects.all():
        truck = carrier.mode == Carrier.Mode.TRUCK
        prices = {"standard": FLAT_TRUCK} if truck else FLAT_RATES
        for method, price in prices.items():
            for zone in range(1, 11):
                rows.append(
                    ShippingRate(
                        carrier=carrier,
                        method=method,
                        zone=zone,
                        max_weight_lb=Decimal(5000 if truck else 150),
                        price=price,
                    )
                )
    ShippingRate.objects.bulk_create(rows)
    forget_rates()


def ship_everything(order, *, by, carrier_code: str = "fedex") -> list:
    """Ship every parcel the order still waits for, as the warehouse would."""
    from camshaft.orders import services as orders
    from camshaft.orders.selectors import waiting_to_ship
    from camshaft.shipping.models import Carrier

    carrier = Carrier.objects.get(code=carrier_code)
    return [
        orders.create_shipment(
            order=order,
            warehouse=parcel.warehouse,
            carrier=carrier,
            tracking_number=f"TRK{order.pk}W{parcel.warehouse.pk}",
            by=by,
        )
        for parcel in waiting_to_ship(order_id=order.pk)
    ]
