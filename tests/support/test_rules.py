"""B4: a ticket waiting on us for more than one business day is late,
judged on the store's calendar (US Eastern, carrier holidays)."""

from datetime import UTC, datetime

import pytest

from camshaft.core.business_days import STORE_ZONE
from camshaft.support import rules


def eastern(*args) -> datetime:
    return datetime(*args, tzinfo=STORE_ZONE)


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        # Tuesday 10:00 → Wednesday 10:00
        (eastern(2026, 12, 1, 10, 0), eastern(2026, 12, 2, 10, 0)),
        # Friday 16:30 → Monday 16:30: the weekend does not count
        (eastern(2026, 12, 4, 16, 30), eastern(2026, 12, 7, 16, 30)),
        # Saturday → all of Monday, so late from Tuesday 00:00
        (eastern(2026, 12, 5, 11, 0), eastern(2026, 12, 8, 0, 0)),
        # Wednesday before Thanksgiving (26 Nov 2026) → Friday, the holiday skipped
        (eastern(2026, 11, 25, 9, 0), eastern(2026, 11, 27, 9, 0)),
        # Christmas Day (a Friday) → all of Monday 28th, late from Tuesday
        (eastern(2026, 12, 25, 12, 0), eastern(2026, 12, 29, 0, 0)),
    ],
)
def test_B4_a_ticket_is_late_after_one_business_day_in_the_store_zone(asked, due):
    assert rules.answer_due(asked) == due
    assert rules.answer_due(asked.astimezone(UTC)) == due  # the database's UTC, same answer
    minute = due.replace(second=1)
    assert not rules.is_late(status="open", waiting_since=asked, now=due)
    assert rules.is_late(status="open", waiting_since=asked, now=minute)


def test_B4_only_a_ticket_waiting_on_us_can_be_late():
    asked = eastern(2026, 12, 1, 10, 0)
    later = eastern(2026, 12, 10, 10, 0)
    assert rules.is_late(status="open", waiting_since=asked, now=later)
    assert not rules.is_late(status="waiting", waiting_since=asked, now=later)
    assert not rules.is_late(status="closed", waiting_since=asked, now=later)
    assert not rules.is_late(status="open", waiting_since=None, now=later)


def test_B4_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        rules.answer_due(datetime(2026, 12, 1, 10, 0))


def test_B4_references_read_aloud_and_are_found_in_any_subject():
    reference = rules.new_reference()
    assert len(reference) == 11 and reference.startswith("T-")
    assert not set(reference[2:].replace("-", "")) & set("01OILU")
    assert rules.reference_in(f"Re: [{reference}] Re: brake pads") == reference
    assert rules.reference_in(f"AW: {reference.lower()} danke") == reference
    assert rules.reference_in("Re: order CS-ABCD-EFGH") is None
    assert rules.reference_in("") is None
    assert len({rules.new_reference() for _ in range(200)}) == 200
