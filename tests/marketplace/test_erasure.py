"""Erasure (V4) and the marketplace: a member whose sales await shipment,
as seller or as buyer, is told which ones stop the erasure until they
ship or are cancelled; erasing them afterwards keeps the seller's sales,
payouts and statements for the books."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from camshaft.marketplace import selectors, services
from camshaft.marketplace.models import Payout, Sale, SaleStatus, Seller, SellerStatus
from camshaft.orders.models import OrderStatus
from camshaft.payments.models import PaymentStatus
from camshaft.privacy import services as privacy
from tests.marketplace.buying import buyer, cart_with, listing, place, seller_with_address
from tests.marketplace.helpers import bearer

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password-9"


def one_sale():
    """A member buys one listing of `brakes` (12.00): the sale awaits shipment."""
    item = listing(of=seller_with_address("brakes"), price="10.00", shipping="2.00")
    member = buyer()
    order = place(cart_with(member, (item, 1)), member).order
    return order, Sale.objects.get(order=order)


def ship(sale):
    return services.ship_sale(
        user=sale.seller.user, sale_id=sale.pk, carrier="UPS", tracking_number="1Z999AA1"
    )


def test_V4_a_seller_with_a_sale_awaiting_shipment_is_told_why_erasure_waits():
    _, sale = one_sale()
    seller_user = sale.seller.user
    with pytest.raises(privacy.ErasureBlocked) as blocked:
        privacy.erase_person(user=seller_user, reason="asked")
    message = blocked.value.messages[0]
    assert f"sale #{sale.pk}" in message and "awaits your shipment" in message
    assert blocked.value.code == "sales_in_progress"
    assert get_user_model().objects.filter(pk=seller_user.pk).exists()
    sale.refresh_from_db()
    assert sale.status == SaleStatus.AWAITING_SHIPMENT and sale.seller.user == seller_user


def test_V4_a_buyer_waiting_for_a_sale_is_told_which_seller_it_waits_for():
    order, sale = one_sale()
    with pytest.raises(privacy.ErasureBlocked) as blocked:
        privacy.erase_person(user=order.user, reason="asked")
    message = blocked.value.messages[0]
    assert order.number in message and "awaits shipment by brakes" in message
    assert get_user_model().objects.filter(pk=order.user_id).exists()
    assert Sale.objects.get(pk=sale.pk).buyer_id == order.user_id


def test_V4_the_buyer_is_blocked_by_the_sale_even_once_the_order_reads_shipped():
    # The store's part shipped in full: the order reads shipped (see the docs'
    # known limits) while the seller's part still waits.
    order, sale = one_sale()
    type(order).objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED)
    assert privacy.erasure_blockers(user=order.user) == []
    with pytest.raises(privacy.ErasureBlocked, match=f"sale #{sale.pk}"):
        privacy.erase_person(user=order.user, reason="asked")


def test_V4_once_shipped_the_seller_is_erased_and_the_books_stay():
    order, sale = one_sale()
    ship(sale)
    shop = sale.seller
    today = timezone.localdate()
    Payout.objects.create(
        seller=shop,
        amount=Decimal("5.00"),
        currency="USD",
        paid_on=today,
        note="wire to Robin",
        recorded_at=timezone.now(),
    )
    before = selectors.statement(seller=shop, month=today)

    privacy.erase_person(user=shop.user, reason="asked")

    shop = Seller.objects.get(pk=shop.pk)
    assert shop.user is None and shop.public_id == f"erased-{shop.pk}"
    assert shop.status == SellerStatus.SUSPENDED
    kept = Sale.objects.get(pk=sale.pk)
    assert (kept.amount_captured, kept.status, kept.order_id) == (
        Decimal("12.00"),
        SaleStatus.SHIPPED,
        order.pk,
    )
    assert Payout.objects.get(seller=shop).note == ""
    after = selectors.statement(seller=shop, month=today)
    assert after.totals == before.totals and len(after.lines) == len(before.lines)


def test_V4_the_privacy_officer_erasing_cancels_the_open_sales_first():
    order, sale = one_sale()
    seller_user = sale.seller.user
    privacy.erase_person(user=seller_user, reason="verified request", cancel_open_orders=True)
    sale.refresh_from_db()
    assert sale.status == SaleStatus.CANCELLED and sale.cancelled_by == "staff"
    order.payment.refresh_from_db()
    assert order.payment.status == PaymentStatus.VOIDED  # the buyer's hold is released
    assert not get_user_model().objects.filter(pk=seller_user.pk).exists()
    assert Seller.objects.filter(pk=sale.seller_id).exists()  # sold: kept as a placeholder


def test_V4_a_child_buyers_open_sales_are_cancelled_with_the_account():
    order, sale = one_sale()
    privacy.erase_child(user=order.user, by=None, note="found under 13")
    sale.refresh_from_db()
    assert sale.status == SaleStatus.CANCELLED and sale.buyer_id is None
    sale.listing.refresh_from_db()
    assert sale.listing.quantity == 3  # the unit went back on sale


def test_V4_the_delete_page_lists_the_sales_that_wait(client):
    _, sale = one_sale()
    client.force_login(sale.seller.user)
    page = client.get("/account/delete/")
    assert 'id="erasure-blockers"' in page.text and f"sale #{sale.pk}" in page.text
    assert 'id="delete-account"' not in page.text


def test_V4_the_api_refuses_deleting_a_seller_with_an_open_sale_with_409(client):
    _, sale = one_sale()
    member = sale.seller.user
    member.set_password(PASSWORD)
    member.save()
    answer = client.post(
        "/api/v1/me/delete",
        {"password": PASSWORD},
        content_type="application/json",
        headers=bearer(member),
    )
    assert answer.status_code == 409 and f"sale #{sale.pk}" in answer.json()["detail"]
    assert get_user_model().objects.filter(pk=member.pk).exists()


# Download my data (V3) ---------------------------------------------------------------


def test_V3_download_my_data_holds_listings_sales_both_sides_ratings_statements_and_reports():
    from camshaft.privacy.selectors import personal_data

    order, sale = one_sale()
    shop = sale.seller
    ship(sale)
    services.confirm_delivery(user=order.user, sale_id=sale.pk)
    shop.listings.update(return_days=30)
    services.refund_sale(user=shop.user, sale_id=sale.pk, amount=Decimal("2.00"))
    services.rate_sale(user=order.user, sale_id=sale.pk, value="positive", comment="Quick")
    # The seller also buys, from someone else, and reports a listing.
    other = listing(of=seller_with_address("engines"), price="30.00", shipping="0")
    place(cart_with(shop.user, (other, 1)), shop.user, key="key-2")
    services.file_report(reporter=shop.user, reason="Looks stolen", listing_id=other.pk)

    data = personal_data(shop.user)
    assert [row["title"] for row in data["marketplace_listings"]] == [sale.title]
    assert data["marketplace_listings"][0]["shipping_price"] == "2.00"
    roles = sorted(row["role"] for row in data["marketplace_sales"])
    assert roles == ["buyer", "seller"]
    [made] = [row for row in data["marketplace_sales"] if row["role"] == "seller"]
    assert made["amount_refunded"] == "2.00" and made["refunded_at"]
    assert [row["value"] for row in data["marketplace_ratings"]] == ["positive"]
    [month] = data["marketplace_statements"]
    assert (month["sales"], month["refunds"]) == ("12.00", "2.00")
    [report] = data["marketplace_reports"]
    assert report["reason"] == "Looks stolen" and report["seller_user_id"] == "engines"
    assert data["marketplace_seller"][0]["public_user_id"] == "brakes"
    # The buyer's side of the same sale.
    bought = personal_data(order.user)
    assert [row["role"] for row in bought["marketplace_sales"]] == ["buyer"]
    assert [row["given"] for row in bought["marketplace_ratings"]] == [True]


def test_V4_M2_erasing_a_seller_blanks_the_contract_copies_the_buyers_were_sent():
    from camshaft.notifications.models import OutboxMessage
    from camshaft.notifications.services import deliver_due_messages

    order, sale = one_sale()
    ship(sale)
    deliver_due_messages()
    to_buyer = OutboxMessage.objects.get(
        category="marketplace_contract", reference=f"order:{order.number}"
    )
    assert "Dayton" in to_buyer.body_text  # the seller's address
    shipped = OutboxMessage.objects.get(category="marketplace_sale_shipped")

    privacy.erase_person(user=sale.seller.user, reason="asked")

    to_buyer.refresh_from_db()
    assert to_buyer.body_text == "" and to_buyer.body_blanked_at is not None
    assert to_buyer.to_address == order.email  # who it went to stays
    shipped.refresh_from_db()
    assert shipped.body_text  # the buyer's other mail is theirs: untouched


def test_V4_M2_erasing_a_buyer_blanks_the_contract_copy_their_seller_was_sent():
    from camshaft.notifications.models import OutboxMessage
    from camshaft.notifications.services import deliver_due_messages

    order, sale = one_sale()
    services.cancel_sale(user=sale.seller.user, sale_id=sale.pk, role="seller")
    deliver_due_messages()
    to_seller = OutboxMessage.objects.get(
        category="marketplace_contract", reference=f"sale-order:{order.number}"
    )
    assert to_seller.body_text

    privacy.erase_person(user=order.user, reason="asked")

    to_seller.refresh_from_db()
    assert to_seller.body_text == "" and to_seller.to_address == sale.seller.user.email
