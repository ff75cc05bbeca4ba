"""The store's business calendar: business days, carrier holidays and the 1:00 PM cut-off (S2).

A business day is Monday to Friday and not a carrier holiday. Carrier holidays are the US
federal holidays *as observed*, as the `holidays` package lists them for the United States:
New Year's Day, Martin Luther King Jr. Day, Washington's Birthday, Memorial Day, Juneteenth,
Independence Day, Labor Day, Columbus Day, Veterans Day, Thanksgiving and Christmas. A holiday
that falls on a Saturday is observed on the Friday before it, one on a Sunday on the Monday
after (4 July 2026 is a Saturday, so Friday 3 July 2026 is the holiday; New Year's Day 2028 is
a Saturday, so Friday 31 December 2027 is).

Why these days: carriers do not pick up or deliver expedited parcels on them, the warehouses
close on them, and S2/S3 want delivery dates "in business days, holidays included". Some
carriers work on a few of these days (Columbus Day, Veterans Day); counting them as holidays
anyway only ever makes a parcel arrive before the date we promised, never after it.

Everything is judged on the US Eastern wall clock (STORE_ZONE), so daylight saving time is
handled by `zoneinfo` and callers may pass any timezone-aware datetime (UTC from the database).
"""

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

STORE_ZONE = ZoneInfo("America/New_York")
# S2: expedited shipping needs the order placed by 1:00 PM US Eastern, Monday to Friday.
EXPEDITED_CUTOFF = time(13, 0)

SATURDAY = 5  # date.weekday(): Monday is 0


@cache
def _carrier_holidays(year: int) -> frozenset[date]:
    """The observed US federal holidays that fall in `year` (31 December 2027 belongs to
    2027 although it is New Year's Day 2028 observed)."""
    return frozenset(holidays.country_holidays("US", years=year))


def is_holiday(day: date) -> bool:
    return day in _carrier_holidays(day.year)


def is_business_day(day: date) -> bool:
    """Monday to Friday, and not a carrier holiday."""
    return day.weekday() < SATURDAY and not is_holiday(day)


def next_business_day(day: date) -> date:
    """The first business day strictly after `day`."""
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, n: int) -> date:
    """`n` business days after `day`.

    n = 0 gives `day` itself when it is a business day, else the next business day; each further
    step moves on to the next business day. So from a Friday, 1 is the Monday; from a Saturday,
    0 and 1 are the Monday and the Tuesday."""
    if n < 0:
        raise ValueError("n must not be negative")
    if not is_business_day(day):
        day = next_business_day(day)
    for _ in range(n):
        day = next_business_day(day)
    return day


def processing_start(placed_at: datetime) -> date:
    """The business day on which work on an order placed at `placed_at` starts.

    Judged on the US Eastern wall clock: the same day if that is a business day and the clock
    shows less than 13:00:00, otherwise the next business day. Orders placed on a weekend or a
    holiday, or after the cut-off, therefore start on the next business day (S2)."""
    if placed_at.tzinfo is None or placed_at.utcoffset() is None:
        raise ValueError("placed_at must be timezone-aware")
    local = placed_at.astimezone(STORE_ZONE)
    day = local.date()
    if is_business_day(day) and local.time() < EXPEDITED_CUTOFF:
        return day
    return next_business_day(day)
