"""Buying on the marketplace (M1, A1's 18+): listings in the same cart as
the store's parts, one order split per seller, one authorization, stock
taken under a lock; every refusal clear and changing nothing."""

from decimal import Decimal

import pytest

from camshaft.cart import services as cart_services
from camshaft.marketplace import selectors, services
from camshaft.marketplace.models import MarketplaceCartLine, Sale, SaleStatus
from camshaft.orders.models import Order
from camshaft.payments.models import PaymentStatus
from tests.marketplace.buying import buyer, cart_with, listing, place, seller_with_address
from tests.marketplace.helpers import adult, born_years_ago
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db


def test_M1_a_listing_and_a_store_part_are_bought_in_one_order_with_one_authorization():
    item = listing(quantity=3, price="40.00", shipping="7.50")
    part = stocked_part(price=Decimal("20.00"))
    member = buyer()
    cart = cart_with(member, (item, 2), store_parts=[part])

    placed = place(cart, member)

    order = placed.order
    sale = Sale.objects.get(order=order)
    assert (sale.quantity, sale.unit_price, sale.shipping_charge) == (2, Decimal("40.00"), Decimal("7.50"))
    assert sale.seller == item.seller and sale.buyer == member
    assert sale.status == SaleStatus.AWAITING_SHIPMENT
    assert order.marketplace_total == sale.total == Decimal("87.50")
    assert order.grand_total == Decimal("20.00") + Decimal("9.95") + Decimal("87.50")
    assert order.payment.amount == order.grand_total
    assert order.payment.status == PaymentStatus.AUTHORIZED
    item.refresh_from_db()
    assert item.quantity == 1
    assert not MarketplaceCartLine.objects.filter(cart=cart).exists()
