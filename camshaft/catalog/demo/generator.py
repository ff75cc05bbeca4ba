"""Builds the demo catalogue (B3): parts, vehicles, fitment and stock, fast.

A million parts and ten million fitment rows must load in minutes, so rows
are made with plain Python and written with executemany (SQLite) or COPY
(PostgreSQL) in one transaction, with the big tables' secondary indexes
dropped during the load and built once at the end. Every phase draws from
its own random stream seeded from `seed`, so a seed always gives the same
catalogue, ids included.
"""

import bisect
import datetime
import itertools
import math
import random
import re
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from tqdm import tqdm

from camshaft.catalog.building import (
    CATEGORY_FIELDS,
    FITMENT_FIELDS,
    PART_FIELDS,
    analyze,
    category_row,
    chunks,
    insert_rows,
    part_row,
    slug,
    stored_datetime,
)
from camshaft.catalog.demo import pictures
from camshaft.catalog.demo import vocabulary as vocab
from camshaft.catalog.models import (
    Brand,
    Category,
    Condition,
    FreightClass,
    Part,
    PartImage,
    Returnability,
    normalize_code,
)
from camshaft.fitment.models import (
    FIRST_MODEL_YEAR,
    Engine,
    Fitment,
    Make,
    Position,
    Submodel,
    Vehicle,
    VehicleModel,
)
from camshaft.inventory.models import StockLevel, Warehouse
from camshaft.search.models import PendingIndexUpdate

SPECIAL_ORDER_RATE = 0.02
CUSTOM_MADE_RATE = 0.004  # plus each kind's own rate: about 0.5% in all
OUT_OF_STOCK_RATE = 0.15  # of all parts, special orders included
SIBLING_RATE = 0.2  # parts that also fit a related model of the same make
# Fitment rows a part aims for: lognormal, median e**MU. The mean lands near 13.
FITMENT_MU = 2.4
FITMENT_SIGMA = 0.75
# Below this many parts the load keeps every index: rebuilding costs more.
BULK_LOAD_THRESHOLD = 20_000
CHUNK = 10_000

# Tables the demo writes, children first (the order of a wipe).
DEMO_MODELS = (
    PartImage,
    Fitment,
    StockLevel,
    PendingIndexUpdate,
    Part,
    Category,
    Brand,
    Vehicle,
    VehicleModel,
    Make,
    Submodel,
    Engine,
)
BULK_TABLES = (Part._meta.db_table, Fitment._meta.db_table, StockLevel._meta.db_table)


class CatalogueNotEmpty(Exception):
    """The database already holds a catalogue and the caller did not ask to replace it."""


@dataclass
class DemoReport:
    parts: int = 0
    vehicles: int = 0
    fitment: int = 0
    stock_levels: int = 0
    search_documents: int | None = None
    timings: dict[str, float] = field(default_factory=dict)


def build_demo_catalogue(
    *, parts: int, seed: int = 1, replace: bool = False, progress: bool = False
) -> DemoReport:
    """Make an N-part catalogue with vehicles, fitment and stock, then the search index.

    Raises CatalogueNotEmpty when the catalogue has data and `replace` is
    false; with `replace` the catalogue, fitment and stock are wiped first
    (warehouses are kept and updated)."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    report = DemoReport()
    clock = _Clock(report.timings)
    sqlite = connection.vendor == "sqlite"
    toggle_foreign_keys = sqlite and not connection.in_atomic_block
    bulk = parts >= BULK_LOAD_THRESHOLD
    cache_size = _execute("PRAGMA cache_size")[0][0] if sqlite else None

    _check_can_build(replace=replace)
    with clock("pictures"):
        drawings = pictures.ensure_pictures([top.name for top in vocab.CATEGORIES])
    if toggle_foreign_keys:
        # Only outside a transaction can SQLite switch foreign keys off; the
        # generator makes every reference itself.
        _execute("PRAGMA foreign_keys=OFF")
    try:
        with transaction.atomic():
            writer = _Writer(progress=progress)
            if sqlite:
                _execute("PRAGMA cache_size=-1048576")
                _execute("PRAGMA threads=2")
            else:
                _execute("SET LOCAL maintenance_work_mem = '1GB'")
                _execute("SET LOCAL synchronous_commit = off")
            with clock("wipe"):
                _wipe()
            saved_indexes = _drop_indexes(BULK_TABLES) if bulk else []
            with clock("reference data"):
                reference = _write_reference_data(writer)
            with clock("vehicles"):
                fleet = _write_vehicles(writer, seed)
                report.vehicles = fleet.vehicle_count
            with clock("parts"):
                made = _write_parts(writer, seed, parts, reference, drawings)
                report.parts = parts
            with clock("fitment"):
                report.fitment = _write_fitment(writer, seed, made, reference, fleet)
            with clock("stock"):
                report.stock_levels = _write_stock(writer, seed, made, reference)
            with clock("indexes"):
                _create_indexes(saved_indexes, progress=progress)
                _reset_sequences()
                analyze(DEMO_MODELS)
        if sqlite and not connection.in_atomic_block:
            with clock("checkpoint"):
                _execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        if sqlite:
            _execute(f"PRAGMA cache_size={int(cache_size)}")
        if toggle_foreign_keys:
            _execute("PRAGMA foreign_keys=ON")
    with clock("search index"):
        from camshaft.search import services as search_services

        report.search_documents = search_services.rebuild_index(progress=progress)
    return report


# --- Plumbing -------------------------------------------------------------------


class _Clock:
    def __init__(self, timings: dict[str, float]):
        self.timings = timings

    def __call__(self, phase: str):
        clock = self

        class _Phase:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                clock.timings[phase] = clock.timings.get(phase, 0.0) + (
                    time.perf_counter() - self.start
                )

        return _Phase()


def _execute(sql: str, params: Sequence | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


class _Writer:
    """Appends rows to a table through catalog.building's bulk writer (the
    importer's too) and shows how far a phase has got."""

    def __init__(self, *, progress: bool):
        self.progress = progress
        self.datetime_now = stored_datetime(
            datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        )

    def write(self, model: type, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        insert_rows(model, columns, rows)

    def bar(self, total: int, desc: str, unit: str) -> tqdm:
        return tqdm(
            total=total,
            desc=desc,
            unit=unit,
            unit_scale=True,
            disable=not self.progress,
            mininterval=0.5,
            dynamic_ncols=True,
        )


def _check_can_build(*, replace: bool) -> None:
    if replace:
        outside = [
            model for model in _models_referencing_demo_tables() if model._default_manager.exists()
        ]
        if outside:
            names = ", ".join(sorted(m._meta.label for m in outside))
            raise CatalogueNotEmpty(
                f"Cannot replace the catalogue: {names} refer to its parts, vehicles or stock."
            )
        return
    if Part.objects.exists():
        raise CatalogueNotEmpty(
            f"The catalogue already has {Part.objects.count():,} parts; "
            "use --replace to rebuild it."
        )
    for model in (Brand, Category, Make, Vehicle):
        if model.objects.exists():
            raise CatalogueNotEmpty(
                f"The catalogue already has {model._meta.verbose_name_plural}; "
                "use --replace to rebuild it."
            )


def _models_referencing_demo_tables() -> list[type]:
    mine = {*DEMO_MODELS, Warehouse}
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model in mine:
            continue
        for f in model._meta.get_fields():
            if f.concrete and f.is_relation and f.related_model in mine and f.many_to_one:
                found.append(model)
                break
    return found


def _wipe() -> None:
    tables = [model._meta.db_table for model in DEMO_MODELS]
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        _run_deferred_checks()  # of earlier writes in the caller's transaction
        if not _models_referencing_demo_tables():
            _execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
            return
    for table in tables:
        _execute(f'DELETE FROM "{table}"')  # noqa: S608 - a model's table
    if postgresql:
        _run_deferred_checks()


def _run_deferred_checks() -> None:
    """PostgreSQL will not truncate or alter a table (drop its indexes) while
    deferred foreign-key checks are pending: run them now."""
    _execute("SET CONSTRAINTS ALL IMMEDIATE")
    _execute("SET CONSTRAINTS ALL DEFERRED")


def _drop_indexes(tables: Sequence[str]) -> list[str]:
    """Drop the secondary indexes (and on PostgreSQL the foreign keys and
    unique constraints) of `tables`; return the statements that rebuild them."""
    rebuild: list[str] = []
    for table in tables:
        if connection.vendor == "sqlite":
            rows = _execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
                [table],
            )
            for name, sql in rows:
                _execute(f'DROP INDEX "{name}"')
                rebuild.append(sql)
        else:
            constraints = _execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') "
                "ORDER BY contype DESC, conname",
                [table],
            )
            indexes = _execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) "
                "ORDER BY indexname",
                [table, table],
            )
            for name, definition in constraints:
                _execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                rebuild.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for name, definition in indexes:
                _execute(f'DROP INDEX "{name}"')
                rebuild.append(definition)
    return rebuild


def _create_indexes(statements: Sequence[str], *, progress: bool) -> None:
    for sql in tqdm(
        statements, desc="indexes", unit="index", disable=not progress or not statements
    ):
        _execute(sql)


def _reset_sequences() -> None:
    for sql in connection.ops.sequence_reset_sql(no_style(), DEMO_MODELS):
        _execute(sql)


def _chunks(n: int, size: int = CHUNK) -> Iterator[range]:
    return chunks(range(n), size)


# --- Reference data: brands, categories, warehouses --------------------------------


@dataclass
class _KindInfo:
    kind: vocab.Kind
    top: vocab.TopCategory
    category_id: int
    brand_indexes: list[int]
    brand_cum: list[float]
    grades: tuple[str, ...]
    # Per position alternative: the fitment positions it stands for.
    positions: list[tuple[str, ...]]
    returnability: str


@dataclass
class _Reference:
    kinds: list[_KindInfo]
    kind_cum: list[float]
    brand_ids: list[int]
    warehouse_ids: list[int]
    warehouse_weights: list[float]


POSITION_WORDS = {
    "front left": Position.FRONT_LEFT,
    "front right": Position.FRONT_RIGHT,
    "rear left": Position.REAR_LEFT,
    "rear right": Position.REAR_RIGHT,
    "front": Position.FRONT,
    "rear": Position.REAR,
    "driver side": Position.LEFT,
    "passenger side": Position.RIGHT,
    "left": Position.LEFT,
    "right": Position.RIGHT,
    "upper": Position.UPPER,
    "lower": Position.LOWER,
}


def fitment_positions(word: str, *, both_sides: bool) -> tuple[str, ...]:
    """The fitment positions a name's position word stands for: "Front Lower
    Left" is front_left; a hub sold for the "Front" fits front left and
    front right; "Front and Rear" floor mats fit front and rear."""
    text = word.split("=")[0].lower()
    if " and " in text:
        return tuple(
            p
            for part in text.split(" and ")
            for p in fitment_positions(part, both_sides=both_sides)
        )
    text = text.replace(" lower", "").replace(" upper", "") if " " in text else text
    text = text.replace("upstream ", "").replace("downstream ", "")
    if text in ("upstream", "downstream", "low beam", "high beam", ""):
        return (Position.NONE.value,)
    position = POSITION_WORDS.get(text, Position.NONE)
    if both_sides and position in (Position.FRONT, Position.REAR):
        return (f"{position.value}_left", f"{position.value}_right")
    return (position.value,)


def _returnability(kind: vocab.Kind, top: vocab.TopCategory) -> str:
    """R1's class for a kind of part, before a part's own flags (special
    order, custom made, painted) tighten it."""
    if kind.sealed:
        return Returnability.SEALED_ONLY.value
    if kind.electrical or top.name in ("Electrical", "Batteries") or kind.hazardous:
        return Returnability.UNOPENED_ONLY.value
    return Returnability.STANDARD.value


def _write_reference_data(writer: _Writer) -> _Reference:
    brand_rows = [(i, spec.name, slug(spec.name)) for i, spec in enumerate(vocab.BRANDS, 1)]
    writer.write(Brand, ("id", "name", "slug"), brand_rows)

    category_rows = []
    kinds: list[_KindInfo] = []
    next_id = itertools.count(1)
    for top in vocab.CATEGORIES:
        top_id = next(next_id)
        top_row = category_row(top.name, parent_id=None, parent_path=None)
        category_rows.append((top_id, *top_row))
        for kind in top.kinds:
            kind_id = next(next_id)
            row = category_row(kind.name, parent_id=top_id, parent_path=top_row.path)
            category_rows.append((kind_id, *row))
            makers = [
                b
                for b, spec in enumerate(vocab.BRANDS)
                if kind.name in spec.makes or top.name in spec.makes
            ]
            if not makers:
                raise ValueError(f"No brand makes {kind.name}")
            kinds.append(
                _KindInfo(
                    kind=kind,
                    top=top,
                    category_id=kind_id,
                    brand_indexes=makers,
                    brand_cum=list(itertools.accumulate(vocab.BRANDS[b].weight for b in makers)),
                    grades=tuple(g for g in kind.grades if g not in ("Remanufactured",)),
                    positions=[
                        fitment_positions(w, both_sides=kind.both_sides) for w in kind.positions
                    ],
                    returnability=_returnability(kind, top),
                )
            )
    writer.write(Category, ("id", *CATEGORY_FIELDS), category_rows)

    # Warehouses outlive a rebuild: orders and shipments may name them.
    warehouse_ids = []
    for spec in vocab.WAREHOUSES:
        warehouse, _ = Warehouse.objects.update_or_create(
            code=spec.code,
            defaults=dict(
                name=spec.name,
                street=spec.street,
                city=spec.city,
                state=spec.state,
                postal_code=spec.postal_code,
                country=spec.country,
                latitude=spec.latitude,
                longitude=spec.longitude,
                is_active=True,
            ),
        )
        warehouse_ids.append(warehouse.id)
    return _Reference(
        kinds=kinds,
        kind_cum=list(itertools.accumulate(k.kind.share for k in kinds)),
        brand_ids=[row[0] for row in brand_rows],
        warehouse_ids=warehouse_ids,
        warehouse_weights=[w.share for w in vocab.WAREHOUSES],
    )


# --- Vehicles ----------------------------------------------------------------------


@dataclass
class _Generation:
    make: str
    platform: str
    first: int
    last: int
    engines: list[int]
    # by_year[y - first]: the (vehicle id, submodel id, engine id) built that year
    by_year: list[list[tuple[int, int, int]]]
    years: list[int]  # the years with at least one vehicle
    siblings: list[int] = field(default_factory=list)


@dataclass
class _Fleet:
    generations: list[_Generation]
    generation_cum: list[float]
    cylinders: dict[int, int]
    vehicle_count: int


def model_years(spans: str, *, last_year: int) -> list[tuple[int, int]]:
    """ "1990-2002,2010-" → [(1990, 2002), (2010, last_year)]."""
    out = []
    for span in spans.split(","):
        first, _, last = span.partition("-")
        out.append((max(int(first), FIRST_MODEL_YEAR), int(last) if last else last_year))
    return out


def cylinders_of(engine: str) -> int:
    match = re.search(r"\b[LVHIW]R?(\d{1,2})\b", engine)
    if match:
        return int(match.group(1))
    return 2 if "Rotary" in engine else 4


def _engine_key(name: str) -> tuple[float, str]:
    return (float(name.split("L")[0]), name)


def _write_vehicles(writer: _Writer, seed: int) -> _Fleet:
    rng = random.Random(f"camshaft-demo:{seed}:vehicles")
    last_year = datetime.date.today().year + 1
    submodel_ids: dict[str, int] = {}
    engine_ids: dict[str, int] = {}
    make_rows, model_rows, vehicle_rows = [], [], []
    generations: list[_Generation] = []
    weights: list[float] = []

    def intern(table: dict[str, int], name: str) -> int:
        if name not in table:
            table[name] = len(table) + 1
        return table[name]

    model_id = 0
    for make_id, (make, models) in enumerate(sorted(vocab.MAKES.items()), start=1):
        make_rows.append((make_id, make, slug(make)))
        for name, spans, klass, popularity, platform in models:
            model_id += 1
            model_rows.append((model_id, make_id, name, slug(name)))
            pool = (
                vocab.MODEL_ENGINES.get((make, name))
                or vocab.MAKE_ENGINES.get(make)
                or vocab.ENGINES[klass]
            )
            trims = vocab.MODEL_TRIMS.get((make, name)) or vocab.SUBMODELS[make]
            if isinstance(trims, dict):
                trims = trims["truck" if klass in vocab.TRUCK_CLASSES else "car"]
            for first, last in model_years(spans, last_year=last_year):
                year = first
                while year <= last:
                    length = rng.randint(4, 7)
                    end = year + length - 1
                    if last - end < 3:
                        end = last
                    generation = _make_generation(
                        rng,
                        make,
                        platform,
                        year,
                        end,
                        pool,
                        trims,
                        engine_ids,
                        submodel_ids,
                        intern,
                        model_id,
                        make_id,
                        vehicle_rows,
                    )
                    if generation:
                        generations.append(generation)
                        weights.append(
                            popularity * vocab.MAKE_WEIGHT.get(make, 0.6) * (end - year + 1)
                        )
                    year = end + 1

    # Siblings: generations of the same make and platform whose years overlap.
    by_platform: dict[tuple[str, str], list[int]] = {}
    for i, g in enumerate(generations):
        if g.platform:
            by_platform.setdefault((g.make, g.platform), []).append(i)
    for members in by_platform.values():
        for i in members:
            g = generations[i]
            g.siblings = [
                j
                for j in members
                if j != i and generations[j].first <= g.last and generations[j].last >= g.first
            ]

    writer.write(Make, ("id", "name", "slug"), make_rows)
    writer.write(VehicleModel, ("id", "make_id", "name", "slug"), model_rows)
    writer.write(Submodel, ("id", "name"), [(i, n) for n, i in submodel_ids.items()])
    writer.write(Engine, ("id", "name"), [(i, n) for n, i in engine_ids.items()])
    bar = writer.bar(len(vehicle_rows), "vehicles", "vehicle")
    for chunk in _chunks(len(vehicle_rows), 20_000):
        writer.write(
            Vehicle,
            ("id", "year", "make_id", "model_id", "submodel_id", "engine_id"),
            vehicle_rows[chunk.start : chunk.stop],
        )
        bar.update(len(chunk))
    bar.close()
    return _Fleet(
        generations=generations,
        generation_cum=list(itertools.accumulate(weights)),
        cylinders={i: cylinders_of(n) for n, i in engine_ids.items()},
        vehicle_count=len(vehicle_rows),
    )


def _make_generation(
    rng,
    make,
    platform,
    first,
    last,
    pool,
    trims,
    engine_ids,
    submodel_ids,
    intern,
    model_id,
    make_id,
    vehicle_rows,
) -> _Generation | None:
    on_sale = list(
        {
            e[0]: e for e in reversed(pool) if e[1] <= last and (e[2] is None or e[2] >= first)
        }.values()
    )[::-1]
    if not on_sale:
        return None
    engines = rng.sample(on_sale, min(len(on_sale), rng.choices((1, 2, 3, 4), (1, 3, 4, 3))[0]))
    engines.sort(key=lambda e: _engine_key(e[0]))
    subs = sorted(
        rng.sample(range(len(trims)), min(len(trims), rng.choices((2, 3, 4, 5), (1, 2, 3, 3))[0]))
    )
    # The plainest trim gets the smallest engine, the top trim the largest;
    # trims between get one or two of those around their rank.
    configs = []
    for rank, trim in enumerate(subs):
        centre = round(rank * (len(engines) - 1) / max(1, len(subs) - 1))
        offered = {centre}
        for other in range(len(engines)):
            if other != centre and rng.random() < 0.8:
                offered.add(other)
        for e in sorted(offered):
            name, e_first, e_last = engines[e]
            years = (max(first, e_first), min(last, e_last if e_last is not None else last))
            if years[0] <= years[1]:
                configs.append((intern(submodel_ids, trims[trim]), intern(engine_ids, name), years))
    if not configs:
        return None
    by_year: list[list[tuple[int, int, int]]] = [[] for _ in range(last - first + 1)]
    for year in range(first, last + 1):
        for sub_id, eng_id, (y0, y1) in configs:
            if y0 <= year <= y1:
                vehicle_id = len(vehicle_rows) + 1
                vehicle_rows.append((vehicle_id, year, make_id, model_id, sub_id, eng_id))
                by_year[year - first].append((vehicle_id, sub_id, eng_id))
    # A generation whose engines all start late has empty early years: trim them.
    while not by_year[0]:
        by_year.pop(0)
        first += 1
    while not by_year[-1]:
        by_year.pop()
        last -= 1
    return _Generation(
        make=make,
        platform=platform,
        first=first,
        last=last,
        engines=sorted({c[1] for c in configs}),
        by_year=by_year,
        years=[first + i for i, vehicles in enumerate(by_year) if vehicles],
    )


# --- Parts -------------------------------------------------------------------------


@dataclass
class _MadeParts:
    """What later phases need to know about each part, compactly."""

    count: int
    kind: array  # index into reference.kinds
    position: array  # index into the kind's positions
    price: array
    stocked: array  # 0 for special-order and custom-made parts
    notes: dict[int, str]


PART_COLUMNS = ("id", *PART_FIELDS)

PERFORMANCE_GRADES = frozenset(
    {
        "Performance",
        "Racing",
        "Race",
        "Stage 1",
        "Stage 2",
        "High Performance",
        "Street Performance",
        "Sport",
    }
)
CENTS = (0.99, 0.99, 0.99, 0.49, 0.79, 0.29, 0.95)
OPENERS = (
    "{brand} {noun} built to match the original part's fit, form and function.",
    "A direct-fit {noun} from {brand}, made for {benefit}.",
    "{brand} {noun} engineered for {benefit}.",
    "Replace a worn or failed {noun} with this {grade}part from {brand}.",
    "{brand} {noun}, inspected and tested before it ships, for {benefit}.",
)
WARRANTY_SENTENCE = "Backed by a {warranty} warranty."
REMAN_SENTENCE = (
    "Remanufactured to meet or exceed OE performance; "
    "the core charge is refunded when the old unit comes back."
)
USED_SENTENCE = "A used, inspected unit pulled from a low-mileage vehicle."
PATTERN_ALPHABETS = {
    "#": "0123456789",
    "@": "ABCDEFGHJKLMNPRSTUVWXYZ",
    "?": "0123456789ABCDEFGHJKLMNPRSTUVWXYZ",
}


def _split_word(entry: str) -> tuple[str, str]:
    """ "Word=Value" → (Word, Value); "Word" → (Word, Word)."""
    word, sep, value = entry.partition("=")
    return (word, value) if sep else (word, word)


def _make_mpn(rng: random.Random, pattern: str) -> str:
    choice = rng.choice
    return "".join(choice(PATTERN_ALPHABETS[c]) if c in PATTERN_ALPHABETS else c for c in pattern)


def scoped_series(entries: Sequence[str], kind: str, top: str) -> tuple[str, ...]:
    """A brand's product lines that apply to a kind: "QuietCast@Brake Pads|Brake
    Rotors" only to those kinds (or top-level categories), "Premium" to all."""
    out = []
    for entry in entries:
        name, _, scope = entry.partition("@")
        if not scope or kind in scope.split("|") or top in scope.split("|"):
            out.append(name)
    return tuple(out)


def _brand_patterns(spec: vocab.BrandSpec, kind: str, top: str) -> tuple[str, ...]:
    patterns = spec.mpn.get(kind) or spec.mpn.get(top) or spec.mpn.get("*") or ("#######",)
    return (patterns,) if isinstance(patterns, str) else patterns


def _price(rng: random.Random, low: float, high: float, factor: float) -> float:
    value = math.exp(rng.uniform(math.log(low), math.log(high))) * factor
    if value < 1:
        return 0.99
    return round(math.floor(value) + rng.choice(CENTS), 2)


def _name(words: Iterable[str], noun: str) -> str:
    kept = []
    lowered = noun.lower()
    for word in words:
        if (
            word
            and word.lower() not in lowered
            and all(word.lower() not in k.lower() for k in kept)
        ):
            kept.append(word)
    return " ".join([*kept, noun])[:200]


def _write_parts(
    writer: _Writer,
    seed: int,
    count: int,
    reference: _Reference,
    drawings: dict[tuple[str, int], str],
) -> _MadeParts:
    rng = random.Random(f"camshaft-demo:{seed}:parts")
    made = _MadeParts(
        count=count,
        kind=array("H"),
        position=array("B"),
        price=array("f"),
        stocked=array("B"),
        notes={},
    )
    kinds = reference.kinds
    brands = vocab.BRANDS
    patterns, series_of, performance_series_of = {}, {}, {}
    for k, info in enumerate(kinds):
        for b in info.brand_indexes:
            names = (brands[b], info.kind.name, info.top.name)
            patterns[k, b] = _brand_patterns(*names)
            series_of[k, b] = scoped_series(names[0].series, *names[1:])
            performance_series_of[k, b] = scoped_series(names[0].performance_series, *names[1:])
    skus: set[str] = set()
    now = writer.datetime_now
    random_ = rng.random
    choice = rng.choice
    uniform = rng.uniform
    bar = writer.bar(count, "parts", "part")
    for chunk in _chunks(count):
        kind_draws = rng.choices(range(len(kinds)), cum_weights=reference.kind_cum, k=len(chunk))
        rows, picture_rows = [], []
        for i, k in zip(chunk, kind_draws, strict=True):
            part_id = i + 1
            info = kinds[k]
            kind = info.kind
            b = info.brand_indexes[bisect.bisect(info.brand_cum, random_() * info.brand_cum[-1])]
            spec = brands[b]

            r = random_()
            if r < kind.reman_rate:
                condition, grade = Condition.REMANUFACTURED, "Remanufactured"
            elif r < kind.reman_rate + kind.used_rate:
                condition, grade = Condition.USED, "Used"
            else:
                condition, grade = Condition.NEW, choice(info.grades)
            performance = grade in PERFORMANCE_GRADES or random_() < kind.performance_rate
            series = ""
            if performance_series_of[k, b] and random_() < 0.35:
                series, performance = choice(performance_series_of[k, b]), True
            elif series_of[k, b] and random_() < 0.4:
                series = choice(series_of[k, b])
            if series and condition == Condition.NEW and random_() < 0.7:
                grade = ""  # a product line names the grade already
            material_word, material = _split_word(choice(kind.materials))
            p = rng.randrange(len(kind.positions))
            position_word, position_value = _split_word(kind.positions[p])
            noun = choice(kind.nouns)
            name = _name((series, grade, material_word, position_word), noun)

            attributes = {}
            if material:
                attributes[kind.material_key] = material
            if position_value:
                attributes["position"] = position_value
            for key, values in kind.attrs:
                attributes[key] = choice(values)
            if series:
                attributes["series"] = series
            warranty = choice(kind.warranties)
            attributes["warranty"] = warranty
            if condition != Condition.NEW:
                attributes["condition_note"] = (
                    "Remanufactured" if condition == Condition.REMANUFACTURED else "Used, tested"
                )

            special = random_() < SPECIAL_ORDER_RATE
            custom = random_() < CUSTOM_MADE_RATE + kind.custom_rate
            painted = material == "Painted"
            if special or custom:
                returnability = Returnability.NON_RETURNABLE.value
            elif painted and info.returnability == Returnability.STANDARD:
                returnability = Returnability.UNOPENED_ONLY.value
            else:
                returnability = info.returnability
            if custom:
                attributes["made_to_order"] = True

            factor = spec.tier * (1.25 if performance else 1.0)
            if condition == Condition.USED:
                factor *= 0.6
            price = _price(rng, kind.price[0], kind.price[1], factor)
            core = float(round(uniform(*kind.core))) if kind.core else None
            if core is not None and condition == Condition.USED:
                core = None
            weight = round(uniform(*kind.weight), 2)
            length, width, height = (round(d * uniform(0.8, 1.2), 1) for d in kind.box)

            key = ""
            for attempt in range(12):
                source = patterns[k, b] if attempt < 6 else _brand_patterns(spec, "*", "*")
                mpn = _make_mpn(rng, choice(source))
                if attempt >= 10:
                    mpn = f"{mpn}-{rng.randrange(100, 1000)}"
                key = normalize_code(mpn)
                sku = f"{spec.code}-{key}"
                if sku not in skus:
                    break
            else:  # pragma: no cover - the suffixes above make this vanishingly rare
                mpn = f"{mpn}-{part_id}"
                key = normalize_code(mpn)
                sku = f"{spec.code}-{key}"
            skus.add(sku)

            opener = choice(OPENERS).format(
                brand=spec.name,
                noun=noun.lower(),
                benefit=info.top.benefit,
                grade=f"{grade.lower()} " if grade else "",
            )
            sentences = [opener]
            if condition == Condition.REMANUFACTURED:
                sentences.append(REMAN_SENTENCE)
            elif condition == Condition.USED:
                sentences.append(USED_SENTENCE)
            elif kind.features:
                sentences.append(choice(kind.features))
            sentences.append(WARRANTY_SENTENCE.format(warranty=warranty))
            if custom:
                sentences.append("Made to order for your vehicle.")

            if special:
                lead_time = rng.randint(10, 25)
            elif custom:
                lead_time = rng.randint(15, 40)
            elif kind.truck_freight:
                lead_time = rng.randint(5, 12)
            else:
                lead_time = rng.randint(2, 8)

            if random_() < kind.note_rate:
                template = (
                    choice(kind.notes)
                    if kind.notes and random_() < 0.75
                    else choice(vocab.GENERIC_NOTES)
                )
                try:
                    made.notes[part_id] = template.format_map(_Defaults(attributes))
                except (KeyError, ValueError):
                    made.notes[part_id] = template

            row = part_row(
                sku=sku,
                brand_id=reference.brand_ids[b],
                mpn=mpn,
                mpn_key=key,
                name=name,
                description=" ".join(sentences),
                category_id=info.category_id,
                attributes=attributes,
                price=price,
                core_charge=core,
                weight_lb=weight,
                length_in=length,
                width_in=width,
                height_in=height,
                condition=condition.value,
                returnability=returnability,
                freight_class=(
                    FreightClass.TRUCK.value if kind.truck_freight else FreightClass.PARCEL.value
                ),
                is_special_order=special,
                is_custom_made=custom,
                is_hazardous=kind.hazardous,
                is_performance=performance,
                lead_time_days=lead_time,
                is_active=True,
                updated_at=now,
            )
            rows.append((part_id, *row))
            picture_rows.append(
                pictures.picture_row(part_id, drawings[info.top.name, pictures.shade_of(b)])
            )
            made.kind.append(k)
            made.position.append(p)
            made.price.append(price)
            made.stocked.append(0 if (special or custom) else 1)
        writer.write(Part, PART_COLUMNS, rows)
        writer.write(PartImage, pictures.PICTURE_COLUMNS, picture_rows)
        bar.update(len(chunk))
    bar.close()
    return made


class _Defaults(dict):
    """Formats a note from a part's attributes; {year} is filled in per fitment."""

    def __missing__(self, key):
        if key == "year":
            return "{year}"
        raise KeyError(key)


# --- Fitment -----------------------------------------------------------------------


FITMENT_COLUMNS = ("id", *FITMENT_FIELDS)


def _write_fitment(
    writer: _Writer, seed: int, made: _MadeParts, reference: _Reference, fleet: _Fleet
) -> int:
    """Each part fits a run of consecutive years of one model generation,
    for the trims and engines it suits (one engine for engine parts), and
    sometimes a sibling model of the same make and platform."""
    rng = random.Random(f"camshaft-demo:{seed}:fitment")
    random_ = rng.random
    randrange = rng.randrange
    gens = fleet.generations
    cum = fleet.generation_cum
    total = cum[-1]
    cylinders = fleet.cylinders
    lognorm = rng.lognormvariate
    kinds = reference.kinds
    next_id = 1
    bar = writer.bar(made.count, "fitment", "part")
    for chunk in _chunks(made.count, 5_000):
        rows: list[tuple] = []
        append = rows.append
        for i in chunk:
            part_id = i + 1
            info = kinds[made.kind[i]]
            kind = info.kind
            positions = info.positions[made.position[i]]
            per_cylinder = kind.quantity == "cylinders"
            quantity = 1 if per_cylinder else kind.quantity
            note = made.notes.get(part_id, "")

            g = gens[bisect.bisect(cum, random_() * total)]
            anchor_year = g.years[randrange(len(g.years))]
            configs = g.by_year[anchor_year - g.first]
            _, anchor_sub, anchor_engine = configs[randrange(len(configs))]
            engine = anchor_engine if kind.engine_specific else 0
            trims = (anchor_sub,) if random_() < kind.trim_specific else ()
            matching = sum(
                1
                for _, s, e in configs
                if (not engine or e == engine) and (not trims or s in trims)
            )
            target = lognorm(FITMENT_MU, FITMENT_SIGMA)
            span = g.last - g.first + 1
            n_years = max(1, min(span, round(target / (matching * len(positions)))))
            start = anchor_year - randrange(n_years)
            start = max(g.first, min(start, g.last - n_years + 1))
            run = range(start, start + n_years)
            row_note = note.replace("{year}", str(start)) if note else ""

            targets = [g]
            if g.siblings and random_() < SIBLING_RATE:
                targets.append(gens[g.siblings[randrange(len(g.siblings))]])
            for t in targets:
                for year in run:
                    if not t.first <= year <= t.last:
                        continue
                    for vehicle_id, s, e in t.by_year[year - t.first]:
                        if (engine and e != engine) or (trims and s not in trims):
                            continue
                        qty = cylinders[e] if per_cylinder else quantity
                        for position in positions:
                            append((next_id, part_id, vehicle_id, position, qty, row_note))
                            next_id += 1
        writer.write(Fitment, FITMENT_COLUMNS, rows)
        bar.update(len(chunk))
        bar.set_postfix(rows=f"{next_id - 1:,}", refresh=False)
    bar.close()
    return next_id - 1


# --- Stock -------------------------------------------------------------------------


def _write_stock(writer: _Writer, seed: int, made: _MadeParts, reference: _Reference) -> int:
    """Each part sits in 1-3 warehouses, likelier the big ones; about 15% of
    parts are out everywhere (special orders are never stocked)."""
    rng = random.Random(f"camshaft-demo:{seed}:stock")
    random_ = rng.random
    ids = reference.warehouse_ids
    weights = reference.warehouse_weights
    sets, set_weights = [], []
    for size, size_weight in ((1, 0.45), (2, 0.35), (3, 0.2)):
        combos = list(itertools.combinations(range(len(ids)), size))
        products = [math.prod(weights[c] for c in combo) for combo in combos]
        for combo, product in zip(combos, products, strict=True):
            sets.append(tuple(ids[c] for c in combo))
            set_weights.append(size_weight * product / sum(products))
    set_cum = list(itertools.accumulate(set_weights))
    never_stocked = made.count - sum(made.stocked)
    out_rate = max(
        0.0, (OUT_OF_STOCK_RATE * made.count - never_stocked) / max(1, sum(made.stocked))
    )
    next_id = 1
    bar = writer.bar(made.count, "stock", "part")
    for chunk in _chunks(made.count, 20_000):
        rows = []
        for i in chunk:
            if not made.stocked[i]:
                continue
            where = sets[bisect.bisect(set_cum, random_() * set_cum[-1])]
            if random_() < out_rate:
                # Sold out: half keep an empty shelf, half were never carried.
                if random_() < 0.5:
                    rows.append((next_id, i + 1, where[0], 0, 0))
                    next_id += 1
                continue
            typical = 40.0 / (1.0 + made.price[i] / 25.0)
            for warehouse_id in where:
                quantity = max(1, int(rng.lognormvariate(math.log(typical + 1), 0.9)))
                rows.append((next_id, i + 1, warehouse_id, quantity, 0))
                next_id += 1
        writer.write(
            StockLevel,
            ("id", "part_id", "warehouse_id", "quantity", "reserved"),
            rows,
        )
        bar.update(len(chunk))
    bar.close()
    return next_id - 1


def describe(report: DemoReport, write: Callable[[str], None]) -> None:
    """The summary the command prints: counts, then how long each phase took."""
    write(
        f"{report.parts:,} parts, {report.vehicles:,} vehicles, {report.fitment:,} fitment rows "
        f"({report.fitment / max(1, report.parts):.1f} per part), "
        f"{report.stock_levels:,} stock levels"
    )
    width = max(len(p) for p in report.timings)
    for phase, seconds in report.timings.items():
        write(f"  {phase:<{width}}  {seconds:8.1f} s")
    write(f"  {'total':<{width}}  {sum(report.timings.values()):8.1f} s")
