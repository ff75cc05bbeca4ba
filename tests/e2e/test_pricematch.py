"""The low-price guarantee in real browsers (P2): a guest files a claim
from the part's page, customer service approves it in the back office,
and the guest follows the mailed link and checks out at the quoted price."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client

from camshaft.notifications.models import OutboxMessage
from camshaft.orders.models import Order
from camshaft.pricematch.models import PriceMatchClaim
from tests.e2e.conftest import watch_csp
from tests.factories import PartFactory, StockLevelFactory
from tests.shopping import ADDRESS, flat_rates
from tests.staff import sign_in_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def staff_page(browser, live_server, user):
    client = Client()
    sign_in_staff(client, user)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_refusals = watch_csp(page)
    return page


def test_P2_claim_approved_then_checkout_at_the_quoted_price(
    page, browser, live_server, django_user_model
):
    flat_rates()
    part = PartFactory(sku="ROT-88", name="Vented Front Brake Rotor", price=Decimal("64.00"))
    StockLevelFactory(part=part, quantity=4)

    # The shopper finds it cheaper elsewhere and says so from the part's page.
    page.goto("/parts/ROT-88/")
    page.click("#price-match-link a")
    page.wait_for_url("**/parts/ROT-88/price-match/")
    assert "same manufacturer" in page.inner_text("#price-match-rules")
    page.fill("#id_email", "pat@example.com")
    page.fill("#id_competitor", "Rival Parts")
    page.fill("#id_url", "https://rival.example.com/rotor")
    page.fill("#id_mpn", part.mpn)
    page.select_option("#id_condition", "new")
    page.check("#id_in_stock")
    page.fill("#id_quantity", "1")
    page.fill("#id_price", "52.00")
    page.fill("#id_shipping", "0")
    page.select_option("#id_country", "US")
    page.fill("#id_region", ADDRESS["region"])
    page.fill("#id_postal_code", ADDRESS["postal_code"])
    page.click("#file-claim")
    page.wait_for_url("**/parts/ROT-88/")
    claim = PriceMatchClaim.objects.get()
    assert claim.number in page.inner_text(".messages")

    # Customer service checks the page and approves at 55.00.
    clerk = django_user_model.objects.create_superuser("boss@example.com", "a long password 1")
    staff = staff_page(browser, live_server, clerk)
    staff.goto("/staff/pricematch/pricematchclaim/?status__exact=pending")
    staff.click(f"text={claim.number}")
    staff.click("#decide-claim")
    staff.check("input[value=approve]")
    staff.fill("#id_unit_price", "55.00")
    staff.click("input[type=submit]")
    staff.wait_for_selector("text=quote mailed")

    # The mailed link puts the price in the guest's cart; checkout charges it.
    mail = OutboxMessage.objects.get(reference=f"price-match:{claim.number}")
    link = re.search(r"https?://\S+/price-match/quote/\S+/", mail.body_text).group(0)
    page.goto(urlsplit(link).path)
    page.wait_for_url("**/cart/")
    assert "Your price-match price" in page.inner_text("#cart-lines")
    assert page.inner_text("#subtotal") == "$55.00"
    page.click("#checkout-link")
    page.wait_for_url("**/checkout/address/")
    page.fill("#id_email", "pat@example.com")
    for name, value in ADDRESS.items():
        if name == "country":
            page.select_option("#id_billing_country", value)
        else:
            page.fill(f"#id_billing_{name}", value)
    page.click("text=Continue to shipping")
    page.wait_for_url("**/checkout/shipping/")
    page.check("input[value=standard]")
    page.click("text=Continue to payment")
    page.wait_for_url("**/checkout/payment/")
    page.check("input[name=method][value=check]")
    page.click("text=Continue to review")
    page.wait_for_url("**/checkout/review/")
    page.click("#place-order")
    page.wait_for_url("**/orders/CS-*/")
    order = Order.objects.get()
    assert order.lines.get().unit_price == Decimal("55.00")
    claim.quote.refresh_from_db()
    assert claim.quote.order_number == order.number
    assert staff.csp_refusals == []
