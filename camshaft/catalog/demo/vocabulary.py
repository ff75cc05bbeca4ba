"""The words and numbers of the demo catalogue, read from the files in `data/`.

The brands, the category tree, what each kind of part is called and costs,
the vehicles of 1990 on and the warehouses live in data files, so changing a
word is not changing code; this module reads them into the shapes `generator`
uses. Every list keeps its file order, so a seed gives the same catalogue on
every machine.

- categories.json: the category tree, each leaf a `Kind`; `kind_defaults`
  holds what a kind does not say for itself.
- brands.json: the brands, what they make and their part-number patterns.
- models.csv, engines.csv, vehicles.json: the models of each make, the
  engines on offer (by vehicle class, by make, or for one model) and trims.
- warehouses.csv: the demo's warehouses.
"""

import csv
import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Kind:
    """A leaf of the category tree and how its parts look.

    Word lists may hold "" (the slot is left out of the name) and
    "Word=Value" (the name says Word, the attribute says Value; "=Value"
    puts the value in the attributes only)."""

    name: str
    nouns: tuple[str, ...]
    price: tuple[float, float]
    weight: tuple[float, float]
    box: tuple[float, float, float]
    materials: tuple[str, ...]
    material_key: str
    grades: tuple[str, ...]
    positions: tuple[str, ...]
    # Parts sold per side fit both sides of a position (a hub fits front left
    # and front right): one fitment row each.
    both_sides: bool
    quantity: int | str  # "cylinders": one per cylinder of the engine
    engine_specific: bool
    trim_specific: float
    attrs: tuple[tuple[str, tuple], ...]
    features: tuple[str, ...]
    notes: tuple[str, ...]
    note_rate: float
    share: float
    core: tuple[float, float] | None
    reman_rate: float
    used_rate: float
    warranties: tuple[str, ...]
    electrical: bool
    hazardous: bool
    truck_freight: bool
    sealed: bool
    painted_rate: float
    performance_rate: float
    custom_rate: float


@dataclass(frozen=True)
class TopCategory:
    name: str
    kinds: tuple[Kind, ...]
    benefit: str


@dataclass(frozen=True)
class BrandSpec:
    """`makes` names kinds or top-level categories the brand sells; `mpn`
    maps a kind, a top-level category or "*" to part-number patterns
    (# digit, @ letter, ? digit or letter; anything else is literal)."""

    name: str
    code: str
    tier: float
    weight: float
    makes: tuple[str, ...]
    mpn: dict[str, tuple[str, ...]]
    series: tuple[str, ...] = ()
    performance_series: tuple[str, ...] = ()


@dataclass(frozen=True)
class WarehouseSpec:
    code: str
    name: str
    street: str
    city: str
    state: str
    postal_code: str
    country: str
    latitude: float
    longitude: float
    share: float  # of the catalogue it stocks


# An engine on offer: (name, first year, last year); None is "still made".
E = tuple[str, int, int | None]
# A model: (name, years, class, popularity, platform). Years are "1990-" for
# still made, or spans joined by commas ("1990-2002,2010-2024"). Models of a
# make that share a platform share parts.
M = tuple[str, str, str, float, str]


def _json(name: str) -> Any:
    with (DATA / name).open(encoding="utf-8") as file:
        return json.load(file)


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _tuples(value: Any) -> Any:
    """JSON arrays as tuples, the frozen shape the generator hashes and compares."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


def _number(text: str) -> int | float:
    """A CSV number as it was written: 2 stays an int, 1.5 a float."""
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _kind(entry: dict[str, Any], defaults: dict[str, Any]) -> Kind:
    values = _tuples({**defaults, **entry})
    values["attrs"] = tuple(values["attrs"].items())
    return Kind(**values)


def _categories() -> tuple[tuple[TopCategory, ...], tuple[str, ...]]:
    data = _json("categories.json")
    defaults = data["kind_defaults"]
    categories = tuple(
        TopCategory(
            name=top["name"],
            benefit=top["benefit"],
            kinds=tuple(_kind(kind, defaults) for kind in top["kinds"]),
        )
        for top in data["categories"]
    )
    return categories, tuple(data["generic_notes"])


def _brands() -> tuple[BrandSpec, ...]:
    return tuple(BrandSpec(**_tuples(entry)) for entry in _json("brands.json"))


def _models() -> dict[str, tuple[M, ...]]:
    makes: dict[str, list[M]] = {}
    for row in _csv("models.csv"):
        model = (row["model"], row["years"], row["class"], _number(row["popularity"]))
        makes.setdefault(row["make"], []).append((*model, row["platform"]))
    return {make: tuple(models) for make, models in makes.items()}


def _engines() -> tuple[
    dict[str, tuple[E, ...]], dict[str, tuple[E, ...]], dict[tuple[str, str], tuple[E, ...]]
]:
    """engines.csv names a vehicle class, a make, or a make and model per row:
    the engines by class, a make's own and a model's own."""
    by_class: dict[str, list[E]] = {}
    by_make: dict[str, list[E]] = {}
    by_model: dict[tuple[str, str], list[E]] = {}
    for row in _csv("engines.csv"):
        last = row["last_year"]
        engine = (row["engine"], int(row["first_year"]), int(last) if last else None)
        if row["class"]:
            by_class.setdefault(row["class"], []).append(engine)
        elif row["model"]:
            by_model.setdefault((row["make"], row["model"]), []).append(engine)
        else:
            by_make.setdefault(row["make"], []).append(engine)
    return (
        {key: tuple(value) for key, value in by_class.items()},
        {key: tuple(value) for key, value in by_make.items()},
        {key: tuple(value) for key, value in by_model.items()},
    )


def _warehouses() -> tuple[WarehouseSpec, ...]:
    numbers = {f.name for f in fields(WarehouseSpec) if f.type is float}
    return tuple(
        WarehouseSpec(**{k: float(v) if k in numbers else v for k, v in row.items()})
        for row in _csv("warehouses.csv")
    )


CATEGORIES, GENERIC_NOTES = _categories()
BRANDS = _brands()
MAKES = _models()
# A model takes 1-4 of the engines on sale in each of its generations: its
# own if it has any, else its make's, else its vehicle class's.
ENGINES, MAKE_ENGINES, MODEL_ENGINES = _engines()
_vehicles = _json("vehicles.json")
TRUCK_CLASSES = frozenset(_vehicles["truck_classes"])
# Makes that sell well: a part is likelier to fit one of theirs.
MAKE_WEIGHT: dict[str, float] = _vehicles["make_weight"]
# Trims, from the plainest up. A make with trucks names its truck trims apart;
# models well enough known that generic trims would look wrong have their own.
SUBMODELS: dict[str, tuple[str, ...] | dict[str, tuple[str, ...]]] = _tuples(
    _vehicles["trims_by_make"]
)
MODEL_TRIMS: dict[tuple[str, str], tuple[str, ...]] = {
    (make, model): tuple(trims)
    for make, models in _vehicles["trims_by_model"].items()
    for model, trims in models.items()
}
WAREHOUSES = _warehouses()
