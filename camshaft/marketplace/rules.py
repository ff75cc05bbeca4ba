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
