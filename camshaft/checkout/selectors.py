"""Reading a checkout: its prices, what is still missing and what comes next (K2, K3)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from camshaft.accounts.models import country_choices
from camshaft.cart.models import Cart
from camshaft.checkout.models import Checkout
from camshaft.core.business_days import STORE_ZONE
from camshaft.marketplace import selectors as market_selectors
from camshaft.orders.services import CartQuote, CheckoutProblem, destination_of, quote_cart
from camshaft.payments import services as payments
from camshaft.payments.models import OFFLINE_METHODS, WALLET_METHODS, PaymentMethod

#: The steps of the checkout, in order; "review" is where the order is placed.
STEPS = ("address", "shipping", "payment", "review")


@dataclass
class CheckoutSummary:
    checkout: Checkout | None
    priced: CartQuote
    #: Steps that still need the shopper: some of "cart", "address", "shipping", "payment".
    missing: list[str]
    payment_label: str = ""
    notices: list[str] = field(default_factory=list)
    #: The cart's marketplace lines, one group per seller (M1).
    marketplace: market_selectors.MarketplaceCart | None = None

    @property
    def quote(self):
        return self.priced.quote

    @property
    def marketplace_total(self) -> Decimal:
        return self.marketplace.total if self.marketplace else Decimal(0)

    @property
    def grand_total(self) -> Decimal:
        """What the card is authorized for: the store's part and every seller's."""
        return self.quote.grand_total + self.marketplace_total

    @property
    def ready(self) -> bool:
        return not self.missing

    @property
    def next_step(self) -> str:
        """ "cart" when there is nothing to check out, else the first step to do."""
        return next((step for step in ("cart", *STEPS) if step in self.missing), "review")


def checkout_of(*, cart: Cart | None) -> Checkout | None:
    if cart is None:
        return None
    return Checkout.objects.filter(cart=cart).first()


def checkout_summary(*, cart: Cart | None, currency: str) -> CheckoutSummary:
    """The cart priced in `currency` with what the shopper chose so far."""
    checkout = checkout_of(cart=cart)
    destination = None
    if checkout is not None and checkout.shipping_address:
        destination = destination_of(checkout.shipping_address, residential=checkout.residential)
    store_lines = cart is not None and cart.lines.exists()
    priced = quote_cart(
        cart=cart,
        currency=currency,
        # A cart of marketplace listings alone pays no store shipping.
        shipping_method=checkout.shipping_method if checkout and store_lines else "",
        destination=destination,
    )
    market = market_selectors.marketplace_cart(
        cart=cart,
        currency=priced.quote.currency,
        exchange_rate=priced.quote.exchange_rate,
        destination=destination,
        on=timezone.now().astimezone(STORE_ZONE).date(),
    )
    store_lines = bool(priced.quote.lines)
    unfilled = _unfilled(checkout, store_lines=store_lines or not market.offers)
    missing = [
        step
        for step in ("cart", "address", "shipping", "payment")
        if step in unfilled
        or (
            step == "cart"
            and ((not store_lines and not market.offers) or priced.short or market.problems)
        )
        or (step == "shipping" and store_lines and priced.shipping is None)
    ]
    summary = CheckoutSummary(checkout=checkout, priced=priced, missing=missing, marketplace=market)
    if checkout is not None and payment_ready(checkout):
        summary.payment_label = payment_label(checkout)
        summary.notices = payment_notices(checkout)
    return summary


def _unfilled(checkout: Checkout | None, *, store_lines: bool = True) -> set[str]:
    """Steps not done yet. A cart of marketplace listings alone needs no
    shipping method: each seller ships at the listing's own charge."""
    unfilled = set()
    if checkout is None or not (checkout.email and checkout.billing_address):
        unfilled.add("address")
    if store_lines and (checkout is None or not checkout.shipping_method):
        unfilled.add("shipping")
    if checkout is None or not payment_ready(checkout):
        unfilled.add("payment")
    return unfilled


def steps_to_do(*, cart: Cart, checkout: Checkout | None) -> list[str]:
    """The steps still missing, without pricing anything: for placing an
    order, which prices the cart itself (and refuses a shipping method the
    cart may not use, or parts there are too few of)."""
    store_lines = cart.lines.exists()
    unfilled = _unfilled(checkout, store_lines=store_lines)
    if not store_lines and not market_selectors.has_marketplace_lines(cart):
        unfilled.add("cart")
    return [step for step in ("cart", *STEPS) if step in unfilled]


def quote_for_destination(
    *,
    cart: Cart,
    currency: str,
    country: str,
    region: str = "",
    postal_code: str = "",
    residential: bool = True,
) -> CartQuote:
    """The cart priced for a destination the shopper has not given as an
    address yet (a shipping estimate). Raises CheckoutProblem for parts the
    warehouses are short of, ValidationError for an unknown country."""
    country = (country or "").strip().upper()
    if country not in dict(country_choices()):
        raise ValidationError({"country": "Choose a country by its two-letter ISO code."})
    destination = destination_of(
        {"country": country, "region": region, "postal_code": postal_code},
        residential=residential,
    )
    priced = quote_cart(cart=cart, currency=currency, destination=destination)
    if priced.shortage:
        raise CheckoutProblem(priced.shortage.message)
    return priced


def payment_ready(checkout: Checkout) -> bool:
    method = checkout.payment_method
    if method == PaymentMethod.CARD:
        return bool(checkout.card_token)
    if method in WALLET_METHODS:
        return bool(checkout.wallet_token)
    return method in OFFLINE_METHODS


def payment_label(checkout: Checkout) -> str:
    """The chosen payment as the shopper may see it: a card by its last four only."""
    if checkout.payment_method == PaymentMethod.CARD:
        return f"{checkout.get_card_brand_display()} ending {checkout.card_last4}"
    return checkout.get_payment_method_display()


def payment_notices(checkout: Checkout) -> list[str]:
    """What the shopper must know before paying this way (Y1, Y2)."""
    method = checkout.payment_method
    if method in OFFLINE_METHODS:
        name = PaymentMethod(method).label.lower()
        return [payments.DELAY_NOTICE.format(method=name)]
    if method == PaymentMethod.CARD:
        return [payments.DEBIT_HOLD_NOTICE]
    return []
