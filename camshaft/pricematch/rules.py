"""P2 as pure functions: whether a claim can qualify on what the shopper
typed, the price a quote would offer, the category's floor, and whether a
quote may still be used. Amounts are Decimals in the store currency."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from camshaft.catalog.models import normalize_code
from camshaft.core.business_days import STORE_ZONE
from camshaft.pricematch.models import CompetitorCondition

#: P2: a quote is valid this long after it is granted.
QUOTE_DAYS = 7
QUOTE_VALIDITY = timedelta(days=QUOTE_DAYS)
#: A category without a floor of its own (nor an ancestor with one) lets a
#: quote go down to this share of our price.
DEFAULT_FLOOR_PERCENT = Decimal(80)
CENT = Decimal("0.01")
#: Claim numbers are read aloud on the phone: no 0/O, 1/I/L, U.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True, slots=True)
class Offer:
    """The competitor's offer as typed, its amounts already in the store currency."""

    brand: str
    mpn: str
    condition: str
    in_stock: bool
    unit_price: Decimal
    shipping: Decimal
    quantity: int

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity + self.shipping


@dataclass(frozen=True, slots=True)
class Ours:
    """Our part and what it costs delivered to the same place."""

    brand: str
    mpn: str
    unit_price: Decimal
    shipping: Decimal

    def total(self, quantity: int) -> Decimal:
        return self.unit_price * quantity + self.shipping


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str = ""


#: The rules the form explains before the shopper submits (P2).
RULES = (
    "The competitor's part has the same manufacturer and the same manufacturer part number "
    "(MPN) as ours.",
    "It is new (not used, refurbished or remanufactured), in stock and ready to ship.",
    "It is advertised at that price on the page you give us.",
    "Its total for the same quantity, shipping and handling included, is below ours for the "
    "same quantity delivered to the same place.",
    f"Customer service checks the page; if it qualifies you get a quote by mail: that price, "
    f"for that quantity, once, for {QUOTE_DAYS} days.",
)


def same_brand(theirs: str, ours: str) -> bool:
    return " ".join(theirs.casefold().split()) == " ".join(ours.casefold().split())


def qualifies(offer: Offer, ours: Ours) -> Decision:
    """Whether the claim can qualify on what was typed; staff still check
    the page. The first rule that fails is the reason given."""
    if offer.unit_price <= 0:
        return Decision(
            False, "Enter the competitor's advertised price: a price of 0 cannot be matched."
        )
    if offer.shipping < 0:
        return Decision(False, "Shipping and handling cannot be negative; enter 0 if it is free.")
    if not same_brand(offer.brand, ours.brand):
        return Decision(
            False,
            f"We match only the same manufacturer: ours is made by {ours.brand}, not "
            f"{offer.brand.strip()}.",
        )
    if normalize_code(offer.mpn) != normalize_code(ours.mpn):
        return Decision(
            False, f"We match only the same part number: ours is {ours.mpn}, not {offer.mpn}."
        )
    if offer.condition != CompetitorCondition.NEW:
        label = CompetitorCondition(offer.condition).label.lower()
        return Decision(False, f"We match new parts only, not {label} ones.")
    if not offer.in_stock:
        return Decision(False, "We match only parts in stock and ready to ship.")
    ours_total = ours.total(offer.quantity)
    if offer.total >= ours_total:
        return Decision(
            False,
            f"Their total with shipping and handling ({offer.total:.2f}) is not below ours "
            f"({ours_total:.2f}) for {offer.quantity} delivered to the same place.",
        )
    return Decision(True)


def matched_unit_price(
    *, their_total: Decimal, our_shipping: Decimal, quantity: int, our_price: Decimal
) -> Decimal:
    """The unit price that makes our total (with our shipping) match theirs,
    rounded down to the cent, never above our price nor below a cent."""
    unit = ((their_total - our_shipping) / quantity).quantize(CENT, rounding=ROUND_FLOOR)
    return max(CENT, min(unit, our_price))


def floor_price(our_price: Decimal, *, min_percent: Decimal, min_price: Decimal | None) -> Decimal:
    """The lowest unit price a quote may offer without a supervisor."""
    floor = (our_price * min_percent / 100).quantize(CENT, rounding=ROUND_CEILING)
    if min_price is not None:
        floor = max(floor, min_price)
    return min(floor, our_price)


def to_store_currency(amount: Decimal, *, rate: Decimal) -> Decimal:
    """An amount typed in a currency worth `rate` units per store unit."""
    return (amount / rate).quantize(CENT)


def usable(*, used_at: datetime | None, expires_at: datetime, now: datetime) -> Decision:
    if used_at is not None:
        return Decision(False, "This price-match quote has already been used for an order.")
    if now >= expires_at:
        ended = expires_at.astimezone(STORE_ZONE)
        return Decision(
            False, f"This price-match quote expired on {ended:%B %-d, %Y at %-I:%M %p} Eastern."
        )
    return Decision(True)


def new_claim_number() -> str:
    body = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"PM-{body[:4]}-{body[4:]}"
