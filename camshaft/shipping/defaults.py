"""The carriers of S1 and their starting rate tables: installed by a
migration, then edited by staff in the back office (Shipping › Shipping
rates). Prices are in the store currency; billable weights in whole
pounds up to each row's limit."""

from decimal import ROUND_HALF_UP, Decimal

CARRIERS = [
    # code, name, mode, dimensional divisor, tracking page
    ("fedex", "FedEx", "parcel", 139, "https://www.fedex.com/fedextrack/?trknbr={number}"),
    ("ups", "UPS", "parcel", 139, "https://www.ups.com/track?tracknum={number}"),
    ("ags", "AGS", "parcel", 166, ""),
    (
        "rl",
        "R+L Carriers",
        "truck",
        None,
        "https://www.rlcarriers.com/freight/shipping/shipment-tracing?pro={number}",
    ),
]
PARCEL_WEIGHTS = (1, 2, 3, 5, 10, 15, 20, 30, 50, 70, 100, 150)
TRUCK_WEIGHTS = (150, 300, 500, 1000, 2000, 5000)
ZONES = range(2, 11)
# method: (base, per billable lb) in zone 2; farther zones cost more.
PARCEL_PRICING = {
    "standard": (Decimal("7.95"), Decimal("0.55")),
    "two_day": (Decimal("17.95"), Decimal("1.45")),
    "overnight": (Decimal("32.95"), Decimal("2.40")),
}
CARRIER_FACTOR = {"fedex": Decimal("1.00"), "ups": Decimal("1.03"), "ags": Decimal("0.92")}
# AGS is a ground carrier: no air services.
CARRIER_METHODS = {
    "fedex": PARCEL_PRICING,
    "ups": PARCEL_PRICING,
    "ags": {"standard": PARCEL_PRICING["standard"]},
}
TRUCK_BASE, TRUCK_PER_LB = Decimal("145.00"), Decimal("0.32")
CENT = Decimal("0.01")


def zone_factor(zone: int) -> Decimal:
    if zone >= 9:  # abroad: customs brokerage and longer hauls
        return Decimal("2.2") if zone == 9 else Decimal("3.4")
    return Decimal(1) + Decimal("0.12") * (zone - 2)


def install_default_rates(Carrier, ShippingRate) -> int:
    """Create the carriers that are missing, and starting rates for any
    carrier without rates; returns how many rates were created. Takes the
    model classes so a migration can pass its historical ones."""
    rows = []
    for code, name, mode, divisor, tracking in CARRIERS:
        carrier, _ = Carrier.objects.get_or_create(
            code=code,
            defaults={"name": name, "mode": mode, "dim_divisor": divisor, "tracking_url": tracking},
        )
        if ShippingRate.objects.filter(carrier=carrier).exists():
            continue
        for zone in ZONES:
            factor = zone_factor(zone)
            if mode == "truck":
                for weight in TRUCK_WEIGHTS:
                    price = (TRUCK_BASE + TRUCK_PER_LB * weight) * factor
                    rows.append(_rate(ShippingRate, carrier, "standard", zone, weight, price))
                continue
            for method, (base, per_lb) in CARRIER_METHODS[code].items():
                for weight in PARCEL_WEIGHTS:
                    price = (base + per_lb * weight * factor) * CARRIER_FACTOR[code]
                    rows.append(_rate(ShippingRate, carrier, method, zone, weight, price))
    ShippingRate.objects.bulk_create(rows)
    return len(rows)


def _rate(model, carrier, method, zone, weight, price):
    return model(
        carrier=carrier,
        method=method,
        zone=zone,
        max_weight_lb=Decimal(weight),
        price=price.quantize(CENT, rounding=ROUND_HALF_UP),
    )
