"""S1, S2: zones by distance, billable weight (the larger of actual and
dimensional), the cheapest carrier from the staff-editable tables, and
expedited only for small and medium parcels without performance, hazardous
or truck-freight parts."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from camshaft.inventory.selectors import Site
from camshaft.shipping.models import Carrier, ShippingRate
from camshaft.shipping.selectors import (
    Destination,
    Item,
    Package,
    options_for_packages,
    package_price,
    zone,
)

pytestmark = pytest.mark.django_db

COLUMBUS = Site(1, "CMH", "Columbus", "US", "OH", 39.9054, -82.9512)
ROTTERDAM = Site(5, "RTM", "Rotterdam", "NL", "", 51.8885, 4.4449)
TUESDAY_MORNING = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)  # 09:00 Eastern


def item(weight="2", box=("10", "8", "4"), quantity=1, **flags) -> Item:
    return Item(
        part_id=1,
        quantity=quantity,
        weight_lb=Decimal(weight),
        box_in=tuple(Decimal(side) for side in box),
        truck=flags.get("truck", False),
        performance=flags.get("performance", False),
        hazardous=flags.get("hazardous", False),
        lead_time_days=0,
        made_to_order=False,
    )


def test_S1_zones_grow_with_distance_and_abroad():
    assert zone(COLUMBUS, Destination("US", "OH")) == 2
    assert zone(COLUMBUS, Destination("US", "IN")) == 3  # about 175 miles
    assert zone(COLUMBUS, Destination("US", "GA")) == 4
    assert zone(COLUMBUS, Destination("US", "FL")) == 5
    assert zone(COLUMBUS, Destination("US", "TX")) == 6
    assert zone(COLUMBUS, Destination("US", "CA")) == 8
    assert zone(COLUMBUS, Destination("CA", "ON")) == 9
    assert zone(COLUMBUS, Destination("DE")) == 10
    assert zone(ROTTERDAM, Destination("DE")) == 9
    assert zone(COLUMBUS, Destination("US", "??")) == 5  # unknown state: the centre of the US


def test_S1_billable_weight_is_the_larger_of_actual_and_dimensional():
    light_but_big = Package(COLUMBUS, (item(weight="3", box=("24", "18", "12")),))
    assert light_but_big.billable_weight(139) == 38  # 5184 in³ / 139 = 37.3 → 38 lb
    assert light_but_big.billable_weight(166) == 32
    assert light_but_big.billable_weight(None) == 3
    heavy_and_small = Package(COLUMBUS, (item(weight="20.2", box=("8", "8", "8")),))
    assert heavy_and_small.billable_weight(139) == 21  # pounds round up


def test_S1_the_cheapest_carrier_for_the_zone_and_weight_wins_and_staff_edits_count():
    package = Package(COLUMBUS, (item(weight="4"),))
    price, carrier, _ = package_price(package, "standard", Destination("US", "OH"))
    assert carrier == "AGS"  # the ground carrier is the cheapest for standard
    ags = Carrier.objects.get(code="ags")
    cell = ShippingRate.objects.get(carrier=ags, method="standard", zone=2, max_weight_lb=5)
    assert price == cell.price
    cell.price = Decimal("99.00")
    cell.save()  # a staff edit clears the cached tables
    price, carrier, _ = package_price(package, "standard", Destination("US", "OH"))
    assert carrier != "AGS" and price < Decimal("99.00")
    ups_and_fedex = package_price(package, "overnight", Destination("US", "OH"))
    assert ups_and_fedex[1] in {"FedEx", "UPS"}  # AGS has no air service


def test_S2_expedited_only_for_small_and_medium_parcels_without_special_parts():
    destination = Destination("US", "OH")

    def methods(*items):
        package = Package(COLUMBUS, items)
        return [o.code for o in options_for_packages([package], destination, TUESDAY_MORNING)]

    assert methods(item()) == ["standard", "two_day", "overnight"]
    assert methods(item(weight="45", box=("40", "20", "20"))) == [
        "standard",
        "two_day",
        "overnight",
    ]
    assert methods(item(weight="60")) == ["standard"]  # large: over 50 lb
    assert methods(item(box=("50", "10", "10"))) == ["standard"]  # large: a side over 48 in
    assert methods(item(performance=True)) == ["standard"]
    assert methods(item(hazardous=True)) == ["standard"]
    truck = Package(COLUMBUS, (item(weight="380", box=("36", "30", "30"), truck=True),))
    [only] = options_for_packages([truck], destination, TUESDAY_MORNING)
    assert (only.code, only.name, only.carriers) == ("standard", "Truck freight", ("R+L Carriers",))


def test_S1_a_parcel_too_big_for_the_parcel_tables_goes_by_truck():
    hood = Package(COLUMBUS, (item(weight="40", box=("66", "40", "12")),))  # 228 lb by volume
    [only] = options_for_packages([hood], Destination("US", "OH"), TUESDAY_MORNING)
    assert (only.code, only.name, only.carriers) == ("standard", "Truck freight", ("R+L Carriers",))


def test_S1_too_heavy_for_every_table_offers_nothing():
    huge = Package(COLUMBUS, (item(weight="6000", box=("80", "60", "60"), truck=True),))
    assert options_for_packages([huge], Destination("US", "OH"), TUESDAY_MORNING) == []
