"""Reads for the Part Finder (Year > Make > Model > Submodel > Engine), My
Garage and the parts that fit a vehicle (C3). Every list is narrowed by the
choices before it and served from the vehicle_finder_idx covering index."""

from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count
from django.http import Http404

from camshaft.catalog.images import Picture, primary_pictures
from camshaft.catalog.models import Part
from camshaft.core.paging import Page, PageRequest
from camshaft.core.replicas import reading
from camshaft.fitment.models import (
    Engine,
    Fitment,
    Make,
    Position,
    Submodel,
    Vehicle,
    VehicleModel,
)


@dataclass(frozen=True, slots=True)
class Choice:
    id: int
    name: str


# A loose index scan: one probe of vehicle_finder_idx per model year instead
# of reading every vehicle (PostgreSQL 15 has no skip scan; SQLite uses it too).
YEARS_SQL = """
WITH RECURSIVE y(year) AS (
    SELECT MAX(year) FROM fitment_vehicle
    UNION ALL
    SELECT (SELECT MAX(v.year) FROM fitment_vehicle v WHERE v.year < y.year)
    FROM y WHERE y.year IS NOT NULL
)
SELECT year FROM y WHERE year IS NOT NULL
"""


def years() -> list[int]:
    """Model years we have vehicles for, newest first."""
    with reading(Vehicle).cursor() as cursor:
        cursor.execute(YEARS_SQL)
        return [row[0] for row in cursor.fetchall()]


def _choices(model, ids) -> list[Choice]:
    """The named choices among `ids`, a query of vehicles' ids read as a
    subquery: one round trip per list. Its own order is cleared, or
    Vehicle's default ordering would join every vehicle of the year to its
    make and model names just to be DISTINCT."""
    return [
        Choice(i, n)
        for i, n in model.objects.filter(id__in=ids.order_by())
        .order_by("name")
        .values_list("id", "name")
    ]


def makes(*, year: int) -> list[Choice]:
    return _choices(Make, Vehicle.objects.filter(year=year).values("make_id"))


def models(*, year: int, make_id: int) -> list[Choice]:
    return _choices(
        VehicleModel, Vehicle.objects.filter(year=year, make_id=make_id).values("model_id")
    )


def submodels(*, year: int, model_id: int) -> list[Choice]:
    return _choices(
        Submodel, Vehicle.objects.filter(year=year, model_id=model_id).values("submodel_id")
    )


def engines(*, year: int, model_id: int, submodel_id: int) -> list[Choice]:
    vehicles = Vehicle.objects.filter(year=year, model_id=model_id, submodel_id=submodel_id)
    return _choices(Engine, vehicles.values("engine_id"))


@dataclass
class FinderState:
    """What the shopper has picked so far and the list for the next step.
    Choices that do not belong together (a make not built that year) are
    reported in `problem` and the later choices are dropped."""

    years: list[int]
    year: int | None = None
    makes: list[Choice] | None = None
    make: Choice | None = None
    models: list[Choice] | None = None
    model: Choice | None = None
    submodels: list[Choice] | None = None
    submodel: Choice | None = None
    engines: list[Choice] | None = None
    engine: Choice | None = None
    vehicle: Vehicle | None = None
    problem: str | None = None


def _pick(options: list[Choice], wanted: int | None) -> Choice | None:
    return next((c for c in options if c.id == wanted), None)


def finder_state(
    *, year=None, make_id=None, model_id=None, submodel_id=None, engine_id=None
) -> FinderState:
    state = FinderState(years=years())
    if year is None:
        return state
    if year not in state.years:
        state.problem = f"We have no vehicles for the year {year}."
        return state
    state.year = year
    # Each level: (list to fill, choice to pick, wanted id, loader, problem if not found).
    steps = (
        (
            "makes",
            "make",
            make_id,
            lambda: makes(year=year),
            lambda: f"That make was not sold in {year}.",
        ),
        (
            "models",
            "model",
            model_id,
            lambda: models(year=year, make_id=make_id),
            lambda: f"{state.make.name} built no such model in {year}.",
        ),
        (
            "submodels",
            "submodel",
            submodel_id,
            lambda: submodels(year=year, model_id=model_id),
            lambda: f"The {year} {state.model.name} had no such submodel.",
        ),
        (
            "engines",
            "engine",
            engine_id,
            lambda: engines(year=year, model_id=model_id, submodel_id=submodel_id),
            lambda: f"The {year} {state.model.name} {state.submodel.name} had no such engine.",
        ),
    )
    for options_attr, choice_attr, wanted, load, problem in steps:
        options = load()
        setattr(state, options_attr, options)
        if wanted is None:
            return state
        picked = _pick(options, wanted)
        if picked is None:
            state.problem = problem()
            return state
        setattr(state, choice_attr, picked)
    state.vehicle = Vehicle.objects.select_related("make", "model", "submodel", "engine").get(
        year=year, model_id=model_id, submodel_id=submodel_id, engine_id=engine_id
    )
    return state


def vehicle(*, vehicle_id: int) -> Vehicle:
    try:
        return Vehicle.objects.select_related("make", "model", "submodel", "engine").get(
            id=vehicle_id
        )
    except Vehicle.DoesNotExist:
        raise Http404("No such vehicle") from None


def vehicles_by_ids(ids: list[int]) -> list[Vehicle]:
    if not ids:
        return []
    found = {
        v.id: v
        for v in Vehicle.objects.filter(id__in=ids).select_related(
            "make", "model", "submodel", "engine"
        )
    }
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True, slots=True)
class FittingPart:
    part_id: int
    sku: str
    name: str
    brand: str
    price: object
    category_id: int
    position: str
    quantity: int
    note: str
    image: Picture | None = None


@dataclass
class CategoryGroup:
    category_id: int
    category: str
    parts: list[FittingPart]


@dataclass
class VehicleParts:
    vehicle: Vehicle
    categories: list[tuple[int, str, int]]  # (id, name, parts that fit), for the menu
    category_id: int | None
    page: Page  # of FittingPart
    groups: list[CategoryGroup]


def vehicle_parts(
    *, vehicle_id: int, category_id: int | None = None, page: PageRequest
) -> VehicleParts:
    """The parts that fit a vehicle, grouped by category, with fitment notes:
    three queries however many parts fit."""
    chosen = vehicle(vehicle_id=vehicle_id)
    fitment = Fitment.objects.filter(vehicle_id=vehicle_id, part__is_active=True)
    counts = list(
        fitment.values("part__category_id", "part__category__name")
        .annotate(n=Count("id"))
        .order_by("part__category__name")
    )
    menu = [(c["part__category_id"], c["part__category__name"], c["n"]) for c in counts]
    if category_id is not None:
        fitment = fitment.filter(part__category_id=category_id)
    total = sum(n for cid, _, n in menu if category_id is None or cid == category_id)
    rows = fitment.order_by(
        "part__category__name", "part__name", "part_id", "position"
    ).values_list(
        "part_id",
        "part__sku",
        "part__name",
        "part__brand__name",
        "part__price",
        "part__category_id",
        "position",
        "quantity",
        "note",
        "part__category__name",
    )[page.offset : page.offset + page.size]
    rows = list(rows)
    pictures = primary_pictures([row[0] for row in rows])
    items, names = [], {}
    for row in rows:
        items.append(FittingPart(*row[:9], image=pictures.get(row[0])))
        names[row[5]] = row[9]
    groups = [
        CategoryGroup(cid, names[cid], list(parts))
        for cid, parts in groupby(items, key=lambda p: p.category_id)
    ]
    return VehicleParts(
        vehicle=chosen,
        categories=menu,
        category_id=category_id,
        page=Page(items, page.number, page.size, total),
        groups=groups,
    )


@dataclass(frozen=True, slots=True)
class FittedVehicle:
    """One row of a part page's fitment table: a vehicle and how the part fits it."""

    vehicle_id: int
    year: int
    make: str
    model: str
    submodel: str
    engine: str
    position: str
    quantity: int
    note: str

    @property
    def position_label(self) -> str:
        return Position(self.position).label


# One query for the page and the total (COUNT(*) OVER ()), read as plain
# rows: building six model instances per row and compiling two ORM queries
# cost more than the database's work on every part page (C7).
FITTED_VEHICLES_SQL = """
SELECT v.id, v.year, mk.name, md.name, sm.name, en.name, f.position, f.quantity, f.note,
       COUNT(*) OVER ()
FROM fitment_fitment f
JOIN fitment_vehicle v ON v.id = f.vehicle_id
JOIN fitment_make mk ON mk.id = v.make_id
JOIN fitment_vehiclemodel md ON md.id = v.model_id
JOIN fitment_submodel sm ON sm.id = v.submodel_id
JOIN fitment_engine en ON en.id = v.engine_id
WHERE f.part_id = %s
ORDER BY CASE WHEN f.vehicle_id = %s THEN 0 ELSE 1 END, mk.name, md.name, v.year DESC,
         f.vehicle_id, f.position
LIMIT %s OFFSET %s
"""


def vehicles_fitting_part(
    *, part_id: int, page: PageRequest, first_vehicle_id: int | None = None
) -> Page:
    """The vehicles a part fits, a page at a time (C7): the shopper's own
    vehicle first when it is one of them, then by make, model and newest year."""
    with reading(Fitment).cursor() as cursor:
        cursor.execute(
            FITTED_VEHICLES_SQL, [part_id, first_vehicle_id or 0, page.size, page.offset]
        )
        rows = cursor.fetchall()
    if rows:
        total = rows[0][-1]
    else:  # past the last page (or none at all): the total still says how many
        total = Fitment.objects.filter(part_id=part_id).count() if page.offset else 0
    return Page([FittedVehicle(*row[:-1]) for row in rows], page.number, page.size, total)


def part_exists(part_id: int) -> bool:
    return Part.objects.filter(id=part_id, is_active=True).exists()


@dataclass(frozen=True, slots=True)
class ModelName:
    id: int
    make_id: int
    make: str
    name: str


def vehicle_names() -> tuple[list[Choice], list[ModelName]]:
    """Every make and model we carry vehicles of, for reading a vehicle
    named in a search (C5): two small queries."""
    makes = [Choice(i, n) for i, n in Make.objects.order_by("id").values_list("id", "name")]
    models = [
        ModelName(*row)
        for row in VehicleModel.objects.order_by("id").values_list(
            "id", "make_id", "make__name", "name"
        )
    ]
    return makes, models


def vehicle_ids(
    *,
    year: int | None = None,
    make_id: int | None = None,
    model_ids: list[int] | None = None,
    engine_litres: str | None = None,
) -> list[int]:
    """The vehicles of a year, make, models and engine displacement ("5.3"
    for the "5.3L V8" engines), as far as each is given."""
    vehicles = Vehicle.objects.all()
    if engine_litres:
        vehicles = vehicles.filter(engine__name__startswith=f"{engine_litres}L")
    if year is not None:
        vehicles = vehicles.filter(year=year)
    if make_id is not None:
        vehicles = vehicles.filter(make_id=make_id)
    if model_ids:
        vehicles = vehicles.filter(model_id__in=model_ids)
    return list(vehicles.order_by("id").values_list("id", flat=True))
