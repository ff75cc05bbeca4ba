"""Where places are, roughly: a point for each US state, Canadian province
and the countries a store is likely to ship to, for distances between a
warehouse and a destination (nearest warehouse, I2; shipping zones, S1).

The points are approximate geographic centres (data/places.csv); a
destination known only by its country falls back to that country's point,
and one we have no point for is simply "far"."""

import csv
import math
from functools import cache
from pathlib import Path

PLACES_FILE = Path(__file__).parent / "data" / "places.csv"
EARTH_RADIUS_MILES = 3958.8

Point = tuple[float, float]


@cache
def _points() -> dict[tuple[str, str], Point]:
    with PLACES_FILE.open(newline="", encoding="utf-8") as rows:
        return {
            (row["country"], row["region"]): (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(rows)
        }


def location_of(country: str, region: str = "") -> Point | None:
    """The point of a state/province if we know it, else of its country."""
    country, region = (country or "").upper(), (region or "").upper()
    points = _points()
    return points.get((country, region)) or points.get((country, ""))


def miles_between(a: Point, b: Point) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))
