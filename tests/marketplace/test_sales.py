"""After a marketplace sale (M1, Y2): each seller ships their part with a
tracking number and exactly their amount is captured; before that the
buyer or the seller may cancel it, its hold released and its units back on
the listing; the buyer says it arrived; a suspended seller's open sales are
cancelled."""

from decimal import Decimal

import pytest

from camshaft.marketplace import services
from camshaft.marketplace.models import CancelledBy, Sale, SaleStatus
from camshaft.notifications.models import OutboxMessage
from camshaft.orders import services as orders
from camshaft.orders.models import OrderStatus
from camshaft.payments.models import PaymentStatus
from tests.marketplace.buying import buyer, cart_with, listing, place, seller_with_address
from tests.marketplace.helpers import bearer
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db


def two_sellers_order(**store):
    """An order of two sellers' listings: 12.00 (brakes) and 60.00 (engines)."""
    first = listing(of=seller_with_address("brakes"), price="10.00", shipping="2.00", quantity=3)
    second = listing(of=seller_with_address("engines"), price="30.00", shipping="0", quantity=3)
    member = buyer()
    order = place(cart_with(member, (first, 1), (second, 2), **store), member).order
    return order, Sale.objects.get(listing=first), Sale.objects.get(listing=second)


def ship(sale, **changes):
    fields = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784", **changes}
    return services.ship_sale(user=sale.seller.user, sale_id=sale.pk, **fields)


def test_M1_Y2_shipping_a_sale_captures_exactly_that_sellers_part():
    order, brakes, engines = two_sellers_order()
    ship(brakes)
    order.payment.refresh_from_db()
    brakes.refresh_from_db()
    assert order.payment.amount_captured == brakes.amount_captured == Decimal("12.00")
    assert brakes.status == SaleStatus.SHIPPED and brakes.tracking_number == "1Z999AA10123456784"
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_SHIPPED

    ship(engines)
    order.payment.refresh_from_db()
    order.refresh_from_db()
    assert order.payment.amount_captured == Decimal("72.00")
    assert order.payment.status == PaymentStatus.CAPTURED
    assert order.status == OrderStatus.SHIPPED
    shipped = OutboxMessage.objects.filter(category="marketplace_sale_shipped")
    assert [m.to_address for m in shipped] == [order.email, order.email]


def test_M1_a_sale_ships_once_and_only_by_its_seller():
    order, brakes, engines = two_sellers_order()
    with pytest.raises(services.SaleProblem) as stranger:
        services.ship_sale(
            user=engines.seller.user, sale_id=brakes.pk, carrier="UPS", tracking_number="1"
        )
    assert stranger.value.code == "not_found"
    ship(brakes)
    with pytest.raises(services.SaleProblem) as again:
        ship(brakes)
    assert "shipped" in again.value.message
    order.payment.refresh_from_db()
    assert order.payment.amount_captured == Decimal("12.00")


@pytest.mark.parametrize(
    "carrier, tracking, field",
    [
        ("", "1Z9", "carrier"),
        ("UPS", "", "tracking_number"),
        ("UPS", "no/slash", "tracking_number"),
    ],
)
def test_M1_shipping_needs_a_carrier_and_a_tracking_number_and_changes_nothing_without(
    carrier, tracking, field
):
    order, brakes, _ = two_sellers_order()
    with pytest.raises(services.SaleProblem) as refused:
        ship(brakes, carrier=carrier, tracking_number=tracking)
    assert field in refused.value.problems
    brakes.refresh_from_db()
    order.payment.refresh_from_db()
    assert brakes.status == SaleStatus.AWAITING_SHIPMENT
    assert order.payment.amount_captured == 0


def test_M1_the_stores_last_shipment_never_takes_a_sellers_part():
    from camshaft.inventory.models import Allocation
    from camshaft.shipping.models import Carrier

    part = stocked_part(price=Decimal("20.00"))
    order, brakes, engines = two_sellers_order(store_parts=[part])
    allocation = Allocation.objects.get(order_line__order=order)
    orders.create_shipment(
        order=order,
        warehouse=allocation.warehouse,
        carrier=Carrier.objects.filter(is_active=True).first(),
        tracking_number="STORE1",
        by=None,
    )
    order.payment.refresh_from_db()
    assert order.payment.amount_captured == Decimal("20.00") + Decimal("9.95")
    ship(brakes)
    ship(engines)
    order.payment.refresh_from_db()
    assert order.payment.amount_captured == order.grand_total


def test_M1_the_buyer_cancels_a_sale_before_it_ships_and_its_hold_is_released():
    order, brakes, engines = two_sellers_order()
    services.cancel_sale(user=order.user, sale_id=brakes.pk, role="buyer", reason="changed my mind")
    brakes.refresh_from_db()
    order.refresh_from_db()
    order.payment.refresh_from_db()
    assert (brakes.status, brakes.cancelled_by) == (SaleStatus.CANCELLED, CancelledBy.BUYER)
    assert order.payment.amount == order.grand_total == Decimal("60.00")
    assert order.marketplace_total == Decimal("60.00")
    brakes.listing.refresh_from_db()
    assert brakes.listing.quantity == 3
    cancelled = OutboxMessage.objects.filter(category="marketplace_sale_cancelled")
    assert {m.to_address for m in cancelled} == {order.email, brakes.seller.user.email}
    ship(engines)
    order.payment.refresh_from_db()
    assert order.payment.amount_captured == Decimal("60.00")


def test_M1_cancelling_the_only_sale_voids_the_authorization():
    item = listing(quantity=2)
    member = buyer()
    order = place(cart_with(member, (item, 1)), member).order
    sale = Sale.objects.get()
    services.cancel_sale(
        user=item.seller.user, sale_id=sale.pk, role="seller", reason="out of stock"
    )
    order.payment.refresh_from_db()
    assert order.payment.status == PaymentStatus.VOIDED
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    item.refresh_from_db()
    assert item.quantity == 2


def test_M1_a_shipped_sale_cannot_be_cancelled_nor_someone_elses():
    order, brakes, engines = two_sellers_order()
    ship(brakes)
    with pytest.raises(services.SaleProblem) as shipped:
        services.cancel_sale(user=order.user, sale_id=brakes.pk, role="buyer")
    assert "shipped" in shipped.value.message
    stranger = buyer()
    with pytest.raises(services.SaleProblem) as theirs:
        services.cancel_sale(user=stranger, sale_id=engines.pk, role="buyer")
    assert theirs.value.code == "not_found"
    engines.refresh_from_db()
    assert engines.status == SaleStatus.AWAITING_SHIPMENT


def test_M1_the_buyer_says_a_shipped_sale_arrived_not_before():
    order, brakes, _ = two_sellers_order()
    with pytest.raises(services.SaleProblem):
        services.confirm_delivery(user=order.user, sale_id=brakes.pk)
    ship(brakes)
    with pytest.raises(services.SaleProblem) as stranger:
        services.confirm_delivery(user=brakes.seller.user, sale_id=brakes.pk)
    assert stranger.value.code == "not_found"
    services.confirm_delivery(user=order.user, sale_id=brakes.pk)
    brakes.refresh_from_db()
    assert brakes.status == SaleStatus.DELIVERED and brakes.delivered_at is not None


def test_M1_cancelling_the_order_cancels_its_open_sales_and_puts_the_units_back():
    order, brakes, engines = two_sellers_order()
    orders.cancel_order(order=order, by=order.user, as_staff=False)
    for sale in (brakes, engines):
        sale.refresh_from_db()
        sale.listing.refresh_from_db()
        assert sale.status == SaleStatus.CANCELLED
        assert sale.listing.quantity == 3
    order.payment.refresh_from_db()
    assert order.payment.status == PaymentStatus.VOIDED


def test_M1_once_a_seller_shipped_the_shopper_cannot_cancel_the_whole_order():
    order, brakes, _ = two_sellers_order()
    ship(brakes)
    order.refresh_from_db()
    assert not orders.cancel_decision(order=order, as_staff=False).allowed


def test_M5_a_suspended_sellers_open_sales_are_cancelled_voided_and_buyers_told():
    from django.contrib.auth import get_user_model

    from camshaft.marketplace.models import ReportOutcome

    order, brakes, engines = two_sellers_order()
    ship(engines)
    report = services.file_report(reporter=None, reason="fake parts", public_id="brakes")
    clerk = get_user_model().objects.create_user(
        email="clerk@example.com", password="x-long-pass-1"
    )
    services.handle_report(staff=clerk, report_id=report.pk, outcome=ReportOutcome.SUSPENDED)
    brakes.refresh_from_db()
    engines.refresh_from_db()
    assert (brakes.status, brakes.cancelled_by) == (SaleStatus.CANCELLED, CancelledBy.STAFF)
    assert engines.status == SaleStatus.SHIPPED
    order.refresh_from_db()
    assert order.marketplace_total == Decimal("60.00")
    assert OutboxMessage.objects.filter(
        to_address=order.email, category="marketplace_sale_cancelled"
    ).exists()


# Pages and API -----------------------------------------------------------------


def test_M1_the_seller_ships_from_the_sales_to_ship_page(client):
    order, brakes, _ = two_sellers_order()
    client.force_login(brakes.seller.user)
    page = client.get("/account/selling/sales/")
    assert page.status_code == 200 and order.number.encode() in page.content
    bad = client.post(f"/account/selling/sales/{brakes.pk}/ship/", {"carrier": "UPS"})
    assert bad.status_code == 422
    brakes.refresh_from_db()
    assert brakes.status == SaleStatus.AWAITING_SHIPMENT
    done = client.post(
        f"/account/selling/sales/{brakes.pk}/ship/", {"carrier": "UPS", "tracking_number": "1Z1"}
    )
    assert done.status_code == 302
    brakes.refresh_from_db()
    assert brakes.status == SaleStatus.SHIPPED


def test_M1_the_order_page_shows_each_sellers_part_and_the_buyers_forms(client):
    order, brakes, _ = two_sellers_order()
    ship(brakes)
    client.force_login(order.user)
    page = client.get(f"/orders/{order.number}/")
    assert b"Sold by" in page.content and b"1Z999AA10123456784" in page.content
    assert f"/account/purchases/{brakes.pk}/received/".encode() in page.content
    assert client.post(f"/account/purchases/{brakes.pk}/received/").status_code == 302
    client.force_login(buyer())
    assert client.post(f"/account/purchases/{brakes.pk}/cancel/").status_code == 404


def test_M1_the_seller_api_lists_sales_and_ships_with_tracking(client):
    order, brakes, engines = two_sellers_order()
    headers = bearer(brakes.seller.user)
    listed = client.get("/api/v1/marketplace/sales", headers=headers)
    assert [s["id"] for s in listed.json()] == [brakes.pk]
    url = f"/api/v1/marketplace/sales/{brakes.pk}/ship"
    bad = client.post(
        url,
        {"carrier": "UPS", "tracking_number": "a/b"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    other = client.post(
        f"/api/v1/marketplace/sales/{engines.pk}/ship",
        {"carrier": "UPS", "tracking_number": "1Z1"},
        content_type="application/json",
        headers=headers,
    )
    assert other.status_code == 404
    ok = client.post(
        url,
        {"carrier": "UPS", "tracking_number": "1Z1"},
        content_type="application/json",
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["status"] == "shipped"
    again = client.post(
        url,
        {"carrier": "UPS", "tracking_number": "1Z1"},
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 409
    mine = client.get(f"/api/v1/orders/{order.number}", headers=bearer(order.user))
    sellers = {p["seller_user_id"]: p for p in mine.json()["sellers"]}
    assert sellers["brakes"]["sales"][0]["tracking_number"] == "1Z1"
    assert sellers["engines"]["sales"][0]["status"] == "awaiting_shipment"
