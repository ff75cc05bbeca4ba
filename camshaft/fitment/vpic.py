"""What NHTSA's vPIC says a VIN is: make for every WMI, and model, body, trim
and engine where the manufacturer's VIN patterns tell (C4).

The data is `data/vpic.json.gz`, derived from the public-domain vPIC
database by `scripts/build_vpic_data.py` (which says how to rebuild it);
nothing is downloaded at run time. Pure: no database, no network.

How a pattern matches, as vPIC's own decoder does it: each WMI uses VIN
schemas by model year; a schema's pattern keys are matched from VIN
position 4 against positions 4-8, a ``|`` and positions 10-17, with ``*``
for any character and ``[...]`` for a set. Where several patterns of a
schema set the same element, the one with the most fixed characters wins.
"""

import gzip
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

SMALL_MANUFACTURER_MARK = "9"
SMALL_MANUFACTURER_CODE = slice(11, 14)  # positions 12-14


# How engine names write a layout: "3.6L V6", "2.5L H4", "2.0L L4".
LAYOUT_LETTERS = {
    "In-Line": "L",
    "V-Shaped": "V",
    "Horizontally opposed (boxer)": "H",
    "W Shaped": "W",
}


@dataclass(frozen=True, slots=True)
class EngineSpec:
    displacement_l: float | None = None
    cylinders: int | None = None
    layout: str | None = None  # "In-Line", "V-Shaped", "Horizontally opposed (boxer)"…
    fuel: str | None = None
    engine_model: str | None = None

    @property
    def known(self) -> bool:
        return self.displacement_l is not None or self.cylinders is not None

    def __str__(self) -> str:
        bits = []
        if self.displacement_l is not None:
            bits.append(f"{self.displacement_l:.1f}L")
        if self.cylinders:
            letter = LAYOUT_LETTERS.get(self.layout or "")
            bits.append(f"{letter}{self.cylinders}" if letter else f"{self.cylinders}-cyl")
        if self.fuel and self.fuel != "Gasoline":
            bits.append(self.fuel)
        return " ".join(bits)


@dataclass(frozen=True, slots=True)
class VpicVehicle:
    wmi: str  # the WMI found: three characters, or six for a small manufacturer
    makes: tuple[str, ...]  # every make filed under the WMI, likeliest first
    make: str | None  # the VIN's own make when a model pattern names it
    country: str | None
    vehicle_type: str | None
    model: str | None = None
    body: str | None = None
    trim: str | None = None
    engine: EngineSpec = field(default_factory=EngineSpec)


@cache
def _data() -> dict:
    source = resources.files(__package__).joinpath("data", "vpic.json.gz")
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return json.load(text)


def wmi_count() -> int:
    return len(_data()["wmis"])


def _wmi_entry(vin: str) -> tuple[str, list] | None:
    wmis = _data()["wmis"]
    if vin[2] == SMALL_MANUFACTURER_MARK:
        long_wmi = vin[:3] + vin[SMALL_MANUFACTURER_CODE]
        if long_wmi in wmis:
            return long_wmi, wmis[long_wmi]
    if vin[:3] in wmis:
        return vin[:3], wmis[vin[:3]]
    return None


@cache
def _compiled(keys: str) -> tuple[re.Pattern, int]:
    """A pattern key as a regex, and how many characters it fixes."""
    regex, fixed, i = [], 0, 0
    while i < len(keys):
        char = keys[i]
        if char == "*":
            regex.append(".")
        elif char == "[":
            end = keys.index("]", i)
            regex.append("[" + re.sub(r"[^A-Z0-9\-]", "", keys[i + 1 : end]) + "]")
            fixed += 1
            i = end
        else:
            regex.append(re.escape(char))
            fixed += 1
        i += 1
    return re.compile("".join(regex)), fixed


def lookup(vin: str, *, model_year: int) -> VpicVehicle | None:
    """What vPIC knows of `vin` (a validated, normalised VIN) in `model_year`;
    None when its WMI is not in vPIC."""
    found = _wmi_entry(vin)
    if found is None:
        return None
    wmi, (country, vehicle_type, make_ids, schemas) = found
    strings = _data()["strings"]
    descriptor = vin[3:8] + "|" + vin[9:17]
    best: dict[str, tuple[int, int, str]] = {}
    for rank, (year_from, year_to, schema_id) in enumerate(schemas):
        if not (year_from <= model_year <= (year_to or 9999)):
            continue
        for keys, element, value in _data()["schemas"].get(str(schema_id), ()):
            regex, fixed = _compiled(keys)
            if regex.match(descriptor):
                score = (fixed, rank)
                if element not in best or score > best[element][:2]:
                    best[element] = (fixed, rank, strings[value])
    values = {element: value for element, (_, _, value) in best.items()}
    makes = tuple(strings[i] for i in make_ids)
    make = values.get("make") or (makes[0] if len(makes) == 1 else None)
    return VpicVehicle(
        wmi=wmi,
        makes=makes,
        make=make,
        country=strings[country] or None,
        vehicle_type=strings[vehicle_type] or None,
        model=values.get("model"),
        body=values.get("body"),
        trim=values.get("trim"),
        engine=EngineSpec(
            displacement_l=_number(values.get("displacement_l"), float),
            cylinders=_number(values.get("cylinders"), int),
            layout=values.get("layout"),
            fuel=values.get("fuel"),
            engine_model=values.get("engine_model"),
        ),
    )


def _number(text: str | None, kind):
    try:
        return kind(float(text)) if text is not None else None
    except ValueError:
        return None
