"""S2 and S3: delivery windows per shipping method, counted in business days.

Expected dates are worked out by hand. November-December 2026: Thanksgiving is Thursday 26
November, Christmas Friday 25 December; Veterans Day is Wednesday 11 November."""

from datetime import UTC, date, datetime

import pytest

from camshaft.core.business_days import STORE_ZONE
from camshaft.shipping.estimates import DeliveryWindow, estimate, expedited_cutoff_passed


def eastern(*args) -> datetime:
    """A moment given on the Eastern wall clock, handed over in UTC as the database would."""
    return datetime(*args, tzinfo=STORE_ZONE).astimezone(UTC)


def window(method, placed, **kwargs) -> tuple[date, date]:
    found = estimate(method=method, placed_at=placed, **kwargs)
    return found.earliest, found.latest


# ------------------------------------------------------------------ standard and truck freight


@pytest.mark.parametrize("method", ["standard", "truck_freight"])
def test_S3_ground_window_over_a_weekend(method):
    # Friday after the cut-off: starts Monday 23 Nov, ships Mon 23 to Tue 24 Nov.
    # Earliest: Mon 23 + 3 = Tue 24, Wed 25, (Thanksgiving), Fri 27.
    # Latest: Tue 24 + 10 = Wed 25, Fri 27, Mon 30, Tue 1, Wed 2, Thu 3, Fri 4, Mon 7, Tue 8, Wed 9.
    assert window(method, eastern(2026, 11, 20, 14, 0)) == (date(2026, 11, 27), date(2026, 12, 9))


@pytest.mark.parametrize("method", ["standard", "truck_freight"])
def test_S3_ground_window_for_a_saturday_order(method):
    # Starts Monday 7 Dec, ships Mon 7 to Tue 8. Earliest: Tue 8, Wed 9, Thu 10.
    # Latest: Tue 8 + 10 = Wed 9, Thu 10, Fri 11, Mon 14 ... Fri 18, Mon 21, Tue 22.
    assert window(method, eastern(2026, 12, 5, 10, 0)) == (date(2026, 12, 10), date(2026, 12, 22))


@pytest.mark.parametrize("method", ["standard", "truck_freight"])
def test_S3_ground_window_over_thanksgiving(method):
    # Day before Thanksgiving after the cut-off: starts Friday 27 Nov, ships Fri 27 to Mon 30.
    # Earliest: Fri 27 + 3 = Mon 30, Tue 1, Wed 2.
    # Latest: Mon 30 + 10 = Tue 1, Wed 2, Thu 3, Fri 4, Mon 7 ... Fri 11, Mon 14.
    assert window(method, eastern(2026, 11, 25, 13, 0)) == (date(2026, 12, 2), date(2026, 12, 14))


def test_S3_standard_window_starts_the_same_day_before_the_cutoff():
    # Tuesday 24 Nov 12:59:59 starts that day, ships Tue 24 to Wed 25.
    # Earliest: Wed 25, Fri 27, Mon 30. Latest: Wed 25 + 10 = Fri 27, Mon 30, Tue 1 ... Thu 10.
    before = window("standard", eastern(2026, 11, 24, 12, 59, 59))
    assert before == (date(2026, 11, 30), date(2026, 12, 10))
    # At 13:00:00 it starts Wed 25, ships Wed 25 to Fri 27: Fri 27, Mon 30, Tue 1 / ... Fri 11.
    at_cutoff = window("standard", eastern(2026, 11, 24, 13, 0, 0))
    assert at_cutoff == (date(2026, 12, 1), date(2026, 12, 11))


@pytest.mark.parametrize("method", ["standard", "truck_freight"])
def test_S2_a_home_address_does_not_change_ground_windows(method):
    placed = eastern(2026, 11, 20, 14, 0)
    assert window(method, placed, residential=True) == window(method, placed)


# ------------------------------------------------------------------ two-day and overnight


@pytest.mark.parametrize(
    "method, placed, delivered",
    [
        # Friday before 1 PM ships Friday: two-day Mon 23, Tue 24; overnight Mon 23.
        ("two_day", eastern(2026, 11, 20, 12, 59, 59), date(2026, 11, 24)),
        ("overnight", eastern(2026, 11, 20, 12, 59, 59), date(2026, 11, 23)),
        # Friday at 1 PM ships Monday 23: two-day Wed 25; overnight Tue 24.
        ("two_day", eastern(2026, 11, 20, 13, 0, 0), date(2026, 11, 25)),
        ("overnight", eastern(2026, 11, 20, 13, 0, 0), date(2026, 11, 24)),
        # Saturday and Sunday orders ship Monday 23.
        ("overnight", eastern(2026, 11, 21, 10, 0), date(2026, 11, 24)),
        ("two_day", eastern(2026, 11, 22, 10, 0), date(2026, 11, 25)),
        # Over Thanksgiving: Tuesday 24 ships Tuesday: two-day Wed 25, (Thu), Fri 27.
        ("two_day", eastern(2026, 11, 24, 10, 0), date(2026, 11, 27)),
        # Wednesday 25 before 1 PM ships Wednesday: overnight skips Thanksgiving to Fri 27.
        ("overnight", eastern(2026, 11, 25, 12, 0), date(2026, 11, 27)),
        # Wednesday 25 after 1 PM ships Friday 27: overnight Mon 30, two-day Tue 1 Dec.
        ("overnight", eastern(2026, 11, 25, 13, 0), date(2026, 11, 30)),
        ("two_day", eastern(2026, 11, 25, 13, 0), date(2026, 12, 1)),
        # Christmas Eve before 1 PM ships Thursday 24: overnight Mon 28 (Christmas, weekend).
        ("overnight", eastern(2026, 12, 24, 11, 0), date(2026, 12, 28)),
        # Wednesday 23 Dec ships Wednesday: two-day Thu 24, Mon 28.
        ("two_day", eastern(2026, 12, 23, 12, 0), date(2026, 12, 28)),
    ],
)
def test_S2_air_delivery_dates_skip_weekends_and_holidays(method, placed, delivered):
    assert window(method, placed) == (delivered, delivered)


@pytest.mark.parametrize(
    "method, placed, earliest, latest",
    [
        ("overnight", eastern(2026, 11, 20, 12, 0), date(2026, 11, 23), date(2026, 11, 24)),
        ("two_day", eastern(2026, 11, 20, 12, 0), date(2026, 11, 24), date(2026, 11, 25)),
        # The extra day is a business day: Wednesday 25 -> Friday 27, past Thanksgiving.
        ("two_day", eastern(2026, 11, 23, 12, 0), date(2026, 11, 25), date(2026, 11, 27)),
        ("overnight", eastern(2026, 11, 24, 12, 0), date(2026, 11, 25), date(2026, 11, 27)),
        # Overnight delivered Mon 28 Dec may slip to Tue 29 Dec.
        ("overnight", eastern(2026, 12, 24, 11, 0), date(2026, 12, 28), date(2026, 12, 29)),
    ],
)
def test_S2_air_freight_to_a_home_may_take_one_business_day_more(method, placed, earliest, latest):
    assert window(method, placed, residential=True) == (earliest, latest)


# ------------------------------------------------------------------ lead time


@pytest.mark.parametrize(
    "method, placed, lead_time_days, earliest, latest",
    [
        # Monday 16 Nov before 1 PM, 5 days to make: Tue 17 ... Fri 20, Mon 23 is the start,
        # then as a Monday 23 start: Fri 27 Nov to Wed 9 Dec.
        ("standard", eastern(2026, 11, 16, 10, 0), 5, date(2026, 11, 27), date(2026, 12, 9)),
        # Monday 9 Nov, 2 days: Tue 10, (Veterans Day), Thu 12 start; overnight Fri 13.
        ("overnight", eastern(2026, 11, 9, 10, 0), 2, date(2026, 11, 13), date(2026, 11, 13)),
        # Same with two-day: Fri 13, Mon 16.
        ("two_day", eastern(2026, 11, 9, 10, 0), 2, date(2026, 11, 16), date(2026, 11, 16)),
        # Tuesday 24 Nov, 1 day: start Wed 25; overnight Fri 27, to a home Mon 30.
        ("overnight", eastern(2026, 11, 24, 10, 0), 1, date(2026, 11, 27), date(2026, 11, 27)),
        # Saturday 21 Nov, 1 day: processing would start Mon 23, so the start is Tue 24;
        # truck ships Tue 24 to Wed 25: earliest Wed 25, Fri 27, Mon 30;
        # latest Wed 25 + 10 = Fri 27, Mon 30, Tue 1 ... Fri 4, Mon 7 ... Thu 10.
        (
            "truck_freight",
            eastern(2026, 11, 21, 10, 0),
            1,
            date(2026, 11, 30),
            date(2026, 12, 10),
        ),
    ],
)
def test_S3_lead_time_moves_the_start_on_by_business_days(
    method, placed, lead_time_days, earliest, latest
):
    assert window(method, placed, lead_time_days=lead_time_days) == (earliest, latest)


def test_S3_lead_time_and_a_home_address_together():
    placed = eastern(2026, 11, 24, 10, 0)
    assert window("overnight", placed, lead_time_days=1, residential=True) == (
        date(2026, 11, 27),
        date(2026, 11, 30),
    )


def test_S3_negative_lead_time_is_refused():
    with pytest.raises(ValueError):
        estimate(method="standard", placed_at=eastern(2026, 11, 24, 10, 0), lead_time_days=-1)


# ------------------------------------------------------------------ refusals and display


def test_S3_unknown_methods_are_refused():
    with pytest.raises(ValueError, match="pigeon"):
        estimate(method="pigeon", placed_at=eastern(2026, 11, 24, 10, 0))


def test_S2_naive_times_are_refused():
    with pytest.raises(ValueError):
        estimate(method="standard", placed_at=datetime(2026, 11, 24, 10, 0))
    with pytest.raises(ValueError):
        expedited_cutoff_passed(datetime(2026, 11, 24, 10, 0))


def test_S3_window_describes_itself_for_the_shopper():
    assert DeliveryWindow(date(2026, 12, 3), date(2026, 12, 11)).describe() == (
        "Thu 3 Dec – Fri 11 Dec"
    )
    assert DeliveryWindow(date(2026, 11, 27), date(2026, 11, 27)).describe() == "Fri 27 Nov"
    assert DeliveryWindow(date(2026, 12, 30), date(2027, 1, 5)).describe() == (
        "Wed 30 Dec – Tue 5 Jan"
    )


def test_S3_a_window_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        DeliveryWindow(date(2026, 12, 11), date(2026, 12, 3))


# ------------------------------------------------------------------ "order by 1:00 PM Eastern"


@pytest.mark.parametrize(
    "placed, passed",
    [
        (eastern(2026, 11, 24, 12, 59, 59), False),  # Tuesday, still in time
        (eastern(2026, 11, 24, 13, 0, 0), True),  # Tuesday, too late
        (eastern(2026, 11, 24, 0, 0, 0), False),  # Tuesday, just after midnight
        (eastern(2026, 11, 21, 9, 0), True),  # Saturday
        (eastern(2026, 11, 22, 9, 0), True),  # Sunday
        (eastern(2026, 11, 26, 9, 0), True),  # Thanksgiving morning
        (eastern(2026, 7, 3, 9, 0), True),  # observed Independence Day
        (eastern(2026, 12, 25, 9, 0), True),  # Christmas morning
        (datetime(2026, 3, 9, 16, 59, 59, tzinfo=UTC), False),  # Mon 12:59:59 EDT
        (datetime(2026, 3, 9, 17, 0, 0, tzinfo=UTC), True),  # Mon 13:00 EDT
        (datetime(2026, 11, 2, 17, 59, 59, tzinfo=UTC), False),  # Mon 12:59:59 EST
        (datetime(2026, 11, 2, 18, 0, 0, tzinfo=UTC), True),  # Mon 13:00 EST
    ],
)
def test_S2_expedited_cutoff(placed, passed):
    assert expedited_cutoff_passed(placed) is passed
