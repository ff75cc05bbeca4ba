"""Order rules that are pure functions of time: cancellation (O3), who may
change an order before it ships (O2) and numbers (O1)."""

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from camshaft.core.business_days import STORE_ZONE

# O3, as the spec words it.
SHOPPER_CANCEL_WINDOW = timedelta(hours=24)
WEEKEND_STARTS = (4, time(17, 0))  # Friday 5:00 PM US Eastern (Monday is 0)
WEEKEND_ENDS = (0, time(9, 0))  # Monday 9:00 AM US Eastern

# O1: no 0/O, 1/I/L, U: easy to read aloud and to type from a phone call.
ORDER_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
ORDER_NUMBER_LENGTH = 8  # 30**8 ≈ 6.6e11: guessing one of a million orders takes ~650k tries


def placed_in_weekend_processing(placed_at: datetime) -> bool:
    """True for orders placed from Friday 17:00 to Monday 09:00 US Eastern,
    judged on the Eastern wall clock of that moment (so DST is handled)."""
    if placed_at.tzinfo is None:
        raise ValueError("placed_at must be timezone-aware")
    local = placed_at.astimezone(STORE_ZONE)
    day, clock = local.weekday(), local.time()
    if day == WEEKEND_STARTS[0]:
        return clock >= WEEKEND_STARTS[1]
    if day in (5, 6):
        return True
    if day == WEEKEND_ENDS[0]:
        return clock < WEEKEND_ENDS[1]
    return False


@dataclass(frozen=True, slots=True)
class CancelDecision:
    allowed: bool
    reason: str = ""


def shopper_may_cancel(*, placed_at: datetime, now: datetime, shipped: bool) -> CancelDecision:
    """O3 for shoppers: not shipped, within 24 hours, not placed in weekend processing."""
    if shipped:
        return CancelDecision(False, "Part of this order has already shipped.")
    if placed_in_weekend_processing(placed_at):
        return CancelDecision(
            False,
            "Orders placed between Friday 5:00 PM and Monday 9:00 AM Eastern go "
            "straight to weekend processing and cannot be cancelled online.",
        )
    if now - placed_at >= SHOPPER_CANCEL_WINDOW:
        return CancelDecision(False, "Orders can be cancelled online within 24 hours only.")
    return CancelDecision(True)


def staff_may_cancel(*, shipped: bool) -> CancelDecision:
    """O3 for staff: any order that has not shipped."""
    if shipped:
        return CancelDecision(False, "Part of this order has already shipped.")
    return CancelDecision(True)


#: O2: the most of one part a clerk puts on an order line.
MAX_LINE_QUANTITY = 999


def staff_may_change(*, shipped_in_full: bool, cancelled: bool) -> CancelDecision:
    """O2 for staff: any order something of which still waits to leave a
    warehouse; of a partly shipped one, only what has not shipped changes
    (`shipped_lines_refusal`)."""
    if cancelled:
        return CancelDecision(False, "This order is cancelled.")
    if shipped_in_full:
        return CancelDecision(False, "This order has already shipped; it cannot change.")
    return CancelDecision(True)


@dataclass(frozen=True, slots=True)
class LineAsked:
    """One line of a partly shipped order and what a change asks of it."""

    sku: str
    quantity: int
    shipped: int
    asked: int


def shipped_lines_refusal(lines: list[LineAsked]) -> str:
    """O2: "nothing changes once a shipment for those lines left". A line
    shipped in full does not change at all; a line partly shipped never
    falls below what of it shipped; and something must be left to ship
    (what would be left is the customer's, not a change: a refund or a
    return). Returns the reason, naming the lines, or "" when allowed."""
    whole = [
        line.sku
        for line in lines
        if line.shipped and line.shipped >= line.quantity and line.asked != line.quantity
    ]
    if whole:
        return (
            f"Already shipped, so it cannot change: {', '.join(whole)}. "
            "Nothing was changed; only what has not shipped can."
        )
    below = [f"{line.sku} ({line.shipped} shipped)" for line in lines if line.asked < line.shipped]
    if below:
        return (
            f"A line cannot go below what of it has shipped: {', '.join(below)}. "
            "Nothing was changed."
        )
    if not any(line.asked > line.shipped for line in lines):
        return (
            "Nothing would be left to ship: keep at least one part still to ship "
            "(what has shipped comes back as a return, R2)."
        )
    return ""


def shopper_may_change_address(
    *, placed_at: datetime, now: datetime, shipped: bool, cancelled: bool
) -> CancelDecision:
    """O2 for shoppers: the shipping address, within O3's cancellation window."""
    if cancelled:
        return CancelDecision(False, "This order is cancelled.")
    if shipped:
        return CancelDecision(False, "Part of this order has already shipped.")
    if placed_in_weekend_processing(placed_at):
        return CancelDecision(
            False,
            "Orders placed between Friday 5:00 PM and Monday 9:00 AM Eastern go "
            "straight to weekend processing; please call us to change the address.",
        )
    if now - placed_at >= SHOPPER_CANCEL_WINDOW:
        return CancelDecision(
            False, "The address can be changed online within 24 hours; please call us."
        )
    return CancelDecision(True)


def new_order_number() -> str:
    """A human-friendly number that cannot be guessed from another one."""
    body = "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(ORDER_NUMBER_LENGTH))
    return f"CS-{body[:4]}-{body[4:]}"
