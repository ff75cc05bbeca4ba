"""S1-S3 at checkout and through the API: each method with its price from
the rate tables and its delivery dates; shipment tracking for an order."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from camshaft.checkout import services as checkout
from camshaft.checkout.selectors import checkout_summary
from camshaft.orders import services as orders
from camshaft.shipping.models import Carrier
from tests.factories import PartFactory, StockLevelFactory, WarehouseFactory
from tests.shopping import ADDRESS, ready_cart, web_address_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def columbus():
    return WarehouseFactory(code="CMH", state="OH", latitude="39.9", longitude="-82.9")


def part_in(warehouse, **fields):
    part = PartFactory(**fields)
    StockLevelFactory(part=part, warehouse=warehouse, quantity=9)
    return part


def test_S3_checkout_offers_each_method_with_price_and_dates(client, columbus):
    part = part_in(columbus, weight_lb=Decimal("4"))
    client.post(reverse("cart_add"), {"sku": part.sku, "quantity": "1"})
    client.post(reverse("checkout_address"), web_address_form())
    page = client.get(reverse("checkout_shipping"))
    options = page.context["summary"].priced.options
    assert [o.code for o in options] == ["standard", "two_day", "overnight"]
    assert options[0].price < options[1].price < options[2].price
    for option in options:
        assert option.window.earliest <= option.window.latest
        assert option.window.describe() in page.content.decode()
    standard = options[0]
    assert (standard.window.latest - standard.window.earliest).days >= 7  # 3 to 10 business days


def test_S2_a_business_address_gets_air_on_the_day_a_home_may_wait_one_more(columbus):
    part = part_in(columbus)
    tuesday_morning = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
    cart = ready_cart(parts=[part])
    checkout.set_addresses(cart=cart, user=None, email="p@example.com", billing=ADDRESS)
    home = {
        o.code: o.window
        for o in orders.quote_cart(
            cart=cart,
            currency="USD",
            destination=orders.destination_of(ADDRESS, residential=True),
            placed_at=tuesday_morning,
        ).options
    }
    business = {
        o.code: o.window
        for o in orders.quote_cart(
            cart=cart,
            currency="USD",
            destination=orders.destination_of(ADDRESS, residential=False),
            placed_at=tuesday_morning,
        ).options
    }
    assert business["overnight"].earliest == business["overnight"].latest
    assert home["overnight"].latest > business["overnight"].latest
    assert home["standard"] == business["standard"]


def test_S2_truck_freight_and_performance_parts_ship_standard_only(columbus):
    engine = part_in(
        columbus,
        freight_class="truck",
        weight_lb=Decimal("380"),
        length_in=Decimal("36"),
        width_in=Decimal("30"),
        height_in=Decimal("30"),
    )
    cart = ready_cart(parts=[engine])
    [only] = checkout_summary(cart=cart, currency="USD").priced.options
    assert (only.code, only.name, only.carriers) == ("standard", "Truck freight", ("R+L Carriers",))
    turbo = part_in(columbus, is_performance=True)
    cart = ready_cart(parts=[turbo])
    assert [o.code for o in checkout_summary(cart=cart, currency="USD").priced.options] == [
        "standard"
    ]


def test_S3_the_order_keeps_the_promised_window(columbus):
    cart = ready_cart(parts=[part_in(columbus)])
    summary = checkout_summary(cart=cart, currency="USD")
    order = checkout.place(cart=cart, user=None, currency="USD", idempotency_key="k").order
    assert (order.delivery_earliest, order.delivery_latest) == (
        summary.priced.shipping.window.earliest,
        summary.priced.shipping.window.latest,
    )


def test_S3_api_quotes_a_cart_before_any_address(client, columbus):
    part = part_in(columbus)
    token = client.post(
        "/api/v1/cart/lines", {"sku": part.sku, "quantity": 2}, content_type="application/json"
    ).json()["token"]
    headers = {"X-Cart-Token": token}
    quote = client.post(
        "/api/v1/shipping/quote",
        {"country": "US", "region": "CA", "postal_code": "94105"},
        content_type="application/json",
        headers=headers,
    )
    assert quote.status_code == 200, quote.json()
    body = quote.json()
    assert [o["code"] for o in body["options"]] == ["standard", "two_day", "overnight"]
    assert all(o["earliest"] <= o["latest"] for o in body["options"])
    bad = client.post(
        "/api/v1/shipping/quote",
        {"country": "XX"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422


def test_S4_api_shows_shipments_with_tracking(client, columbus, admin_user):
    cart = ready_cart(parts=[part_in(columbus)], email="pat@example.com")
    order = checkout.place(cart=cart, user=None, currency="USD", idempotency_key="k").order
    orders.create_shipment(
        order=order,
        warehouse=columbus,
        carrier=Carrier.objects.get(code="fedex"),
        tracking_number="794612345678",
        by=admin_user,
    )
    body = client.post(
        "/api/v1/orders/lookup",
        {"number": order.number, "email": "pat@example.com"},
        content_type="application/json",
    ).json()
    assert body["status"] == "shipped"
    [shipment] = body["shipments"]
    assert shipment["tracking_number"] == "794612345678"
    assert "794612345678" in shipment["tracking_url"]
    assert body["delivery_earliest"] <= body["delivery_latest"]
