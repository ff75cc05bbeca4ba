"""The buyer's order page and order API show each seller's part as it
goes (M1): awaiting shipment by whom, shipped with tracking, cancelled by
whom, refunded, not only the store's part."""

from decimal import Decimal

import pytest

from camshaft.marketplace import rules, services
from camshaft.marketplace.models import Sale
from tests.marketplace.buying import buyer, cart_with, listing, place, seller_with_address
from tests.marketplace.helpers import bearer

pytestmark = pytest.mark.django_db


def three_sellers_order():
    brakes = listing(of=seller_with_address("brakes"), price="10.00", shipping="2.00")
    engines = listing(of=seller_with_address("engines"), price="30.00", shipping="0")
    lamps = listing(of=seller_with_address("lamps"), price="20.00", shipping="0", return_days=30)
    member = buyer()
    order = place(cart_with(member, (brakes, 1), (engines, 1), (lamps, 1)), member).order
    return order, *(Sale.objects.get(listing=item) for item in (brakes, engines, lamps))


def ship(sale, tracking):
    services.ship_sale(
        user=sale.seller.user, sale_id=sale.pk, carrier="UPS", tracking_number=tracking
    )


def test_M1_the_order_page_says_whom_each_part_waits_for_and_how_it_went(client):
    order, brakes, engines, lamps = three_sellers_order()
    client.force_login(order.user)
    waiting = client.get(f"/orders/{order.number}/").text
    for seller in ("brakes", "engines", "lamps"):
        assert f"Awaiting shipment by {seller}" in waiting

    ship(brakes, "1Z999AA1")
    services.cancel_sale(
        user=engines.seller.user, sale_id=engines.pk, role="seller", reason="Out of stock"
    )
    ship(lamps, "1Z999AA2")
    services.refund_sale(user=lamps.seller.user, sale_id=lamps.pk, amount=Decimal("5.00"))

    page = client.get(f"/orders/{order.number}/").text
    assert "Shipped by brakes, UPS tracking 1Z999AA1" in page
    assert "Cancelled by engines: nothing is charged for it" in page and "Out of stock" in page
    assert "Shipped by lamps, UPS tracking 1Z999AA2; $5.00 refunded" in page
    assert "Awaiting shipment" not in page


def test_M1_the_order_api_gives_each_parts_status_in_codes_and_words(client):
    order, brakes, engines, lamps = three_sellers_order()
    ship(brakes, "1Z999AA1")
    services.cancel_sale(user=order.user, sale_id=engines.pk, role="buyer")
    ship(lamps, "1Z999AA2")
    services.refund_sale(user=lamps.seller.user, sale_id=lamps.pk, amount=Decimal("20.00"))

    answer = client.get(f"/api/v1/orders/{order.number}", headers=bearer(order.user))
    assert answer.status_code == 200
    parts = {part["seller_user_id"]: part for part in answer.json()["sellers"]}
    assert parts["brakes"]["status"] == "shipped"
    assert parts["brakes"]["sales"][0]["status_text"] == "Shipped by brakes, UPS tracking 1Z999AA1"
    cancelled = parts["engines"]["sales"][0]
    assert parts["engines"]["status"] == "cancelled" and cancelled["cancelled_by"] == "buyer"
    assert cancelled["status_text"].startswith("Cancelled by you")
    refunded = parts["lamps"]["sales"][0]
    assert parts["lamps"]["status"] == "refunded" and parts["lamps"]["status_text"] == "Refunded"
    assert Decimal(refunded["amount_refunded"]) == Decimal("20.00") and refunded["refunded_at"]


def test_M1_a_sellers_part_reads_as_a_whole():
    assert rules.seller_part_status(["awaiting_shipment"]) == "awaiting_shipment"
    assert rules.seller_part_status(["shipped", "awaiting_shipment"]) == "partly_shipped"
    assert rules.seller_part_status(["shipped", "cancelled"]) == "shipped"
    assert rules.seller_part_status(["delivered", "refunded"]) == "delivered"
    assert rules.seller_part_status(["cancelled", "cancelled"]) == "cancelled"
    assert rules.seller_part_status(["cancelled", "refunded"]) == "closed"
