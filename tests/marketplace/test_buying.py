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
from tests.factories import MemberFactory
from tests.marketplace.buying import buyer, cart_with, listing, place, seller_with_address
from tests.marketplace.helpers import born_years_ago
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
    assert (sale.quantity, sale.unit_price, sale.shipping_charge) == (
        2,
        Decimal("40.00"),
        Decimal("7.50"),
    )
    assert sale.seller == item.seller and sale.buyer == member
    assert sale.status == SaleStatus.AWAITING_SHIPMENT
    assert order.marketplace_total == sale.total == Decimal("87.50")
    assert order.grand_total == Decimal("20.00") + Decimal("9.95") + Decimal("87.50")
    assert order.payment.amount == order.grand_total
    assert order.payment.status == PaymentStatus.AUTHORIZED
    item.refresh_from_db()
    assert item.quantity == 1
    assert not MarketplaceCartLine.objects.filter(cart=cart).exists()


def _nothing_in_cart(member):
    cart = cart_services.cart_for(user=member, create=False)
    return cart is None or not MarketplaceCartLine.objects.filter(cart=cart).exists()


def _try_add(member, item, quantity=1):
    cart = cart_services.cart_for(user=member) if member.is_authenticated else None
    with pytest.raises(services.BuyingProblem) as refused:
        services.add_listing_to_cart(user=member, cart=cart, listing_id=item.pk, quantity=quantity)
    return refused.value


def test_M1_a_guest_is_told_to_sign_in_to_buy_from_a_seller():
    from django.contrib.auth.models import AnonymousUser

    refusal = _try_add(AnonymousUser(), listing())
    assert refusal.code == "sign_in"
    assert "Sign in" in refusal.message
    assert not MarketplaceCartLine.objects.exists()


@pytest.mark.parametrize(
    "born, reason",
    [(None, "date of birth"), (born_years_ago(17, days=364), "18 or older")],
    ids=["no date of birth", "17"],
)
def test_M1_A1_members_under_18_or_without_a_birth_date_cannot_buy(born, reason):
    member = MemberFactory(date_of_birth=born)
    refusal = _try_add(member, listing())
    assert refusal.code == "under_age"
    assert reason in refusal.message
    assert _nothing_in_cart(member)


def test_M1_a_member_cannot_buy_their_own_listing():
    shop = seller_with_address()
    refusal = _try_add(shop.user, listing(of=shop))
    assert "your own listing" in refusal.message
    assert _nothing_in_cart(shop.user)


def test_M1_a_listing_not_on_sale_cannot_go_in_the_cart():
    paused = listing(status="paused")
    member = buyer()
    assert _try_add(member, paused).code == "not_found"
    assert (
        _try_add(member, listing(of=seller_with_address("other"), quantity=0)).code == "not_found"
    )
    assert _nothing_in_cart(member)


def test_M1_no_more_than_the_seller_lists_counting_what_is_in_the_cart_already():
    item = listing(quantity=3)
    member = buyer()
    assert _try_add(member, item, quantity=4).field == "quantity"
    cart = cart_services.cart_for(user=member)
    services.add_listing_to_cart(user=member, cart=cart, listing_id=item.pk, quantity=2)
    refusal = _try_add(member, item, quantity=2)
    assert "cannot buy more than that" in refusal.message
    assert MarketplaceCartLine.objects.get().quantity == 2


def test_M1_a_cart_of_listings_alone_needs_no_store_shipping_method():
    item = listing(price="25.00", shipping="5.00")
    member = buyer()
    order = place(cart_with(member, (item, 1)), member).order
    assert (order.items_total, order.shipping_total) == (0, 0)
    assert order.grand_total == order.marketplace_total == Decimal("30.00")
    assert order.payment.amount == Decimal("30.00")


def test_M1_two_sellers_make_two_groups_and_one_authorization():
    first = listing(of=seller_with_address("brakes"), price="10.00", shipping="2.00")
    second = listing(of=seller_with_address("engines"), price="30.00", shipping="0")
    member = buyer()
    cart = cart_with(member, (first, 1), (second, 2))
    market = selectors.marketplace_cart(cart=cart, currency="USD", exchange_rate=Decimal(1))
    assert [(g.public_id, g.subtotal) for g in market.groups] == [
        ("brakes", Decimal("12.00")),
        ("engines", Decimal("60.00")),
    ]
    order = place(cart, member).order
    assert Sale.objects.filter(order=order).count() == 2
    assert order.payment.amount == Decimal("72.00")
    assert order.payment.transactions.filter(kind="authorize").count() == 1


def test_M1_the_fees_of_the_moment_of_sale_are_copied_onto_the_sale():
    from camshaft.marketplace.models import CommissionRate, SaleFee

    CommissionRate.objects.create(category=None, percent=Decimal("8.50"))
    SaleFee.objects.create(currency="USD", amount=Decimal("0.30"))
    member = buyer()
    order = place(cart_with(member, (listing(), 1)), member).order
    CommissionRate.objects.update(percent=Decimal("20"))
    sale = Sale.objects.get(order=order)
    assert (sale.commission_percent, sale.fixed_fee) == (Decimal("8.50"), Decimal("0.30"))


def test_M1_a_sold_out_listing_leaves_what_shoppers_see_and_signals_its_change():
    from django.db.models.signals import post_save

    from camshaft.marketplace.models import Listing

    item = listing(quantity=1)
    seen = []

    def note(sender, instance, update_fields=None, **kwargs):
        seen.append((instance.pk, instance.quantity, set(update_fields or ())))

    post_save.connect(note, sender=Listing)
    try:
        member = buyer()
        place(cart_with(member, (item, 1)), member)
    finally:
        post_save.disconnect(note, sender=Listing)
    assert (item.pk, 0) in [(pk, quantity) for pk, quantity, _ in seen]
    assert any("quantity" in fields for _, _, fields in seen)
    assert not selectors.on_sale().filter(pk=item.pk).exists()


def test_M1_a_listing_bought_by_someone_else_meanwhile_is_refused_and_the_hold_released():
    from camshaft.orders.services import CheckoutProblem
    from camshaft.payments.models import Payment

    item = listing(quantity=1)
    slow, quick = buyer(), buyer()
    slow_cart = cart_with(slow, (item, 1))
    place(cart_with(quick, (item, 1)), quick, key="quick")

    with pytest.raises(CheckoutProblem):
        place(slow_cart, slow, key="slow")

    assert Order.objects.count() == 1
    assert Sale.objects.count() == 1
    # The slow buyer's card holds nothing: no authorization, or a voided one.
    others = Payment.objects.exclude(order__isnull=False)
    assert all(p.status in {PaymentStatus.VOIDED, PaymentStatus.DECLINED} for p in others)
    item.refresh_from_db()
    assert item.quantity == 0


def test_M1_a_sold_listing_cannot_be_deleted_away_from_its_sales():
    from camshaft.marketplace.models import Listing, ListingStatus

    item = listing(quantity=2)
    member = buyer()
    place(cart_with(member, (item, 1)), member)
    services.delete_listing(user=item.seller.user, listing_id=item.pk)
    item.refresh_from_db()
    assert (item.status, item.quantity) == (ListingStatus.DELETED, 0)
    assert not selectors.listings_of(item.seller.user).exists()
    assert Listing.objects.filter(pk=item.pk).exists()


# Pages -------------------------------------------------------------------------


def test_M1_the_part_page_offers_a_sellers_listing_with_a_small_form(client):
    item = listing()
    page = client.get(f"/parts/{item.part.sku}/")
    assert page.status_code == 200
    assert f'action="/marketplace/cart/{item.pk}/"'.encode() in page.content


def test_M1_a_guest_adding_a_listing_is_asked_to_sign_in_and_nothing_changes(client):
    item = listing()
    answer = client.post(f"/marketplace/cart/{item.pk}/", {"quantity": "1", "next": "/"})
    assert answer.status_code == 401
    assert b"Sign in" in answer.content
    assert not MarketplaceCartLine.objects.exists()


def test_M1_page_refusals_say_why_with_the_right_status(client):
    shop = seller_with_address()
    own = listing(of=shop)
    client.force_login(shop.user)
    answer = client.post(f"/marketplace/cart/{own.pk}/", {"quantity": "1"})
    assert answer.status_code == 422
    assert b"your own listing" in answer.content
    client.force_login(buyer())
    assert client.post(f"/marketplace/cart/{own.pk}/", {"quantity": "0"}).status_code == 400
    assert client.post(f"/marketplace/cart/{own.pk}/", {"quantity": "9"}).status_code == 422
    assert client.post("/marketplace/cart/999999/", {"quantity": "1"}).status_code == 404
    assert not MarketplaceCartLine.objects.exists()


def test_M1_the_cart_page_groups_listings_sold_by_each_seller(client):
    item = listing(of=seller_with_address("brakes"))
    member = buyer()
    client.force_login(member)
    answer = client.post(f"/marketplace/cart/{item.pk}/", {"quantity": "2"})
    assert answer.status_code == 302
    page = client.get("/cart/")
    assert b"Sold by" in page.content and b"brakes" in page.content
    assert b"Your cart is empty" not in page.content
    line = MarketplaceCartLine.objects.get()
    client.post(f"/marketplace/cart/lines/{line.pk}/remove/")
    assert not MarketplaceCartLine.objects.exists()


def test_M1_review_shows_each_seller_and_the_total_the_card_is_authorized_for(client):
    item = listing(of=seller_with_address("brakes"), price="40.00", shipping="7.50")
    member = buyer()
    cart_with(member, (item, 1), store_parts=[stocked_part(price=Decimal("20.00"))])
    client.force_login(member)
    page = client.get("/checkout/review/")
    assert page.status_code == 200
    assert b"Sold by brakes" in page.content
    assert page.context["form"].initial["expected_total"] == Decimal("77.45")


# API ---------------------------------------------------------------------------


def test_M1_the_api_puts_a_listing_in_the_cart_and_refuses_clearly(client):
    from tests.marketplace.helpers import bearer

    item = listing(of=seller_with_address("brakes"), quantity=2)
    member = buyer()
    url = "/api/v1/marketplace/cart/listings"
    ok = client.post(
        url,
        {"listing_id": item.pk, "quantity": 2},
        content_type="application/json",
        headers=bearer(member),
    )
    assert ok.status_code == 201
    assert ok.json()["groups"][0]["seller_user_id"] == "brakes"
    more = client.post(
        url,
        {"listing_id": item.pk, "quantity": 1},
        content_type="application/json",
        headers=bearer(member),
    )
    assert more.status_code == 422
    own = client.post(
        url,
        {"listing_id": item.pk, "quantity": 1},
        content_type="application/json",
        headers=bearer(item.seller.user),
    )
    assert own.status_code == 422
    minor = MemberFactory(date_of_birth=born_years_ago(16))
    young = client.post(
        url,
        {"listing_id": item.pk, "quantity": 1},
        content_type="application/json",
        headers=bearer(minor),
    )
    assert young.status_code == 403
    gone = client.post(
        url,
        {"listing_id": 999999, "quantity": 1},
        content_type="application/json",
        headers=bearer(member),
    )
    assert gone.status_code == 404
    assert MarketplaceCartLine.objects.get().quantity == 2


def test_M1_K3_a_seller_changing_the_price_after_review_stops_the_order_before_any_hold():
    from camshaft.checkout import services as checkout
    from camshaft.checkout.selectors import checkout_summary
    from camshaft.orders.services import CheckoutProblem
    from camshaft.payments.models import Payment

    item = listing(price="40.00", shipping="0")
    member = buyer()
    cart = cart_with(member, (item, 1))
    reviewed = checkout_summary(cart=cart, currency="USD").grand_total
    item.price = Decimal("45.00")
    item.save()
    with pytest.raises(CheckoutProblem) as refused:
        checkout.place(
            cart=cart, user=member, currency="USD", idempotency_key="k", expected_total=reviewed
        )
    assert "$45.00" in refused.value.message
    assert not Payment.objects.exists() and not Sale.objects.exists()
    item.refresh_from_db()
    assert item.quantity == 3


def test_M1_a_cart_of_listings_alone_checks_out_on_the_pages_without_a_shipping_step(client):
    from tests.shopping import place_from_review, web_address_form, web_card_form

    item = listing(price="25.00", shipping="5.00")
    member = buyer()
    client.force_login(member)
    client.post(f"/marketplace/cart/{item.pk}/", {"quantity": "1"})
    client.post("/checkout/address/", web_address_form())
    assert client.get("/checkout/shipping/").status_code == 302
    client.post("/checkout/payment/", web_card_form())
    review = client.get("/checkout/review/")
    assert review.status_code == 200
    assert review.context["form"].initial["expected_total"] == Decimal("30.00")
    placed = place_from_review(client, review)
    assert placed.status_code == 302
    order = Order.objects.get()
    assert order.grand_total == Decimal("30.00") and order.shipping_total == 0
    assert Sale.objects.get().order == order


def test_M2_a_seller_who_deleted_their_address_cannot_sell_until_they_add_one():
    """Buyers receive the seller's address with the sale (M2): a seller who
    removed it from their address book is refused at checkout before any
    hold, and cannot list or change listings; nothing changes."""
    from camshaft.accounts.models import Address
    from camshaft.orders.services import CheckoutProblem
    from camshaft.payments.models import Payment
    from tests.factories import AddressFactory

    shop = seller_with_address("brakeshop")
    item = listing(of=shop, price="40.00", shipping="0")
    member = buyer()
    cart = cart_with(member, (item, 1))
    Address.objects.filter(user=shop.user).delete()

    with pytest.raises(CheckoutProblem, match="brakeshop cannot sell right now") as refused:
        place(cart, member)
    assert "Nothing was charged" in refused.value.message
    assert not Payment.objects.exists() and not Sale.objects.exists()
    item.refresh_from_db()
    assert item.quantity == 3
    draft = services.ListingDraft(
        title="Another caliper", condition="used", price=Decimal("9"), quantity=1, part_code=""
    )
    with pytest.raises(services.SellerProblem, match="Add your address"):
        services.create_listing(user=shop.user, draft=draft)

    AddressFactory(user=shop.user)
    order = place(cart, member, key="key-2").order
    assert Sale.objects.get(order=order).listing == item
