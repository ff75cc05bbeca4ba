"""The marketplace in real browsers (M1-M3): a member becomes a seller and
lists a catalogue part with a photo; another member finds it on the part
page, buys it with a card; both receive the contract mail with the other's
details and nobody else does; the seller ships with tracking (capturing
the sale's part of the payment); the buyer confirms delivery and rates,
the seller answers and rates back; the public profile shows the score.
And the listing page at a phone's width."""

import io
from decimal import Decimal

import pytest
from PIL import Image

from camshaft.marketplace import services
from camshaft.marketplace.models import Listing, Rating, Sale
from camshaft.notifications.models import OutboxMessage
from camshaft.orders.models import Order
from camshaft.payments.models import Payment
from tests.e2e.test_phones import MIN_TAP, PHONE, fits_width, sized  # noqa: F401 (fixture)
from tests.factories import AddressFactory, PartFactory, StockLevelFactory
from tests.marketplace.helpers import adult, seller, terms

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long member password 7"

#: What each side must learn of the other (M2), each value unique.
SELLER = {
    "first_name": "Robin",
    "last_name": "Wrench",
    "email": "robin.wrench@example.com",
    "phone": "+1 937 555 0142",
    "street": "9 Camshaft Lane",
}
BUYER = {
    "full_name": "Pat Buyer",
    "email": "pat.buyer@example.com",
    "phone": "+1 513 555 0123",
    "street": "77 Gearbox Road",
}


@pytest.fixture
def members():
    terms("2026-1", body="Ship within two business days with a tracking number.")
    part = PartFactory(sku="CAL-77", name="Front Brake Caliper", price=Decimal("120.00"))
    StockLevelFactory(part=part, quantity=3)
    robin = adult(
        email=SELLER["email"],
        first_name=SELLER["first_name"],
        last_name=SELLER["last_name"],
        phone=SELLER["phone"],
    )
    robin.set_password(PASSWORD)
    robin.save()
    AddressFactory(
        user=robin,
        full_name="Robin Wrench",
        line1=SELLER["street"],
        city="Dayton",
        region="OH",
        postal_code="45402",
        country="US",
        default_billing=True,
    )
    pat = adult(email=BUYER["email"], first_name="Pat", last_name="Buyer")
    pat.set_password(PASSWORD)
    pat.save()
    # Someone who only watches: never mailed anyone's details.
    bystander = adult(email="bystander@example.com")
    return {"seller": robin, "buyer": pat, "bystander": bystander, "part": part}


def signed_in(browser, live_server, email):
    from tests.e2e.conftest import watch_csp

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_refusals = watch_csp(page)
    page.goto("/account/sign-in/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/account/sign-in/" not in url)
    return page


def photo_file(tmp_path):
    path = tmp_path / "caliper.png"
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (180, 40, 40)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def success(page) -> str:
    return page.inner_text("main")


def test_M1_M2_M3_list_buy_contract_ship_rate(browser, live_server, members, tmp_path):
    # A: becomes a seller on the Selling page, accepting the terms.
    robin = signed_in(browser, live_server, SELLER["email"])
    robin.goto("/account/selling/")
    robin.fill("#id_public_id", "wrenchworks")
    robin.check("#id_accept")
    robin.click("text=Become a seller")
    robin.wait_for_selector("text=You are a seller now.")
    assert "wrenchworks" in robin.inner_text("main")

    # A lists the catalogue part by its SKU, then adds a photo.
    robin.click("text=List a part")
    robin.wait_for_url("**/account/selling/listings/new/")
    robin.fill("#id_title", "Used front brake caliper, rebuilt")
    robin.select_option("#id_condition", "used")
    robin.fill("#id_price", "45.00")
    robin.fill("#id_quantity", "2")
    robin.fill("#id_shipping_price", "8.00")
    robin.fill("#id_part_code", "CAL-77")
    robin.fill("#id_description", "Rebuilt with new seals.")
    robin.fill("#id_return_days", "14")
    robin.click("main form button[type=submit]")
    robin.wait_for_selector("text=Your listing is saved.")
    listing = Listing.objects.get()
    assert (listing.part, listing.price, listing.quantity) == (
        members["part"],
        Decimal("45.00"),
        2,
    )
    robin.click("text=Used front brake caliper, rebuilt")
    robin.wait_for_url(f"**/account/selling/listings/{listing.pk}/")
    robin.set_input_files("#id_photo", str(photo_file(tmp_path)))
    robin.fill("#id_alt_text", "The caliper from the side")
    robin.click("text=Add the photo")
    robin.wait_for_selector("text=The photo is added.")
    assert listing.photos.count() == 1

    # B: finds it on the catalogue part's page, opens the listing, buys one.
    pat = signed_in(browser, live_server, BUYER["email"])
    pat.goto("/parts/CAL-77/")
    offers = pat.inner_text("#also-sold-by")
    assert "wrenchworks" in offers and "$45.00" in offers and "shipping $8.00" in offers
    pat.click("#also-sold-by >> text=Used front brake caliper, rebuilt")
    pat.wait_for_url(f"**/listings/{listing.pk}/")
    assert pat.locator("img[alt='The caliper from the side']").count() == 1
    assert "Sold by wrenchworks" in pat.inner_text("main")
    pat.click("#listing-add-to-cart button")
    pat.wait_for_url("**/cart/")
    assert "Sold by wrenchworks" in pat.inner_text("#marketplace-lines")
    pat.click("#marketplace-checkout-link")
    pat.wait_for_url("**/checkout/address/")
    address = {
        "full_name": BUYER["full_name"],
        "line1": BUYER["street"],
        "line2": "",
        "city": "Cincinnati",
        "region": "OH",
        "postal_code": "45202",
        "phone": BUYER["phone"],
    }
    for name, value in address.items():
        pat.fill(f"#id_billing_{name}", value)
    pat.select_option("#id_billing_country", "US")
    pat.click("text=Continue to shipping")
    pat.wait_for_url("**/checkout/payment/")  # listings alone: no store shipping step
    pat.check("input[name=method][value=card]")
    pat.fill("#id_card_number", "4242 4242 4242 4242")
    pat.fill("#id_exp_month", "12")
    pat.fill("#id_exp_year", "2099")
    pat.fill("#id_cvc", "123")
    pat.fill("#id_holder", "Pat Buyer")
    pat.click("text=Continue to review")
    pat.wait_for_url("**/checkout/review/")
    assert "Sold by wrenchworks" in pat.inner_text("#checkout-sellers")
    pat.click("#place-order")
    pat.wait_for_url("**/orders/CS-*/")
    order = Order.objects.get()
    sale = Sale.objects.get()
    assert (sale.buyer, sale.seller.user, sale.status) == (
        members["buyer"],
        members["seller"],
        "awaiting_shipment",
    )
    assert "Awaiting shipment" in pat.inner_text("#order-sellers")
    assert Listing.objects.get().quantity == 1

    # M2: each side is mailed the other's details, and nobody else is.
    contracts = OutboxMessage.objects.filter(category="marketplace_contract")
    assert sorted(mail.to_address for mail in contracts) == sorted(
        [SELLER["email"], BUYER["email"]]
    )
    to_buyer = contracts.get(to_address=BUYER["email"]).body_text
    for value in ("Robin Wrench", SELLER["phone"], SELLER["email"], SELLER["street"]):
        assert value in to_buyer
    to_seller = contracts.get(to_address=SELLER["email"]).body_text
    for value in (BUYER["full_name"], BUYER["phone"], BUYER["email"], BUYER["street"]):
        assert value in to_seller
    for mail in OutboxMessage.objects.exclude(category="marketplace_contract"):
        text = f"{mail.subject}\n{mail.body_text}\n{mail.body_html}"
        if mail.to_address != BUYER["email"]:  # the buyer may see their own details
            assert BUYER["phone"] not in text and BUYER["street"] not in text, mail.category
        assert SELLER["phone"] not in text and SELLER["street"] not in text, mail.category
    assert not OutboxMessage.objects.filter(to_address="bystander@example.com").exists()

    # A ships with a tracking number: the sale's part of the payment is captured.
    robin.goto("/account/selling/")
    robin.click("#sales-link")
    robin.wait_for_url("**/account/selling/sales/")
    robin.fill(f"#carrier-{sale.pk}", "UPS")
    robin.fill(f"#tracking-{sale.pk}", "1Z999AA10123456784")
    robin.click("#sales-to-ship >> text=Mark shipped")
    robin.wait_for_selector("text=Marked shipped")
    sale.refresh_from_db()
    assert sale.status == "shipped" and sale.amount_captured == sale.total
    assert Payment.objects.get(order=order).amount_captured == sale.total
    mails_to_buyer = OutboxMessage.objects.filter(to_address=BUYER["email"])
    assert any("1Z999AA10123456784" in mail.body_text for mail in mails_to_buyer)

    # B: it arrived; B rates the seller.
    pat.goto(f"/orders/{order.number}/")
    assert "1Z999AA10123456784" in pat.inner_text("#order-sellers")
    pat.click("text=I received it")
    pat.wait_for_selector("text=marked delivered")
    pat.click("text=Rate the seller")
    pat.wait_for_url("**/account/ratings/**")
    rate = pat.locator(f"#sale-{sale.pk}")
    rate.locator("input[name=value][value=positive]").check()
    rate.locator("input[name=comment]").fill("Well packed, as described.")
    rate.locator("button[type=submit]").click()
    pat.wait_for_selector("text=your rating is saved")

    # A answers the rating and rates the buyer.
    robin.goto("/account/ratings/")
    rating = Rating.objects.get(author=members["buyer"])
    robin.fill(f"#answer-{rating.pk}", "Thank you, drive safely.")
    robin.click(f"#answer-{rating.pk} + button")
    robin.wait_for_selector("text=Your answer is saved.")
    rate = robin.locator(f"#sale-{sale.pk}")
    rate.locator("input[name=value][value=positive]").check()
    rate.locator("button[type=submit]").click()
    robin.wait_for_selector("text=your rating is saved")
    assert Rating.objects.filter(sale=sale).count() == 2

    # The public profile shows the score, the comment and the answer.
    pat.goto("/sellers/wrenchworks/")
    assert "100% (1)" in pat.inner_text("#score")
    comments = pat.inner_text("main .comments")
    assert "Well packed, as described." in comments and "Thank you, drive safely." in comments
    # M3: a public user ID, never the seller's name, on the public pages.
    assert "Robin" not in pat.inner_text("main")
    assert robin.csp_refusals == [] and pat.csp_refusals == []


@pytest.fixture
def on_sale():
    terms("2026-1")
    shop = seller("wrenchworks")
    part = PartFactory(sku="CAL-78", name="Rear Brake Caliper With A Rather Long Name")
    return services.create_listing(
        user=shop.user,
        draft=services.ListingDraft(
            title="Used rear brake caliper with bracket, pads and all mounting hardware",
            condition="used",
            price=Decimal("39.00"),
            quantity=2,
            part_code=part.sku,
            description="Removed from a 2014 car at 60,000 miles. " * 8,
        ),
    )


def test_M1_listing_page_fits_a_phone(sized, on_sale):  # noqa: F811 (fixture)
    page = sized(PHONE)
    page.goto(f"/listings/{on_sale.pk}/")
    fits_width(page, "listing", "390")
    button = page.locator("#listing-add-to-cart button").bounding_box()
    assert button["height"] >= MIN_TAP
    assert button["x"] + button["width"] <= PHONE["width"], "Add to cart is on screen"
    assert page.locator("#listing-qty").bounding_box()["height"] >= MIN_TAP
    assert page.refused == []
