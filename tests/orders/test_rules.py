"""O1, O2 and O3: order numbers, the cancellation window and what of a
partly shipped order may change, at their edges."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from camshaft.orders.rules import (
    STORE_ZONE,
    LineAsked,
    new_order_number,
    placed_in_weekend_processing,
    shipped_lines_refusal,
    shopper_may_cancel,
    staff_may_cancel,
    staff_may_change,
)


def eastern(*args) -> datetime:
    return datetime(*args, tzinfo=STORE_ZONE)


@pytest.mark.parametrize(
    "placed, weekend",
    [
        (eastern(2026, 11, 20, 16, 59, 59), False),  # Friday 16:59:59
        (eastern(2026, 11, 20, 17, 0, 0), True),  # Friday 17:00:00
        (eastern(2026, 11, 21, 12, 0), True),  # Saturday
        (eastern(2026, 11, 22, 23, 59), True),  # Sunday night
        (eastern(2026, 11, 23, 8, 59, 59), True),  # Monday 08:59:59
        (eastern(2026, 11, 23, 9, 0, 0), False),  # Monday 09:00:00
        (eastern(2026, 11, 24, 3, 0), False),  # Tuesday
    ],
)
def test_O3_weekend_processing_edges(placed, weekend):
    assert placed_in_weekend_processing(placed.astimezone(UTC)) is weekend


def test_O3_order_placed_saturday_cannot_be_cancelled():
    placed = eastern(2026, 11, 21, 10, 0).astimezone(UTC)
    decision = shopper_may_cancel(
        placed_at=placed, now=placed + timedelta(minutes=5), shipped=False
    )
    assert not decision.allowed and "weekend processing" in decision.reason


def test_O3_friday_afternoon_order_can_be_cancelled_within_24_hours():
    placed = eastern(2026, 11, 20, 16, 59, 59).astimezone(UTC)
    ok = shopper_may_cancel(
        placed_at=placed, now=placed + timedelta(hours=23, minutes=59), shipped=False
    )
    late = shopper_may_cancel(placed_at=placed, now=placed + timedelta(hours=24), shipped=False)
    assert ok.allowed and not late.allowed


def test_O3_weekend_boundary_follows_daylight_saving_time():
    # Friday 17:00 Eastern is 21:00 UTC in summer (EDT) and 22:00 UTC in winter (EST).
    summer_friday_2130_utc = datetime(2026, 7, 10, 21, 30, tzinfo=UTC)  # 17:30 EDT
    winter_friday_2130_utc = datetime(2026, 12, 4, 21, 30, tzinfo=UTC)  # 16:30 EST
    assert placed_in_weekend_processing(summer_friday_2130_utc)
    assert not placed_in_weekend_processing(winter_friday_2130_utc)
    # Monday 09:00 right after the spring-forward weekend (8 March 2026).
    assert placed_in_weekend_processing(datetime(2026, 3, 9, 12, 59, tzinfo=UTC))  # 08:59 EDT
    assert not placed_in_weekend_processing(datetime(2026, 3, 9, 13, 0, tzinfo=UTC))  # 09:00 EDT


def test_O3_24_hours_is_elapsed_time_to_the_second():
    # US clocks change at 2 AM on Sundays, inside the weekend window, so an order
    # a shopper may cancel never has a clock change within its 24 hours.
    placed = eastern(2026, 3, 5, 10, 0).astimezone(UTC)  # Thursday before spring-forward
    just_in_time = placed + timedelta(hours=23, minutes=59, seconds=59)
    assert shopper_may_cancel(placed_at=placed, now=just_in_time, shipped=False).allowed
    too_late = placed + timedelta(hours=24)
    assert not shopper_may_cancel(placed_at=placed, now=too_late, shipped=False).allowed


def test_O3_shipped_orders_cannot_be_cancelled_by_anyone():
    placed = eastern(2026, 11, 24, 10, 0).astimezone(UTC)
    assert not shopper_may_cancel(placed_at=placed, now=placed, shipped=True).allowed
    assert not staff_may_cancel(shipped=True).allowed
    assert staff_may_cancel(shipped=False).allowed


def test_O3_naive_times_are_refused():
    with pytest.raises(ValueError):
        placed_in_weekend_processing(datetime(2026, 11, 20, 17, 0))


def test_O1_order_numbers_are_friendly_and_not_guessable():
    numbers = {new_order_number() for _ in range(2000)}
    assert len(numbers) == 2000
    assert all(re.fullmatch(r"CS-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", n) for n in numbers)


@pytest.mark.parametrize(
    "lines, refusal",
    [
        # (sku, quantity, shipped, asked): the unshipped rest changes freely.
        ([("A", 1, 1, 1), ("B", 3, 0, 1)], ""),
        ([("A", 1, 1, 1), ("B", 3, 0, 0), ("C", 0, 0, 2)], ""),  # B goes, C is added
        ([("A", 2, 1, 1), ("B", 1, 0, 1)], ""),  # down to what shipped
        ([("A", 2, 1, 5), ("B", 1, 0, 1)], ""),  # a partly shipped line may grow
        ([("A", 1, 1, 2), ("B", 1, 0, 1)], "Already shipped, so it cannot change: A"),
        ([("A", 1, 1, 0), ("B", 1, 0, 1)], "Already shipped, so it cannot change: A"),
        ([("A", 2, 1, 0), ("B", 1, 0, 1)], "cannot go below what of it has shipped: A (1"),
        ([("A", 1, 1, 1), ("B", 2, 0, 0)], "Nothing would be left to ship"),
        ([("A", 2, 1, 1), ("B", 1, 0, 0)], "Nothing would be left to ship"),
    ],
)
def test_O2_change_of_a_partly_shipped_order_leaves_what_shipped_alone(lines, refusal):
    reason = shipped_lines_refusal([LineAsked(*line) for line in lines])
    assert (refusal in reason) if refusal else reason == ""
    assert bool(reason) == bool(refusal)


def test_O2_change_staff_may_change_until_everything_shipped():
    assert staff_may_change(shipped_in_full=False, cancelled=False).allowed
    assert not staff_may_change(shipped_in_full=True, cancelled=False).allowed
    assert "cancelled" in staff_may_change(shipped_in_full=False, cancelled=True).reason
