"""Shipping quotes (S1-S3): which methods a cart can use to a destination,
what each costs and when it arrives.

A cart becomes packages, one per warehouse the allocation plan ships from
(I2). Each package is priced by the cheapest active carrier of its kind
(parcel, or truck freight for engines and oversized parts) for its zone and
billable weight: the larger of its actual weight and its dimensional weight
(volume / the carrier's divisor), rounded up to the pound. A method is
offered only if every package can travel by it; its price is the sum and
its delivery window the latest package's."""

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from camshaft.catalog.models import FreightClass, Part
from camshaft.consent.sharing import CARRIER, shared_fields
from camshaft.core.places import location_of, miles_between
from camshaft.inventory.selectors import Plan, Site, Want, plan_for
from camshaft.shipping.estimates import DeliveryWindow, estimate
from camshaft.shipping.models import EXPEDITED, Carrier, Method, ShippingRate

# Zones by great-circle miles from the warehouse, within one country (S1).
DOMESTIC_ZONES = ((150, 2), (300, 3), (600, 4), (1000, 5), (1400, 6), (1800, 7))
FARTHEST_DOMESTIC_ZONE = 8
NEAR_ABROAD_MILES, NEAR_ABROAD_ZONE, FAR_ABROAD_ZONE = 1500, 9, 10

# S2: expedited only for small and medium parcels.
SMALL_PARCEL = (Decimal(20), Decimal(24))  # up to 20 lb, longest side up to 24 in
MEDIUM_PARCEL = (Decimal(50), Decimal(48))  # up to 50 lb, longest side up to 48 in

RATES_CACHE_KEY = "shipping:rates"
RATES_CACHE_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Destination:
    country: str
    region: str = ""
    postal_code: str = ""
    #: A home rather than a business: air freight may take a day more (S2).
    residential: bool = True


@dataclass(frozen=True, slots=True)
class Item:
    part_id: int
    quantity: int
    weight_lb: Decimal
    box_in: tuple[Decimal, Decimal, Decimal]
    truck: bool
    performance: bool
    hazardous: bool
    lead_time_days: int
    made_to_order: bool


@dataclass(frozen=True, slots=True)
class Package:
    site: Site
    items: tuple[Item, ...]

    @property
    def truck(self) -> bool:
        return any(item.truck for item in self.items)

    @property
    def actual_weight(self) -> Decimal:
        return sum((item.weight_lb * item.quantity for item in self.items), Decimal(0))

    @property
    def cubic_inches(self) -> Decimal:
        return sum(
            (
                item.box_in[0] * item.box_in[1] * item.box_in[2] * item.quantity
                for item in self.items
            ),
            Decimal(0),
        )

    def billable_weight(self, dim_divisor: int | None) -> int:
        """Whole pounds: carriers round every fraction up."""
        weight = self.actual_weight
        if dim_divisor:
            weight = max(weight, self.cubic_inches / dim_divisor)
        return max(1, math.ceil(weight))

    @property
    def size(self) -> str:
        """ "small", "medium" or "large" (S2), by weight and longest box side."""
        weight = self.actual_weight
        longest = max((max(item.box_in) for item in self.items), default=Decimal(0))
        for name, (max_weight, max_side) in (("small", SMALL_PARCEL), ("medium", MEDIUM_PARCEL)):
            if weight <= max_weight and longest <= max_side:
                return name
        return "large"

    @property
    def may_go_expedited(self) -> bool:
        """Small or medium parcels without performance or hazardous parts."""
        return (
            not self.truck
            and self.size != "large"
            and not any(item.performance or item.hazardous for item in self.items)
        )

    @property
    def lead_time_days(self) -> int:
        return max((item.lead_time_days for item in self.items if item.made_to_order), default=0)


@dataclass(frozen=True, slots=True)
class ShippingOption:
    code: str
    name: str
    price: Decimal  # in the store currency
    window: DeliveryWindow
    carriers: tuple[str, ...]
    description: str
    expedited: bool = False


DESCRIPTIONS = {
    Method.STANDARD: "1-2 business days to process, then 3-10 business days in transit.",
    Method.TWO_DAY: "Two business days in transit; order by 1:00 PM Eastern, Monday to Friday, "
    "to ship the same day.",
    Method.OVERNIGHT: "Next business day; order by 1:00 PM Eastern, Monday to Friday, to ship "
    "the same day.",
}
TRUCK_DESCRIPTION = (
    "Engines and oversized parts travel by truck freight: 1-2 business days to process, "
    "then 3-10 business days in transit."
)


# ------------------------------------------------------------------ zones


def zone(site: Site, destination: Destination) -> int:
    """2-8 within the warehouse's country by distance, 9-10 abroad."""
    there = location_of(destination.country, destination.region)
    here = site.point
    miles = miles_between(here, there) if here and there else math.inf
    if site.country == destination.country.upper():
        for limit, zone_number in DOMESTIC_ZONES:
            if miles <= limit:
                return zone_number
        return FARTHEST_DOMESTIC_ZONE
    return NEAR_ABROAD_ZONE if miles <= NEAR_ABROAD_MILES else FAR_ABROAD_ZONE


# ------------------------------------------------------------------ rates


@dataclass(frozen=True, slots=True)
class RateCard:
    carrier_id: int
    carrier: str
    mode: str
    dim_divisor: int | None
    #: (method, zone) -> [(max billable lb, price)] ascending by weight.
    cells: dict


def rate_cards() -> list[RateCard]:
    """Every active carrier's table, cached (staff edits clear the cache)."""
    cards = cache.get(RATES_CACHE_KEY)
    if cards is None:
        carriers = {c.id: c for c in Carrier.objects.filter(is_active=True)}
        cells: dict[int, dict] = {cid: {} for cid in carriers}
        rows = ShippingRate.objects.filter(carrier_id__in=carriers).order_by(
            "carrier_id", "method", "zone", "max_weight_lb"
        )
        for carrier_id, method, zone_number, max_weight, price in rows.values_list(
            "carrier_id", "method", "zone", "max_weight_lb", "price"
        ):
            cells[carrier_id].setdefault((method, zone_number), []).append((max_weight, price))
        cards = [
            RateCard(c.id, c.name, c.mode, c.dim_divisor, cells[c.id]) for c in carriers.values()
        ]
        cache.set(RATES_CACHE_KEY, cards, RATES_CACHE_SECONDS)
    return cards


def forget_rates(**kwargs) -> None:
    cache.delete(RATES_CACHE_KEY)


def package_price(package: Package, method: str, destination: Destination):
    """(price, carrier name, mode) of the cheapest carrier that takes
    `package` by `method`, or None when none does. A parcel too big or too
    heavy for every parcel table travels as standard truck freight, as an
    oversized part does."""
    zone_number = zone(package.site, destination)
    modes = [Carrier.Mode.TRUCK] if package.truck else [Carrier.Mode.PARCEL, Carrier.Mode.TRUCK]
    for mode in modes:
        if mode == Carrier.Mode.TRUCK and method != Method.STANDARD:
            break
        if best := _cheapest(package, method, zone_number, mode):
            return (*best, mode)
    return None


def _cheapest(package: Package, method: str, zone_number: int, mode: str):
    best = None
    for card in rate_cards():
        if card.mode != mode:
            continue
        weight = package.billable_weight(card.dim_divisor)
        for max_weight, price in card.cells.get((method, zone_number), ()):
            if weight <= max_weight:
                if best is None or price < best[0]:
                    best = (price, card.carrier)
                break
    return best


# ------------------------------------------------------------------ quotes


def items_of(lines: Iterable[tuple[int, int]]) -> dict[int, Item]:
    """{part_id: Item} for (part_id, quantity) pairs, in one query."""
    quantities = dict(lines)
    rows = Part.objects.filter(id__in=list(quantities)).values_list(
        "id",
        "weight_lb",
        "length_in",
        "width_in",
        "height_in",
        "freight_class",
        "is_performance",
        "is_hazardous",
        "lead_time_days",
        "is_special_order",
        "is_custom_made",
    )
    return {
        pid: Item(
            part_id=pid,
            quantity=quantities[pid],
            weight_lb=weight,
            box_in=(length, width, height),
            truck=freight == FreightClass.TRUCK,
            performance=performance,
            hazardous=hazardous,
            lead_time_days=lead,
            made_to_order=special or custom,
        )
        for (
            pid,
            weight,
            length,
            width,
            height,
            freight,
            performance,
            hazardous,
            lead,
            special,
            custom,
        ) in rows
    }


def packages_of(plan: Plan, items: dict[int, Item], sites: list[Site]) -> list[Package]:
    site_of = {site.warehouse_id: site for site in sites}
    grouped: dict[int, list[Item]] = {}
    for pick in plan.picks:
        item = items[pick.part_id]
        grouped.setdefault(pick.warehouse_id, []).append(replace(item, quantity=pick.quantity))
    return [Package(site_of[wid], tuple(group)) for wid, group in grouped.items()]


def options_for_packages(
    packages: list[Package], destination: Destination, placed_at: datetime
) -> list[ShippingOption]:
    if not packages:
        return []
    options = []
    for method in Method:
        if method in EXPEDITED and not all(p.may_go_expedited for p in packages):
            continue
        priced = [package_price(p, method, destination) for p in packages]
        if any(price is None for price in priced):
            continue
        windows = [
            estimate(
                method="truck_freight" if mode == Carrier.Mode.TRUCK else method.value,
                placed_at=placed_at,
                residential=destination.residential,
                lead_time_days=p.lead_time_days,
            )
            for p, (_, _, mode) in zip(packages, priced, strict=True)
        ]
        truck = any(mode == Carrier.Mode.TRUCK for _, _, mode in priced)
        options.append(
            ShippingOption(
                code=method.value,
                name="Truck freight" if truck else method.label,
                price=sum((price for price, _, _ in priced), Decimal(0)),
                window=DeliveryWindow(
                    earliest=max(w.earliest for w in windows),
                    latest=max(w.latest for w in windows),
                ),
                carriers=tuple(dict.fromkeys(carrier for _, carrier, _ in priced)),
                description=TRUCK_DESCRIPTION if truck else DESCRIPTIONS[method],
                expedited=method in EXPEDITED,
            )
        )
    return options


@dataclass(frozen=True, slots=True)
class ShippingQuote:
    options: tuple[ShippingOption, ...]
    #: part_id -> units left, for the parts the warehouses cannot supply.
    short: dict


def quote_shipping(
    *,
    lines: Iterable[tuple[int, int]],
    destination: Destination | None,
    placed_at: datetime | None = None,
    held: dict[int, dict[int, int]] | None = None,
) -> ShippingQuote:
    """The methods open to (part_id, quantity) `lines` shipped to
    `destination`, cheapest first, and the parts there are too few of.
    Without a destination there are no methods yet, only the shortages.
    `held` is stock an order being changed holds already (counted as free)."""
    lines = list(lines)
    if not lines:
        return ShippingQuote(options=(), short={})
    items = items_of(lines)
    wants = [Want(item.part_id, item.quantity, item.made_to_order) for item in items.values()]
    country = destination.country if destination else ""
    region = destination.region if destination else ""
    plan, sites = plan_for(wants, country=country, region=region, held=held)
    if plan.short or destination is None:
        return ShippingQuote(options=(), short=plan.short)
    packages = packages_of(plan, items, sites)
    options = options_for_packages(packages, destination, placed_at or timezone.now())
    return ShippingQuote(options=tuple(options), short={})


# ------------------------------------------------------------------ carriers
def carrier_payload(shipment) -> dict:
    """What a carrier receives to carry `shipment` (V10): exactly the fields
    the sharing register lists for carriers. No email, no order total, no
    billing address."""
    order = shipment.order
    address = order.shipping_address
    parcels = [
        {
            "quantity": allocation.quantity,
            "weight_lb": str(part.weight_lb),
            "length_in": str(part.length_in),
            "width_in": str(part.width_in),
            "height_in": str(part.height_in),
        }
        for allocation in shipment.allocations.select_related("order_line__part")
        if (part := allocation.order_line.part) is not None
    ]
    return shared_fields(
        CARRIER,
        {
            "recipient_name": address.full_name,
            "address_line1": address.line1,
            "address_line2": address.line2,
            "city": address.city,
            "region": address.region,
            "postal_code": address.postal_code,
            "country": address.country,
            "phone": address.phone,
            "residential": order.residential,
            "service": order.shipping_method,
            "tracking_number": shipment.tracking_number,
            "parcels": parcels,
        },
    )
