"""What the buying tests build: a listing on sale with a seller who has an
address, an adult buyer, and a cart with a checkout filled in to review."""

from decimal import Decimal

from camshaft.cart import services as cart_services
from camshaft.checkout import services as checkout
from camshaft.marketplace import services
from camshaft.marketplace.models import Listing
from tests.factories import AddressFactory, PartFactory
from tests.marketplace.helpers import adult, seller
from tests.shopping import ADDRESS, card

SELLER_ADDRESS = {
    "full_name": "Robin Wrench",
    "line1": "9 Camshaft Lane",
    "city": "Dayton",
    "region": "OH",
    "postal_code": "45402",
    "country": "US",
    "phone": "+1 937 555 0199",
}


def seller_with_address(public_id: str = "brakeshop", **extra):
    user = adult(first_name="Robin", last_name="Wrench", phone="+1 937 555 0142")
    AddressFactory(user=user, default_billing=True, **SELLER_ADDRESS)
    return seller(public_id, user=user, **extra)


def listing(*, of=None, quantity: int = 3, price="40.00", shipping="7.50", **extra) -> Listing:
    return Listing.objects.create(
        seller=of or seller_with_address(),
        part=extra.pop("part", None) or PartFactory(),
        title=extra.pop("title", "Used brake caliper"),
        condition="used",
        price=Decimal(price),
        shipping_price=Decimal(shipping),
        currency="USD",
        quantity=quantity,
        **extra,
    )


def buyer(**extra):
    return adult(first_name="Pat", last_name="Shopper", **extra)


def cart_with(user, *items, store_parts=(), method="card", number=None):
    """`user`'s cart holding (listing, quantity) items and store parts, its
    checkout filled in to review."""
    cart = cart_services.cart_for(user=user)
    for part in store_parts:
        cart_services.add_to_cart(cart=cart, sku=part.sku, quantity=1)
    for item, quantity in items:
        services.add_listing_to_cart(user=user, cart=cart, listing_id=item.pk, quantity=quantity)
    checkout.set_addresses(cart=cart, user=user, email=user.email, billing=ADDRESS)
    if store_parts:
        checkout.set_shipping_method(cart=cart, code="standard", currency="USD")
    kwargs = {"card": card(number) if number else card()} if method == "card" else {}
    checkout.choose_payment(cart=cart, user=user, method=method, **kwargs)
    return cart


def place(cart, user, *, key="key-1"):
    return checkout.place(cart=cart, user=user, currency="USD", idempotency_key=key)
