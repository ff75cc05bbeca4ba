"""Delivery date windows for each shipping method, in business days (S2, S3).

How the days are counted (all of them business days: never a weekend or a carrier holiday,
see camshaft.core.business_days):

- start: `processing_start(placed_at)`: the order's day if it is a business day and placed
  before 1:00 PM Eastern, else the next business day. Parts that must first be made or ordered
  (`lead_time_days` > 0) move the start that many business days on before anything ships.
- standard and truck freight: processing takes 1 to 2 business days, the start day counting as
  day 1, so the parcel ships at the end of the start day at the earliest and of the business day
  after it at the latest. Transit is 3 to 10 business days after the ship day:
  earliest = add_business_days(start, 3), latest = add_business_days(start + 1 business day, 10).
- two-day and overnight: ship at the end of the start day, delivered 2 (two-day) or 1
  (overnight) business days later; earliest and latest are that day, except that air freight to
  a home address may take one business day more, so a residential window's latest date moves one
  business day on (its earliest does not).
"""

from dataclasses import dataclass
from datetime import date, datetime

from camshaft.core.business_days import STORE_ZONE, add_business_days, processing_start

# S2: standard shipping takes 1-2 business days to process, then 3-10 in transit.
STANDARD_PROCESSING_DAYS = (1, 2)  # the start day counts as day 1
STANDARD_TRANSIT_DAYS = (3, 10)
# S1/S2: truck freight (engines, oversized parts) is processed like standard, 3-10 in transit.
TRUCK_PROCESSING_DAYS = STANDARD_PROCESSING_DAYS
TRUCK_TRANSIT_DAYS = (3, 10)
# S2: expedited air ships on the start day; two business days or one in transit.
AIR_PROCESSING_DAYS = (1, 1)
TWO_DAY_TRANSIT_DAYS = (2, 2)
OVERNIGHT_TRANSIT_DAYS = (1, 1)
# S2: "Air freight to a home address may take one day more."
RESIDENTIAL_AIR_EXTRA_DAYS = 1

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class _Service:
    processing_days: tuple[int, int]  # (fewest, most), the start day counting as day 1
    transit_days: tuple[int, int]  # (fewest, most) after the ship day
    air: bool


SERVICES = {
    "standard": _Service(STANDARD_PROCESSING_DAYS, STANDARD_TRANSIT_DAYS, air=False),
    "two_day": _Service(AIR_PROCESSING_DAYS, TWO_DAY_TRANSIT_DAYS, air=True),
    "overnight": _Service(AIR_PROCESSING_DAYS, OVERNIGHT_TRANSIT_DAYS, air=True),
    "truck_freight": _Service(TRUCK_PROCESSING_DAYS, TRUCK_TRANSIT_DAYS, air=False),
}


def _short(day: date) -> str:
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]}"


@dataclass(frozen=True, slots=True)
class DeliveryWindow:
    """The first and the last day a shipment may arrive, both included."""

    earliest: date
    latest: date

    def __post_init__(self) -> None:
        if self.latest < self.earliest:
            raise ValueError("a delivery window cannot end before it starts")

    def describe(self) -> str:
        """'Thu 3 Dec – Fri 11 Dec', or 'Thu 3 Dec' when both ends are the same day."""
        if self.earliest == self.latest:
            return _short(self.earliest)
        return f"{_short(self.earliest)} – {_short(self.latest)}"


def estimate(
    *, method: str, placed_at: datetime, residential: bool = False, lead_time_days: int = 0
) -> DeliveryWindow:
    """When a shipment by `method` ("standard", "two_day", "overnight" or "truck_freight")
    of an order placed at `placed_at` (timezone-aware) arrives; counted as the module says."""
    try:
        service = SERVICES[method]
    except KeyError:
        raise ValueError(f"unknown shipping method: {method!r}") from None
    if lead_time_days < 0:
        raise ValueError("lead_time_days must not be negative")
    start = add_business_days(processing_start(placed_at), lead_time_days)
    first_ship = add_business_days(start, service.processing_days[0] - 1)
    last_ship = add_business_days(start, service.processing_days[1] - 1)
    earliest = add_business_days(first_ship, service.transit_days[0])
    latest = add_business_days(last_ship, service.transit_days[1])
    if service.air and residential:
        latest = add_business_days(latest, RESIDENTIAL_AIR_EXTRA_DAYS)
    return DeliveryWindow(earliest=earliest, latest=latest)


def expedited_cutoff_passed(placed_at: datetime) -> bool:
    """True when an order placed at `placed_at` would not start on that Eastern day: placed at
    or after 1:00 PM, or on a weekend or a holiday. Checkout says "order by 1:00 PM Eastern to
    ship today" only while this is False."""
    start = processing_start(placed_at)  # refuses naive datetimes
    return start != placed_at.astimezone(STORE_ZONE).date()
