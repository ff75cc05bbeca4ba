"""The marketplace's rules as pure functions (A1's 18+, M3's public user
ID, M4's commission): decided before any write, each refusal with its reason."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from camshaft.accounts.services import age_on
from camshaft.core.money import Money, minor_unit

#: A1: members under this age can neither sell nor buy on the marketplace.
SELLER_MIN_AGE = 18

#: M2: what of a seller's address the buyer must receive with the contract:
#: a seller needs an address with all of these on file to sell.
CONTRACT_ADDRESS_REQUIRED = ("full_name", "line1", "city", "postal_code", "country")


def address_complete(address) -> bool:
    """M2: whether `address` (an address-book row, or None) has everything a
    buyer needs to send a return or go to court: name, street, city,
    postal code and country."""
    return address is not None and all(
        str(getattr(address, name, "") or "").strip() for name in CONTRACT_ADDRESS_REQUIRED
    )


PUBLIC_ID_MIN = 3
PUBLIC_ID_MAX = 30
PUBLIC_ID_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$")
#: IDs that would let a member pass for the store in public.
RESERVED_WORDS = ("admin", "camshaft", "staff", "support", "official", "moderator")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


def may_sell(*, born: date | None, today: date) -> Decision:
    """A1: only a member 18 or older, by the date of birth on the account."""
    if born is None:
        return Decision(
            False, "Add your date of birth to your profile first: sellers must be 18 or older."
        )
    if age_on(today, born=born) < SELLER_MIN_AGE:
        return Decision(False, f"You must be {SELLER_MIN_AGE} or older to sell on the marketplace.")
    return Decision(True)


def may_buy(*, born: date | None, today: date) -> Decision:
    """A1: buying on the marketplace asks the same 18+ as selling."""
    if born is None:
        return Decision(
            False,
            "Add your date of birth to your profile first: marketplace buyers must be 18 or older.",
        )
    if age_on(today, born=born) < SELLER_MIN_AGE:
        return Decision(False, f"You must be {SELLER_MIN_AGE} or older to buy on the marketplace.")
    return Decision(True)


def cart_problem(*, own: bool, on_sale: bool, wanted: int, available: int, in_cart: int = 0) -> str:
    """M1: why a listing cannot go into this member's cart in this quantity,
    or "" when it can (`in_cart`: the units already there)."""
    if not on_sale:
        return "This listing is not on sale."
    if own:
        return "You cannot buy your own listing."
    if wanted < 1:
        return "Choose a quantity of 1 or more."
    if wanted + in_cart > available:
        return f"The seller lists {available} of these; you cannot buy more than that."
    return ""


def public_id_problem(public_id: str) -> str:
    """Why `public_id` cannot be a public user ID, or "" when it can."""
    if not PUBLIC_ID_MIN <= len(public_id) <= PUBLIC_ID_MAX:
        return f"A user ID has {PUBLIC_ID_MIN} to {PUBLIC_ID_MAX} characters."
    if not PUBLIC_ID_PATTERN.match(public_id):
        return (
            "A user ID uses letters, digits, '-' and '_', and starts and ends with a "
            "letter or digit."
        )
    folded = public_id.lower()
    if any(word in folded for word in RESERVED_WORDS):
        return "This user ID could be mistaken for the store's own: choose another."
    return ""


def commission_percent(*, category_chain: list[int], rates: dict[int | None, Decimal]) -> Decimal:
    """M4: the rate of the nearest category that has one (`category_chain`
    runs from the part's category up to the root), else the store-wide
    default (`rates[None]`), else nothing."""
    for category_id in category_chain:
        if category_id in rates:
            return rates[category_id]
    return rates.get(None, Decimal("0"))


#: M1: the longest return window a seller may offer, in days.
MAX_RETURN_DAYS = 90
MAX_PRICE = Decimal("99999999.99")
MAX_QUANTITY = 10_000


def listing_problems(
    *, price: Decimal, quantity: int, return_days: int, linked: bool, vehicle_count: int
) -> dict[str, str]:
    """M1: what is wrong with a listing's terms, field by field (empty when
    nothing is). A free-standing listing names the vehicles it fits; a
    linked one inherits its part's fitment and names none."""
    problems = {}
    if not price.is_finite() or price <= 0:
        problems["price"] = "The price must be more than 0."
    elif price > MAX_PRICE or price != price.quantize(Decimal("0.01")):
        problems["price"] = "The price has at most 8 digits before the point and 2 after."
    if not 0 <= quantity <= MAX_QUANTITY:
        problems["quantity"] = f"The quantity is between 0 and {MAX_QUANTITY}."
    if not 0 <= return_days <= MAX_RETURN_DAYS:
        problems["return_days"] = f"Returns are accepted within 0 (none) to {MAX_RETURN_DAYS} days."
    if linked and vehicle_count:
        problems["vehicles"] = "A listing of a catalogue part fits what the part fits."
    if not linked and not vehicle_count:
        problems["vehicles"] = "Choose the vehicles this part fits, or link it to a catalogue part."
    return problems


# Sales (M1, M2) -------------------------------------------------------------------

MAX_CARRIER = 60
MAX_TRACKING_NUMBER = 60
MAX_CANCEL_REASON = 300


def tracking_problems(*, carrier: str, tracking_number: str) -> dict[str, str]:
    """What is wrong with the carrier and tracking number a seller ships
    with (empty when nothing): both are needed; a tracking number is
    letters and digits, spaces and dashes aside."""
    problems = {}
    if not carrier.strip() or len(carrier.strip()) > MAX_CARRIER:
        problems["carrier"] = f"Name the carrier in 1 to {MAX_CARRIER} characters."
    compact = "".join(tracking_number.replace("-", "").split())
    if not compact or len(compact) > MAX_TRACKING_NUMBER or not compact.isalnum():
        problems["tracking_number"] = (
            f"A tracking number is 1 to {MAX_TRACKING_NUMBER} letters and digits."
        )
    return problems


def may_cancel_sale(*, status: str, role: str) -> Decision:
    """Before it ships, the buyer (changed their mind), the seller (out of
    stock) or staff may cancel a sale; after, it is a return."""
    if role not in {"buyer", "seller", "staff"}:
        return Decision(False, "Only the buyer, the seller or staff cancel a sale.")
    if status == "cancelled":
        return Decision(False, "This sale is cancelled already.")
    if status != "awaiting_shipment":
        return Decision(False, "This sale has shipped: it can no longer be cancelled.")
    return Decision(True)


def may_confirm_delivery(*, status: str) -> Decision:
    if status == "delivered":
        return Decision(False, "This sale is marked delivered already.")
    if status != "shipped":
        return Decision(False, "Only a shipped sale can be marked delivered.")
    return Decision(True)


# Refunds of a shipped sale (M4) ---------------------------------------------------
#
# Once a sale shipped, its money was captured: the buyer gets money back by
# a refund, never by a cancel. The seller refunds when their listing takes
# returns (the buyer sent it back, or goodwill); staff refund any shipped
# sale. A sale is refunded once, in full or in part, and never by more than
# was captured for it: the statement lists that refund in the month it was
# made, so no later refund can move it out of a month already paid.

MAX_REFUND_REASON = 300


@dataclass(frozen=True)
class RefundDecision(Decision):
    #: "amount" when the amount asked is what is wrong (422), else "" (409).
    field: str = ""


def may_refund_sale(
    *,
    status: str,
    role: str,
    accepts_returns: bool,
    captured: Decimal,
    refunded: Decimal,
    amount: Decimal,
    currency: str,
) -> RefundDecision:
    """Whether `amount` of a sale may go back to its buyer now, by `role`
    ("seller" or "staff"), and why not."""
    if role not in {"seller", "staff"}:
        return RefundDecision(False, "Only the seller or staff refund a sale.")
    if status == "awaiting_shipment":
        return RefundDecision(
            False, "This sale has not shipped: nothing was charged for it, cancel it instead."
        )
    if status == "cancelled":
        return RefundDecision(False, "This sale is cancelled: nothing was charged for it.")
    if refunded > 0 or status == "refunded":
        return RefundDecision(False, "This sale was refunded already: a sale is refunded once.")
    if role == "seller" and not accepts_returns:
        return RefundDecision(
            False, "Your listing does not take returns: ask the store's staff for a refund."
        )
    if captured <= 0:
        return RefundDecision(
            False, "Nothing was charged for this sale: there is nothing to refund."
        )
    if not amount.is_finite() or amount <= 0:
        return RefundDecision(False, "A refund is more than 0.", field="amount")
    if amount != amount.quantize(minor_unit(currency)):
        places = -minor_unit(currency).as_tuple().exponent
        return RefundDecision(
            False, f"A refund in {currency} has at most {places} decimals.", field="amount"
        )
    if amount > captured:
        return RefundDecision(
            False,
            f"At most {captured} {currency} can be refunded: what was charged for this sale.",
            field="amount",
        )
    return RefundDecision(True)


# What the buyer reads of each seller's part of an order (M1) ------------------------


def sale_status_text(
    *,
    status: str,
    seller: str,
    carrier: str = "",
    tracking_number: str = "",
    cancelled_by: str = "",
    refunded: str = "",
) -> str:
    """One sale's state in the buyer's words: who it waits for, how it
    travels, who cancelled it, what came back. `refunded` is the money
    refunded, already formatted, or "" for none."""
    if status == "awaiting_shipment":
        text = f"Awaiting shipment by {seller}"
    elif status in {"shipped", "delivered"}:
        text = ("Delivered" if status == "delivered" else "Shipped") + f" by {seller}"
        if tracking_number:
            text += f", {carrier} tracking {tracking_number}".replace(" ,", ",")
    elif status == "cancelled":
        by = {"buyer": "you", "seller": seller, "staff": "the store"}.get(cancelled_by, "")
        text = f"Cancelled by {by}" if by else "Cancelled"
        return text + ": nothing is charged for it"
    elif status == "refunded":
        return f"Refunded in full ({refunded})" if refunded else "Refunded in full"
    else:
        text = status.replace("_", " ").capitalize()
    if refunded:
        text += f"; {refunded} refunded"
    return text


def seller_part_status(statuses: list[str]) -> str:
    """One seller's part of an order, from its sales' states: what the
    buyer waits for first."""
    distinct = set(statuses)
    if "awaiting_shipment" in distinct:
        if distinct & {"shipped", "delivered"}:
            return "partly_shipped"
        return "awaiting_shipment"
    for state in ("shipped", "delivered", "refunded", "cancelled"):
        if distinct == {state}:
            return state
    if distinct & {"shipped"}:
        return "shipped"
    return "delivered" if "delivered" in distinct else "closed"


# Reputation (M3) -----------------------------------------------------------------

#: M3: a side may rate the other within this long after delivery.
RATING_WINDOW = timedelta(days=60)
#: M3: the score counts the ratings of the last this-many months.
SCORE_MONTHS = 12
MAX_COMMENT = 500


def may_rate(
    *, is_party: bool, delivered_at: datetime | None, already_rated: bool, now: datetime
) -> Decision:
    """M3: a buyer or seller of the sale rates the other side once, from
    delivery until 60 days after it."""
    if not is_party:
        return Decision(False, "Only the buyer and the seller of a sale rate it.")
    if delivered_at is None:
        return Decision(False, "You can rate once the parts are delivered.")
    if already_rated:
        return Decision(False, "You have rated this sale already.")
    if now > delivered_at + RATING_WINDOW:
        return Decision(False, "Ratings are accepted within 60 days of delivery.")
    return Decision(True)


def may_reply(*, is_subject: bool, replied: bool, removed: bool) -> Decision:
    """M3: the rated member answers a rating once; a removed one not at all."""
    if not is_subject:
        return Decision(False, "Only the member rated can answer a rating.")
    if removed:
        return Decision(False, "This rating was removed.")
    if replied:
        return Decision(False, "You have answered this rating already.")
    return Decision(True)


def score_window_start(now: datetime) -> datetime:
    """The start of the last 12 months (29 February falls back to the 28th)."""
    day = min(now.day, 28) if now.month == 2 else now.day
    return now.replace(year=now.year - SCORE_MONTHS // 12, day=day)


@dataclass(frozen=True)
class Score:
    """M3: the share of positive ratings (0-100, whole percent) and how
    many ratings it is taken from; None with no ratings."""

    percent_positive: int | None
    count: int


def score(*, positive: int, count: int) -> Score:
    if count == 0:
        return Score(None, 0)
    share = (Decimal(positive) * 100 / Decimal(count)).to_integral_value(rounding=ROUND_FLOOR)
    return Score(int(share), count)


# Listing photos (M1) ---------------------------------------------------------------

#: M1: how many photos one listing shows at most.
MAX_PHOTOS = 8
#: M1: the largest photo file taken, and the most pixels (a small file can
#: hold a huge picture: a decompression bomb).
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
MIN_PHOTO_SIDE = 50
MAX_ALT_TEXT = 200


def photo_size_problem(size: int) -> str:
    """Why a file of `size` bytes is refused before it is read, or ""."""
    if size > MAX_PHOTO_BYTES:
        return (
            f"A photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB; "
            f"this file is {size / (1024 * 1024):.1f} MB."
        )
    if size == 0:
        return "The photo file is empty."
    return ""


def may_add_photos(*, have: int, adding: int = 1) -> Decision:
    if have + adding > MAX_PHOTOS:
        return Decision(False, f"A listing has at most {MAX_PHOTOS} photos: remove one first.")
    return Decision(True)


# Suspicious activity (M5) -----------------------------------------------------------

#: M5 (a): an account younger than this is "new".
NEW_ACCOUNT_AGE = timedelta(days=30)
#: A catalogue part at least this dear (store currency) is "expensive"...
EXPENSIVE_PART_PRICE = Decimal("200.00")
#: ...and a listing of it is "far below" at less than this share of its price.
UNDERPRICED_SHARE = Decimal("0.40")
#: This many such listings by a new account raise a notice.
UNDERPRICED_LISTINGS = 3
#: M5 (b): this many listings created within BURST_WINDOW raise a notice.
BURST_LISTINGS = 20
BURST_WINDOW = timedelta(hours=1)
#: M5 (c): a buyer cancelling this many sales within CANCEL_WINDOW.
CANCELLED_SALES = 3
CANCEL_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Suspicion:
    """A pattern staff should look at: `rule` names it, `reason` says it in words."""

    rule: str
    reason: str


def is_underpriced(*, price: Decimal, catalogue_price: Decimal) -> bool:
    """An expensive catalogue part offered far below the store's price."""
    return catalogue_price >= EXPENSIVE_PART_PRICE and price < catalogue_price * UNDERPRICED_SHARE


def underpricing_suspicion(*, account_age: timedelta, underpriced: int) -> Suspicion | None:
    """M5 (a): a new account listing many expensive parts far below their price."""
    if account_age < NEW_ACCOUNT_AGE and underpriced >= UNDERPRICED_LISTINGS:
        return Suspicion(
            "underpriced",
            f"An account younger than {NEW_ACCOUNT_AGE.days} days has {underpriced} listings "
            f"of parts of {EXPENSIVE_PART_PRICE} or more at under "
            f"{int(UNDERPRICED_SHARE * 100)}% of the catalogue price.",
        )
    return None


def burst_suspicion(*, created_in_window: int) -> Suspicion | None:
    """M5 (b): many listings created in a short time."""
    if created_in_window >= BURST_LISTINGS:
        hours = int(BURST_WINDOW.total_seconds() // 3600)
        return Suspicion(
            "listing_burst",
            f"{created_in_window} listings created within {hours} hour{'s' if hours > 1 else ''}.",
        )
    return None


def cancellation_suspicion(*, cancelled_in_window: int) -> Suspicion | None:
    """M5 (c): a buyer cancelling many sales."""
    if cancelled_in_window >= CANCELLED_SALES:
        return Suspicion(
            "sale_cancellations",
            f"The buyer cancelled {cancelled_in_window} sales within {CANCEL_WINDOW.days} days.",
        )
    return None


# Seller terms (M5, V1) -----------------------------------------------------------------

#: After new seller terms are published, a seller who has not accepted them
#: keeps their listings on sale this long; then the listings pause.
TERMS_GRACE = timedelta(days=30)


def terms_grace_over(*, published_at: datetime, now: datetime) -> bool:
    return now >= published_at + TERMS_GRACE


#: M3: what a rating says of the other side.
RATING_VALUES = ("positive", "neutral", "negative")


def rating_problem(*, value: str, comment: str) -> str:
    """M3: why a rating's words cannot be stored, or "" when they can."""
    if value not in RATING_VALUES:
        return "A rating is positive, neutral or negative."
    if len(comment) > MAX_COMMENT:
        return f"A comment has at most {MAX_COMMENT} characters."
    return ""


# Statements (M4) -----------------------------------------------------------------
#
# A sale counts in the month it shipped (its payment was captured then), in
# the store's time zone; a refund counts in the month it was made. The
# commission is a percent of the item amount only: shipping and tax are not
# commissioned. A refund gives back the same share of the commission as its
# share of the amount captured; the fixed fee is not given back. Each
# amount is rounded half-up to the currency's minor unit once per line.


def commission(*, items: Decimal, percent: Decimal, currency: str) -> Decimal:
    """M4: the store's commission on a sale's items, rounded once."""
    return Money(items * percent / 100, currency).rounded().amount


def commission_returned(
    *, commission: Decimal, refunded: Decimal, captured: Decimal, currency: str
) -> Decimal:
    """M4: the commission given back with a refund, pro rata to the amount
    refunded (all of it when everything is refunded)."""
    if captured <= 0 or refunded <= 0:
        return Decimal(0)
    if refunded >= captured:
        return commission
    return Money(commission * refunded / captured, currency).rounded().amount


def payout_problem(*, amount: Decimal, due: Decimal, currency: str) -> str:
    """M4: why staff cannot record this payout, or "" when they can: more
    than 0, in the currency's minor unit, and no more than is due."""
    if not amount.is_finite() or amount <= 0:
        return "A payout is more than 0."
    if amount != amount.quantize(minor_unit(currency)):
        places = -minor_unit(currency).as_tuple().exponent
        return f"A payout in {currency} has at most {places} decimals."
    if amount > due:
        return f"Only {due} {currency} is due to this seller: a payout cannot be more."
    return ""
