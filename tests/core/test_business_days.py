"""S2: the business calendar and the 1:00 PM Eastern cut-off, at their edges.

Expected dates are worked out by hand from the 2026-2028 calendars; the carrier holidays
involved are Thanksgiving (Thu 26 Nov 2026), Veterans Day (Wed 11 Nov 2026), Independence Day
(Sat 4 Jul 2026, observed Fri 3 Jul), Christmas (Fri 25 Dec 2026), New Year's Day (Fri 1 Jan
2027; Sat 1 Jan 2028, observed Fri 31 Dec 2027) and Juneteenth (Sat 19 Jun 2027, observed
Fri 18 Jun)."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from camshaft.core.business_days import (
    EXPEDITED_CUTOFF,
    STORE_ZONE,
    add_business_days,
    is_business_day,
    next_business_day,
    processing_start,
)


def eastern(*args) -> datetime:
    """A moment given on the Eastern wall clock, handed over in UTC as the database would."""
    return datetime(*args, tzinfo=STORE_ZONE).astimezone(UTC)


def test_S2_cutoff_is_1_pm_us_eastern():
    assert STORE_ZONE.key == "America/New_York"
    assert (EXPEDITED_CUTOFF.hour, EXPEDITED_CUTOFF.minute, EXPEDITED_CUTOFF.second) == (13, 0, 0)


@pytest.mark.parametrize(
    "day, business",
    [
        (date(2026, 11, 23), True),  # Monday
        (date(2026, 11, 20), True),  # Friday
        (date(2026, 11, 21), False),  # Saturday
        (date(2026, 11, 22), False),  # Sunday
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 11, 25), True),  # the day before Thanksgiving
        (date(2026, 11, 27), True),  # the Friday after Thanksgiving is not a federal holiday
        (date(2026, 11, 11), False),  # Veterans Day, a Wednesday
        (date(2026, 7, 3), False),  # Independence Day (Saturday 4 July) observed on the Friday
        (date(2026, 7, 4), False),  # the Saturday itself
        (date(2026, 7, 6), True),  # no extra Monday off
        (date(2026, 12, 24), True),  # Christmas Eve is a working day
        (date(2026, 12, 25), False),  # Christmas, a Friday
        (date(2027, 1, 1), False),  # New Year's Day, a Friday
        (date(2027, 12, 31), False),  # New Year's Day 2028 (a Saturday) observed in 2027
        (date(2027, 6, 18), False),  # Juneteenth (Saturday 19 June 2027) observed on the Friday
    ],
)
def test_S3_business_days_are_weekdays_that_are_not_carrier_holidays(day, business):
    assert is_business_day(day) is business


@pytest.mark.parametrize(
    "day, following",
    [
        (date(2026, 11, 23), date(2026, 11, 24)),  # Monday -> Tuesday
        (date(2026, 11, 20), date(2026, 11, 23)),  # Friday -> Monday
        (date(2026, 11, 21), date(2026, 11, 23)),  # Saturday -> Monday
        (date(2026, 11, 25), date(2026, 11, 27)),  # over Thanksgiving
        (date(2026, 7, 2), date(2026, 7, 6)),  # over the observed Independence Day + weekend
        (date(2026, 12, 24), date(2026, 12, 28)),  # over Christmas + weekend
        (date(2026, 12, 31), date(2027, 1, 4)),  # over New Year's Day into the next year
        (date(2027, 12, 30), date(2028, 1, 3)),  # over New Year's Day 2028 observed in 2027
    ],
)
def test_S3_next_business_day_is_strictly_after(day, following):
    assert next_business_day(day) == following


@pytest.mark.parametrize(
    "day, n, result",
    [
        (date(2026, 11, 23), 0, date(2026, 11, 23)),  # a business day counts itself at 0
        (date(2026, 11, 21), 0, date(2026, 11, 23)),  # Saturday, 0 -> Monday
        (date(2026, 11, 21), 1, date(2026, 11, 24)),  # Saturday, 1 -> Tuesday
        (date(2026, 11, 26), 0, date(2026, 11, 27)),  # Thanksgiving, 0 -> Friday
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday, 1 -> Monday
        (date(2026, 11, 23), 3, date(2026, 11, 27)),  # Tue, Wed, (Thanksgiving), Fri
        # Tue 24, Wed 25, Fri 27, Mon 30, Tue 1, Wed 2, Thu 3, Fri 4, Mon 7, Tue 8
        (date(2026, 11, 23), 10, date(2026, 12, 8)),
        (date(2026, 11, 9), 2, date(2026, 11, 12)),  # Tue 10, (Veterans Day), Thu 12
    ],
)
def test_S3_add_business_days(day, n, result):
    assert add_business_days(day, n) == result


def test_S3_negative_business_days_are_refused():
    with pytest.raises(ValueError):
        add_business_days(date(2026, 11, 23), -1)


@pytest.mark.parametrize(
    "placed, start",
    [
        (eastern(2026, 11, 24, 12, 59, 59), date(2026, 11, 24)),  # Tuesday, before the cut-off
        (eastern(2026, 11, 24, 13, 0, 0), date(2026, 11, 25)),  # Tuesday, at the cut-off
        (eastern(2026, 11, 23, 0, 0, 0), date(2026, 11, 23)),  # Monday, just after midnight
        (eastern(2026, 11, 20, 13, 0, 0), date(2026, 11, 23)),  # Friday at the cut-off: Monday
        (eastern(2026, 11, 20, 23, 59, 59), date(2026, 11, 23)),  # Friday night (UTC Saturday)
        (eastern(2026, 11, 21, 9, 0), date(2026, 11, 23)),  # Saturday
        (eastern(2026, 11, 22, 12, 0), date(2026, 11, 23)),  # Sunday, before 1 PM
        (eastern(2026, 11, 25, 12, 59, 59), date(2026, 11, 25)),  # day before Thanksgiving
        (eastern(2026, 11, 25, 13, 0, 0), date(2026, 11, 27)),  # ... after the cut-off: Friday
        (eastern(2026, 11, 26, 9, 0), date(2026, 11, 27)),  # Thanksgiving morning
        (eastern(2026, 7, 2, 13, 0), date(2026, 7, 6)),  # Thursday before observed 4 July
        (eastern(2026, 7, 3, 9, 0), date(2026, 7, 6)),  # observed Independence Day
        (eastern(2026, 7, 4, 9, 0), date(2026, 7, 6)),  # Independence Day, a Saturday
        (eastern(2026, 12, 24, 12, 59), date(2026, 12, 24)),  # Christmas Eve, before 1 PM
        (eastern(2026, 12, 24, 13, 0), date(2026, 12, 28)),  # ... after: Christmas, weekend
        (eastern(2026, 12, 25, 9, 0), date(2026, 12, 28)),  # Christmas Day
        (eastern(2026, 12, 31, 13, 0), date(2027, 1, 4)),  # New Year's Eve, after 1 PM
        (eastern(2027, 12, 30, 13, 0), date(2028, 1, 3)),  # before New Year's 2028 observed
    ],
)
def test_S2_processing_starts_today_only_before_1_pm_on_a_business_day(placed, start):
    assert processing_start(placed) == start


@pytest.mark.parametrize(
    "placed_utc, start",
    [
        # Spring forward on Sunday 8 March 2026: Eastern is UTC-5 before, UTC-4 after.
        (datetime(2026, 3, 6, 17, 30, tzinfo=UTC), date(2026, 3, 6)),  # Fri 12:30 EST
        (datetime(2026, 3, 8, 16, 0, tzinfo=UTC), date(2026, 3, 9)),  # Sun 12:00 EDT
        (datetime(2026, 3, 9, 16, 59, 59, tzinfo=UTC), date(2026, 3, 9)),  # Mon 12:59:59 EDT
        (datetime(2026, 3, 9, 17, 0, 0, tzinfo=UTC), date(2026, 3, 10)),  # Mon 13:00 EDT
        (datetime(2026, 3, 9, 17, 30, tzinfo=UTC), date(2026, 3, 10)),  # Mon 13:30 EDT
        # Fall back on Sunday 1 November 2026: Eastern is UTC-4 before, UTC-5 after.
        (datetime(2026, 10, 30, 17, 30, tzinfo=UTC), date(2026, 11, 2)),  # Fri 13:30 EDT
        (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), date(2026, 11, 2)),  # Sun 01:30 EDT
        (datetime(2026, 11, 2, 17, 30, tzinfo=UTC), date(2026, 11, 2)),  # Mon 12:30 EST
        (datetime(2026, 11, 2, 17, 59, 59, tzinfo=UTC), date(2026, 11, 2)),  # Mon 12:59:59 EST
        (datetime(2026, 11, 2, 18, 0, 0, tzinfo=UTC), date(2026, 11, 3)),  # Mon 13:00 EST
    ],
)
def test_S2_cutoff_follows_daylight_saving_time(placed_utc, start):
    assert processing_start(placed_utc) == start


def test_S2_cutoff_is_judged_in_eastern_time_whatever_the_shoppers_zone():
    paris_winter = timezone(timedelta(hours=1))
    # 18:59:59 in Paris is 12:59:59 in New York; 19:00 is 13:00.
    assert processing_start(datetime(2026, 11, 24, 18, 59, 59, tzinfo=paris_winter)) == date(
        2026, 11, 24
    )
    assert processing_start(datetime(2026, 11, 24, 19, 0, tzinfo=paris_winter)) == date(
        2026, 11, 25
    )


def test_S2_naive_times_are_refused():
    with pytest.raises(ValueError):
        processing_start(datetime(2026, 11, 24, 12, 0))
