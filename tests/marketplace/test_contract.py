"""The marketplace contract (M2, V10, V3, V4): when a listing sells, buyer
and seller each receive the other's name, phone, email and address by
mail, and nobody else does; the sharing register says so; erasure keeps
the sale's amounts and drops the person; Download my data holds the sales."""

from decimal import Decimal

import pytest

from camshaft.consent.sharing import MARKETPLACE_COUNTERPARTY, SHARING_REGISTER
from camshaft.marketplace import services
from camshaft.marketplace.models import Listing, ListingStatus, Sale, Seller
from camshaft.notifications.models import OutboxMessage
from camshaft.privacy.selectors import personal_data
from tests.marketplace.buying import (
    SELLER_ADDRESS,
    buyer,
    cart_with,
    listing,
    place,
    seller_with_address,
)
from tests.shopping import ADDRESS, stocked_part

pytestmark = pytest.mark.django_db

BUYER_DETAILS = (ADDRESS["full_name"], ADDRESS["phone"], ADDRESS["line1"], ADDRESS["postal_code"])
SELLER_DETAILS = ("Robin Wrench", "+1 937 555 0142", SELLER_ADDRESS["line1"], "45402")


def sold(**store):
    item = listing(of=seller_with_address("brakes"), quantity=2)
    member = buyer(email="pat@example.com")
    order = place(cart_with(member, (item, 1), **store), member).order
    return order, Sale.objects.get(order=order)


def mails_to(address):
    return [m for m in OutboxMessage.objects.all() if m.to_address == address]


def test_M2_the_buyer_receives_the_sellers_name_phone_email_and_address():
    order, sale = sold()
    (contract,) = [m for m in mails_to(order.email) if m.category == "marketplace_contract"]
    for detail in (*SELLER_DETAILS, sale.seller.user.email):
        assert detail in contract.body_text, detail


def test_M2_the_seller_receives_the_buyers_name_phone_email_and_shipping_address():
    order, sale = sold()
    (contract,) = mails_to(sale.seller.user.email)
    assert contract.category == "marketplace_contract"
    for detail in (*BUYER_DETAILS, order.email):
        assert detail in contract.body_text, detail


def test_M2_nobody_else_receives_them_and_no_other_mail_holds_them():
    order, sale = sold(store_parts=[stocked_part()])
    services.ship_sale(user=sale.seller.user, sale_id=sale.pk, carrier="UPS", tracking_number="1Z1")
    parties = {order.email, sale.seller.user.email}
    contracts = OutboxMessage.objects.filter(category="marketplace_contract")
    assert {m.to_address for m in contracts} == parties
    for mail in OutboxMessage.objects.exclude(category="marketplace_contract"):
        body = mail.body_text + mail.body_html
        for detail in SELLER_DETAILS:
            assert detail not in body, (mail.category, detail)
        if mail.to_address != order.email:
            for detail in BUYER_DETAILS:
                assert detail not in body, (mail.category, detail)


def test_M2_V10_the_sharing_register_lists_what_goes_to_the_other_party(client):
    assert MARKETPLACE_COUNTERPARTY in SHARING_REGISTER
    assert {"name", "phone", "email", "line1", "city", "postal_code", "country"} <= (
        MARKETPLACE_COUNTERPARTY.field_names
    )
    page = client.get("/api/v1/privacy/sharing-register")
    assert "marketplace_counterparty" in {entry["code"] for entry in page.json()}


def test_M2_V3_download_my_data_holds_the_sales_as_buyer_and_as_seller():
    order, sale = sold()
    bought = personal_data(order.user)["marketplace_sales"]
    assert [(row["role"], row["order_number"]) for row in bought] == [("buyer", order.number)]
    made = personal_data(sale.seller.user)["marketplace_sales"]
    assert [(row["role"], row["total"]) for row in made] == [("seller", str(sale.total))]


def test_M2_V4_erasing_a_seller_keeps_the_sale_for_the_statements_without_the_person():
    order, sale = sold()
    seller_user = sale.seller.user
    services.forget_person(user=seller_user)
    seller_user.delete()
    sale.refresh_from_db()
    record = Seller.objects.get(pk=sale.seller_id)
    assert record.user_id is None and record.public_id.startswith("erased-")
    assert sale.total == order.marketplace_total and sale.commission_percent is not None
    listing = Listing.objects.get(pk=sale.listing_id)
    assert listing.status == ListingStatus.DELETED and listing.description == ""


def test_M2_V4_erasing_a_buyer_detaches_them_from_their_purchases():
    order, sale = sold()
    services.forget_person(user=order.user)
    sale.refresh_from_db()
    assert sale.buyer_id is None
    assert sale.unit_price == Decimal("40.00")
