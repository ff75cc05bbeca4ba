"""S4, Y2, I2: shipments leave one warehouse each, capture the payment for
their lines, consume the stock and mail the tracking number; an order whose
parts sit in two warehouses ships in two parcels."""

from decimal import Decimal

import pytest

from camshaft.cart import services as cart_services
from camshaft.checkout import services as checkout
from camshaft.inventory.models import Allocation, StockLevel
from camshaft.notifications.models import OutboxMessage
from camshaft.orders import services as orders
from camshaft.orders.models import Order, OrderStatus
from camshaft.payments.models import PaymentStatus, PaymentTransaction
from camshaft.shipping.models import Carrier
from tests.concurrency import at_once
from tests.factories import PartFactory, StockLevelFactory, WarehouseFactory
from tests.shopping import ready_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouses():
    return {
        "CMH": WarehouseFactory(
            code="CMH", city="Columbus", state="OH", latitude="39.9", longitude="-82.9"
        ),
        "RNO": WarehouseFactory(
            code="RNO", city="Reno", state="NV", latitude="39.6", longitude="-119.8"
        ),
    }


@pytest.fixture
def fedex():
    return Carrier.objects.get(code="fedex")


def part_in(warehouse, quantity=5, **fields):
    part = PartFactory(**fields)
    StockLevelFactory(part=part, warehouse=warehouse, quantity=quantity)
    return part


def place(cart, key="k", method="card") -> Order:
    return checkout.place(cart=cart, user=None, currency="USD", idempotency_key=key).order


def test_S4_an_order_split_over_two_warehouses_ships_in_two_parcels(warehouses, fedex, admin_user):
    brake = part_in(warehouses["CMH"], price=Decimal("40.00"), core_charge=Decimal("10.00"))
    rotor = part_in(warehouses["RNO"], price=Decimal("60.00"))
    order = place(ready_cart(parts=[brake, rotor]))
    assert sorted(
        Allocation.objects.filter(order_line__order=order).values_list(
            "warehouse__code", "order_line__sku"
        )
    ) == sorted([("CMH", brake.sku), ("RNO", rotor.sku)])

    first = orders.create_shipment(
        order=order,
        warehouse=warehouses["CMH"],
        carrier=fedex,
        tracking_number="7946 1234 5678",
        by=admin_user,
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_SHIPPED
    # The first parcel pays its lines (with the core deposit) and the shipping.
    assert first.amount_captured == Decimal("40.00") + Decimal("10.00") + order.shipping_total
    assert first.tracking_number == "794612345678"
    mail = OutboxMessage.objects.filter(category="order_shipped").get()
    assert "794612345678" in mail.body_text and "fedex.com" in mail.body_text
    assert brake.sku in mail.body_text

    second = orders.create_shipment(
        order=order,
        warehouse=warehouses["RNO"],
        carrier=fedex,
        tracking_number="794698765432",
        by=admin_user,
    )
    order.refresh_from_db()
    order.payment.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert first.amount_captured + second.amount_captured == order.grand_total
    assert order.payment.status == PaymentStatus.CAPTURED
    assert PaymentTransaction.objects.filter(kind="capture").count() == 2
    assert StockLevel.objects.get(part=brake).quantity == 4
    assert StockLevel.objects.get(part=brake).reserved == 0


def test_Y2_shipping_twice_from_the_same_warehouse_captures_once(warehouses, fedex, admin_user):
    part = part_in(warehouses["CMH"])
    order = place(ready_cart(parts=[part]))
    orders.create_shipment(
        order=order,
        warehouse=warehouses["CMH"],
        carrier=fedex,
        tracking_number="1Z999",
        by=admin_user,
    )
    with pytest.raises(orders.TransitionRefused, match="shipped order cannot be shipped"):
        orders.create_shipment(
            order=order,
            warehouse=warehouses["CMH"],
            carrier=fedex,
            tracking_number="1Z999",
            by=admin_user,
        )
    assert PaymentTransaction.objects.filter(kind="capture").count() == 1


def test_S4_bad_shipments_are_refused_and_change_nothing(warehouses, fedex, admin_user):
    part = part_in(warehouses["CMH"])
    order = place(ready_cart(parts=[part]))
    for bad in ("", "no spaces? yes!", "x" * 61):
        with pytest.raises(orders.TransitionRefused):
            orders.create_shipment(
                order=order,
                warehouse=warehouses["CMH"],
                carrier=fedex,
                tracking_number=bad,
                by=admin_user,
            )
    with pytest.raises(orders.TransitionRefused, match="Nothing"):
        orders.create_shipment(
            order=order,
            warehouse=warehouses["RNO"],
            carrier=fedex,
            tracking_number="1",
            by=admin_user,
        )
    offline = place(ready_cart(parts=[part], method="check"), key="k2")
    with pytest.raises(orders.TransitionRefused, match="payment"):
        orders.create_shipment(
            order=offline,
            warehouse=warehouses["CMH"],
            carrier=fedex,
            tracking_number="1",
            by=admin_user,
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert not order.shipments.exists()
    assert StockLevel.objects.get(part=part, warehouse=warehouses["CMH"]).quantity == 5


def test_I2_cancelling_releases_the_stock(warehouses):
    part = part_in(warehouses["CMH"], quantity=2)
    order = place(ready_cart(parts=[part], quantity=2))
    level = StockLevel.objects.get(part=part)
    assert level.reserved == 2
    with pytest.raises(orders.CheckoutProblem, match="out of stock"):
        ready_cart(parts=[part])
    orders.cancel_order(order=order, by=None, as_staff=False)
    level.refresh_from_db()
    assert level.reserved == 0
    assert place(ready_cart(parts=[part]), key="k3").status == OrderStatus.PLACED


def test_I2_out_of_stock_is_refused_before_the_card_is_touched(warehouses):
    from camshaft.payments.models import Payment

    part = part_in(warehouses["CMH"], quantity=1)
    cart = ready_cart(parts=[part])
    cart_services.set_quantity(cart=cart, line_id=cart.lines.get().id, quantity=2)
    with pytest.raises(orders.CheckoutProblem, match="only 1 left"):
        place(cart)
    assert not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_I2_twenty_buyers_for_the_last_three_units():
    """Real threads on PostgreSQL: exactly three orders, stock never below
    zero, and every loser told how many are left with no hold on the card."""
    from django.db import connection

    from camshaft.payments.models import Payment

    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    warehouse = WarehouseFactory(code="CMH", state="OH")
    part = part_in(warehouse, quantity=3)
    carts = iter([ready_cart(parts=[part]) for _ in range(20)])
    keys = iter(range(20))

    def buy():
        cart, n = next(carts), next(keys)
        return checkout.place(cart=cart, user=None, currency="USD", idempotency_key=f"b{n}").order

    results, errors = at_once(buy, threads=20)
    assert len(results) == 3
    assert len(errors) == 17
    assert all(isinstance(e, orders.CheckoutProblem) for e in errors)
    assert all("left" in e.message or "out of stock" in e.message for e in errors)
    level = StockLevel.objects.get(part=part)
    assert (level.quantity, level.reserved) == (3, 3)
    # Losers who got past the first check were authorized, then voided.
    dangling = Payment.objects.filter(status=PaymentStatus.AUTHORIZED).exclude(order__isnull=False)
    assert not dangling.exists()
    assert Order.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_Y2_eight_clerks_shipping_the_same_parcel_capture_once(fedex):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    warehouse = WarehouseFactory(code="CMH", state="OH")
    order = place(ready_cart(parts=[part_in(warehouse)]))

    def ship():
        return orders.create_shipment(
            order=order, warehouse=warehouse, carrier=fedex, tracking_number="1Z1", by=None
        ).pk

    results, errors = at_once(ship)
    assert len(results) == 1
    assert len(errors) == 7 and all(isinstance(e, orders.TransitionRefused) for e in errors)
    assert PaymentTransaction.objects.filter(kind="capture").count() == 1
    level = StockLevel.objects.get(warehouse=warehouse)
    assert (level.quantity, level.reserved) == (4, 0)
