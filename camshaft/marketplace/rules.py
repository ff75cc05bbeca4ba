"""The marketplace's rules as pure functions (A1's 18+, M3's public user
ID, M4's commission): decided before any write, each refusal with its reason."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from camshaft.accounts.services import age_on

#: A1: members under this age can neither sell nor buy on the marketplace.
SELLER_MIN_AGE = 18

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
