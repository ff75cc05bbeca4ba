"""A shopper buys a part in a real browser: cart, checkout with a test
card, confirmation; then cancels within the window (K1, K2, Y1-Y3, O3)."""

from decimal import Decimal

import pytest

from camshaft.orders.models import Order
from tests.factories import PartFactory, StockLevelFactory
from tests.shopping import ADDRESS, flat_rates

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rotor():
    flat_rates()  # two-day: $24.95
    part = PartFactory(sku="ROT-88", name="Vented Front Brake Rotor", price=Decimal("64.00"))
    StockLevelFactory(part=part, quantity=4)
    return part


def fill_address(page):
    page.fill("#id_email", "pat@example.com")
    for name, value in ADDRESS.items():
        if name == "country":
            page.select_option("#id_billing_country", value)
        else:
            page.fill(f"#id_billing_{name}", value)
    page.click("text=Continue to shipping")


def test_K2_guest_buys_a_part_with_a_card_and_cancels_it(page, rotor, on_a_weekday):
    page.goto("/parts/ROT-88/")
    page.fill("#quantity", "2")
    page.click("#add-to-cart button")
    page.wait_for_url("**/cart/")
    assert page.inner_text("#subtotal") == "$128.00"
    page.click("#checkout-link")
    page.wait_for_url("**/checkout/address/")
    fill_address(page)
    page.wait_for_url("**/checkout/shipping/")
    page.check("input[value=two_day]")
    page.click("text=Continue to payment")
    page.wait_for_url("**/checkout/payment/")
    page.check("input[name=method][value=card]")
    page.fill("#id_card_number", "4242 4242 4242 4242")
    page.fill("#id_exp_month", "12")
    page.fill("#id_exp_year", "2099")
    page.fill("#id_cvc", "123")
    page.fill("#id_holder", "Pat Shopper")
    page.click("text=Continue to review")
    page.wait_for_url("**/checkout/review/")
    assert page.inner_text("#review-payment") == "Visa ending 4242"
    assert page.inner_text("#summary-total") == "$152.95"
    page.click("#place-order")
    page.wait_for_url("**/orders/CS-*/")
    order = Order.objects.get()
    assert page.inner_text("#order-number") == order.number
    assert page.inner_text("#order-status") == "Placed"
    assert "4242 4242 4242 4242" not in page.content()
    page.click("#cancel-order")
    page.wait_for_selector("text=is cancelled")
    assert page.inner_text("#order-status") == "Cancelled"


def test_K2_checkout_with_a_check_works_without_javascript(page_without_js, rotor):
    page = page_without_js
    page.goto("/parts/ROT-88/")
    page.click("#add-to-cart button")
    page.goto("/checkout/")
    fill_address(page)
    page.check("input[value=standard]")
    page.click("text=Continue to payment")
    page.check("input[name=method][value=check]")
    page.click("text=Continue to review")
    page.wait_for_url("**/checkout/review/")
    assert "delays" in page.inner_text("#review")
    page.click("#place-order")
    page.wait_for_url("**/orders/CS-*/")
    assert page.inner_text("#order-status") == "Awaiting payment"
