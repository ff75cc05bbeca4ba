"""Shipping methods a cart can use and what they cost (placeholder for S1-S3).

Until carrier rate tables and delivery estimates land, every order pays a
flat price per method. The one rule of S2 that needs no rate table already
applies: expedited methods are only for parcels without performance parts,
and hazardous goods (battery acid) travel by ground."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from camshaft.catalog.models import FreightClass, Part


@dataclass(frozen=True, slots=True)
class ShippingOption:
    code: str
    name: str
    price: Decimal  # in the store currency
    description: str
    expedited: bool = False


STANDARD = ShippingOption(
    "standard",
    "Standard",
    Decimal("9.95"),
    "1-2 business days to process, then 3-10 business days in transit.",
)
TWO_DAY = ShippingOption(
    "two_day", "Two-day", Decimal("24.95"), "Two business days in transit.", expedited=True
)
OVERNIGHT = ShippingOption(
    "overnight", "Overnight", Decimal("44.95"), "Next business day.", expedited=True
)
TRUCK_FREIGHT = ShippingOption(
    "truck_freight",
    "Truck freight",
    Decimal("149.00"),
    "Engines and oversized parts travel by truck: 1-2 business days to process, "
    "then 3-10 business days in transit.",
)


def shipping_options(*, part_ids: Iterable[int]) -> list[ShippingOption]:
    """The methods open to a cart holding `part_ids`, cheapest first."""
    flags = list(
        Part.objects.filter(id__in=list(part_ids)).values_list(
            "freight_class", "is_performance", "is_hazardous"
        )
    )
    if not flags:
        return []
    if any(freight == FreightClass.TRUCK for freight, _, _ in flags):
        return [TRUCK_FREIGHT]
    if any(performance or hazardous for _, performance, hazardous in flags):
        return [STANDARD]
    return [STANDARD, TWO_DAY, OVERNIGHT]
