"""T1 at checkout and on the order: tax per line where the store has nexus,
shipping taxed where the jurisdiction says so, past orders untouched by a
later rate change."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from camshaft.checkout import services as checkout
from camshaft.checkout.selectors import checkout_summary
from camshaft.notifications.models import OutboxMessage
from camshaft.tax import services as tax
from tests.factories import PartFactory, StockLevelFactory, WarehouseFactory
from tests.shopping import ADDRESS, place_from_review, ready_cart, web_checkout

pytestmark = pytest.mark.django_db


@pytest.fixture
def ohio():
    """A warehouse in Ohio (nexus there), Ohio 5.75 % with shipping taxed."""
    warehouse = WarehouseFactory(code="CMH", state="OH", country="US")
    jurisdiction = tax.add_jurisdiction(
        name="Ohio sales tax", country="US", region="OH", taxes_shipping=True
    )
    tax.set_rate(jurisdiction=jurisdiction, rate=Decimal("0.0575"), effective_from=date(2020, 1, 1))
    return warehouse, jurisdiction


def part_in(warehouse, price="20.00", **fields):
    part = PartFactory(price=Decimal(price), **fields)
    StockLevelFactory(part=part, warehouse=warehouse, quantity=9)
    return part


def test_T1_tax_per_line_and_on_shipping_where_the_store_has_nexus(ohio):
    warehouse, _ = ohio
    pad = part_in(warehouse, "20.00", core_charge=Decimal("15.00"))
    rotor = part_in(warehouse, "33.33")
    cart = ready_cart(parts=[pad, rotor])  # shipping to Columbus, OH
    order = checkout.place(cart=cart, user=None, currency="USD", idempotency_key="k").order
    lines = {line.sku: line for line in order.lines.all()}
    assert (lines[pad.sku].tax_rate, lines[pad.sku].tax_amount) == (
        Decimal("0.0575"),
        Decimal("1.15"),
    )
    assert lines[rotor.sku].tax_amount == Decimal("1.92")  # 33.33 × 5.75 % = 1.916…
    assert order.shipping_tax == Decimal("0.57")  # 9.95 × 5.75 % = 0.572…
    assert order.tax_total == Decimal("3.64")
    # The core deposit is not taxed.
    assert order.grand_total == Decimal("20.00") + Decimal("33.33") + Decimal("15.00") + Decimal(
        "9.95"
    ) + Decimal("3.64")
    assert order.payment.amount == order.grand_total
    mail = OutboxMessage.objects.get(category="order_confirmation")
    assert "tax: $1.15" in mail.body_text


def test_T1_no_tax_where_the_store_has_no_nexus(ohio):
    warehouse, _ = ohio
    cart = ready_cart(parts=[part_in(warehouse)])
    checkout.set_addresses(
        cart=cart,
        user=None,
        email="pat@example.com",
        billing={**ADDRESS, "region": "MI", "city": "Detroit", "postal_code": "48201"},
    )
    summary = checkout_summary(cart=cart, currency="USD")
    assert summary.quote.tax_total == 0
    assert all(line.tax_amount == 0 for line in summary.quote.lines)


def test_T1_a_rate_change_from_a_date_leaves_past_orders_alone(ohio):
    warehouse, jurisdiction = ohio
    part = part_in(warehouse, "100.00")
    first = checkout.place(
        cart=ready_cart(parts=[part]), user=None, currency="USD", idempotency_key="a"
    ).order
    assert first.lines.get().tax_amount == Decimal("5.75")
    tomorrow = timezone.localdate() + timedelta(days=1)
    tax.set_rate(jurisdiction=jurisdiction, rate=Decimal("0.08"), effective_from=tomorrow)
    today = checkout.place(
        cart=ready_cart(parts=[part]), user=None, currency="USD", idempotency_key="b"
    ).order
    assert today.lines.get().tax_amount == Decimal("5.75")  # not in force yet
    tax.set_rate(jurisdiction=jurisdiction, rate=Decimal("0.08"), effective_from=date(2021, 1, 1))
    later = checkout.place(
        cart=ready_cart(parts=[part]), user=None, currency="USD", idempotency_key="c"
    ).order
    first.refresh_from_db()
    assert first.lines.get().tax_amount == Decimal("5.75")
    assert later.lines.get().tax_amount == Decimal("8.00")  # 8 % in force since 2021
    today.refresh_from_db()
    assert today.lines.get().tax_amount == Decimal("5.75")


def test_T1_checkout_and_order_pages_show_the_tax(client, ohio):
    warehouse, _ = ohio
    part = part_in(warehouse, "40.00")
    review = web_checkout(client, part)
    assert b"tax $2.30" in review.content and b'id="summary-tax"' in review.content
    response = place_from_review(client, review)
    page = client.get(response.url)
    assert b"tax $2.30" in page.content and b'id="order-tax"' in page.content
    api = client.get(reverse("checkout"))  # the checkout is done: back to the cart
    assert api.status_code == 302
