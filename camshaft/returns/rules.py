"""R1 and R4 as pure functions of a line, a reason, the shopper's word on
the condition and the calendar: which units may come back, and why not.

Days are counted on the store's calendar (US Eastern): a part delivered on
the 1st may be returned up to and including the 31st."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from camshaft.catalog.models import Returnability
from camshaft.core.business_days import STORE_ZONE, add_business_days
from camshaft.orders.rules import ORDER_NUMBER_ALPHABET
from camshaft.returns.models import STORE_FAULT, Reason

RETURN_DAYS = 30  # R1: returns, and damaged, wrong or missing items reported
CORE_DAYS = 60  # R4: the old part back for its deposit
CORE_REMINDER_DAY = 45  # the shopper is reminded of the deposit this many days in
REFUND_BUSINESS_DAYS = 2  # R3: refunded within 2 business days of receipt


@dataclass(frozen=True, slots=True)
class Condition:
    """What the shopper confirms about the parts they send back."""

    unused: bool = False
    original_packaging: bool = False
    complete: bool = False
    sealed: bool = False


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What R1 needs to know about an order line."""

    returnability: str
    special_order: bool
    custom_made: bool
    delivered_at: datetime | None
    quantity: int  # delivered
    already_returned: int  # in returns that were not rejected


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str = ""
    #: How many units may still come back (0 when not allowed).
    returnable: int = 0


def store_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise ValueError("a moment must be timezone-aware")
    return moment.astimezone(STORE_ZONE).date()


def days_since(start: datetime, now: datetime) -> int:
    return (store_day(now) - store_day(start)).days


def last_day(delivered_at: datetime, days: int) -> date:
    return store_day(delivered_at) + timedelta(days=days)


def class_refusal(facts: LineFacts) -> str:
    """The R1 class rule that would refuse the line for a change of mind,
    before the shopper says anything about the condition."""
    if facts.special_order or facts.custom_made:
        kind = "special-order" if facts.special_order else "custom-made"
        return f"A {kind} part cannot be returned."
    if facts.returnability == Returnability.NON_RETURNABLE:
        return "This part cannot be returned (special-order or custom-made)."
    return ""


def may_return(
    facts: LineFacts, *, now: datetime, reason: str = "", condition: Condition | None = None
) -> Decision:
    """R1 for one line. Without a reason or condition, the answer is whether
    the line could be returned at all (for the form's first look); with
    them, whether this return of it may go ahead.

    A store error or a defect (damaged in transit, wrong part shipped,
    missing item, defective) is taken back whatever the part's class and
    condition, within the same 30 days: the fault is not the shopper's."""
    left = facts.quantity - facts.already_returned
    if facts.delivered_at is None:
        return Decision(False, "This part has not been delivered yet.")
    if left <= 0:
        return Decision(False, "Every unit of this line is already being returned.")
    if days_since(facts.delivered_at, now) > RETURN_DAYS:
        ended = last_day(facts.delivered_at, RETURN_DAYS)
        return Decision(False, f"The {RETURN_DAYS} days to return it ended on {ended:%B %-d, %Y}.")
    if reason in STORE_FAULT:
        return Decision(True, returnable=left)
    if refusal := class_refusal(facts):
        return Decision(False, refusal)
    if condition is None:
        return Decision(True, _condition_needed(facts.returnability), returnable=left)
    if facts.returnability == Returnability.SEALED_ONLY and not condition.sealed:
        return Decision(False, "CD-ROMs and service manuals come back only still sealed.")
    if facts.returnability == Returnability.UNOPENED_ONLY and not condition.sealed:
        return Decision(
            False,
            "Batteries, painted, modified and electrical parts come back only unopened: "
            "not once installed, plugged in or unsealed.",
        )
    if not (condition.unused and condition.original_packaging and condition.complete):
        return Decision(
            False, "Parts come back unused, in their original packaging and with all components."
        )
    return Decision(True, returnable=left)


def _condition_needed(returnability: str) -> str:
    if returnability == Returnability.SEALED_ONLY:
        return "Only while still sealed."
    if returnability == Returnability.UNOPENED_ONLY:
        return "Only unopened: not once installed, plugged in or unsealed."
    return "Unused, in the original packaging, with all components."


def needs_parts_back(reason: str) -> bool:
    """A missing item has nothing to send back."""
    return reason != Reason.MISSING


def may_return_core(*, delivered_at: datetime | None, now: datetime, left: int) -> Decision:
    """R4: the old part within 60 days of delivery, for as many units as
    still carry a deposit."""
    if delivered_at is None:
        return Decision(False, "This part has not been delivered yet.")
    if left <= 0:
        return Decision(False, "No core deposit is left on this line.")
    if days_since(delivered_at, now) > CORE_DAYS:
        ended = last_day(delivered_at, CORE_DAYS)
        return Decision(
            False,
            f"The {CORE_DAYS} days to return the core ended on {ended:%B %-d, %Y}; "
            "the deposit was kept.",
        )
    return Decision(True, returnable=left)


def refund_due(received_at: datetime) -> date:
    """R3: the refund leaves within 2 business days of receipt."""
    return add_business_days(store_day(received_at), REFUND_BUSINESS_DAYS)


def new_return_number(prefix: str = "R") -> str:
    """Like an order number: easy to read aloud, impossible to guess."""
    body = "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"
