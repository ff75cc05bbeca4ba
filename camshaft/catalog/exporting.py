"""Export of parts, vehicles and fitment as CSV or JSON Lines (C2).

The columns are the import's own (catalog/importing.py), so an export imports
back unchanged. Rows stream from the database in chunks through values_list,
so exporting millions of rows holds only the small lookup tables in memory.
"""

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from camshaft.catalog.importing import (
    CATEGORY_SEPARATOR,
    COLUMN_NAMES,
    FITMENT,
    FORMATS,
    IMPORT_ONLY_COLUMNS,
    KINDS,
    PART,
    PART_COLUMNS,
    VEHICLE,
)
from camshaft.catalog.models import Brand, Category, Part
from camshaft.core.spreadsheet import SafeWriter
from camshaft.fitment.models import Engine, Fitment, Make, Submodel, Vehicle, VehicleModel

CHUNK_SIZE = 5_000
CSV_FILE_NAMES = {VEHICLE: "vehicles.csv", PART: "parts.csv", FITMENT: "fitment.csv"}
PROGRESS_STEP = 1_000  # rows between progress bar updates


def category_paths() -> dict[int, str]:
    """Each category's path of names, 'Brakes > Brake Pads', by id."""
    nodes = {
        pk: (parent_id, name)
        for pk, parent_id, name in Category.objects.values_list("id", "parent_id", "name")
    }
    paths: dict[int, str] = {}

    def path(pk: int) -> str:
        if pk not in paths:
            parent_id, name = nodes[pk]
            paths[pk] = f"{path(parent_id)} {CATEGORY_SEPARATOR} {name}" if parent_id else name
        return paths[pk]

    for pk in nodes:
        path(pk)
    return paths


def _part_rows() -> Iterator[list[Any]]:
    brands = dict(Brand.objects.values_list("id", "name"))
    categories = category_paths()
    fields = [
        column.field or f"{column.name}_id"
        for column in PART_COLUMNS
        if column.name not in IMPORT_ONLY_COLUMNS
    ]
    brand_at, category_at = fields.index("brand_id"), fields.index("category_id")
    rows = Part.objects.order_by("sku").values_list(*fields)
    for values in rows.iterator(chunk_size=CHUNK_SIZE):
        row = list(values)
        row[brand_at] = brands[row[brand_at]]
        row[category_at] = categories[row[category_at]]
        yield row


def _vehicle_names() -> dict[int, tuple[int, str, str, str, str]]:
    """Every vehicle's import key in names, by id, in id order."""
    makes = dict(Make.objects.values_list("id", "name"))
    models = dict(VehicleModel.objects.values_list("id", "name"))
    submodels = dict(Submodel.objects.values_list("id", "name"))
    engines = dict(Engine.objects.values_list("id", "name"))
    rows = Vehicle.objects.order_by("id").values_list(
        "id", "year", "make_id", "model_id", "submodel_id", "engine_id"
    )
    return {
        pk: (year, makes[make], models[model], submodels[submodel], engines[engine])
        for pk, year, make, model, submodel, engine in rows.iterator(chunk_size=CHUNK_SIZE)
    }


def _vehicle_rows() -> Iterator[tuple[Any, ...]]:
    yield from _vehicle_names().values()


def _fitment_rows() -> Iterator[tuple[Any, ...]]:
    vehicles = _vehicle_names()
    rows = Fitment.objects.order_by("id").values_list(
        "part__sku", "vehicle_id", "position", "quantity", "note"
    )
    for sku, vehicle_id, position, quantity, note in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (sku, *vehicles[vehicle_id], position, quantity, note)


_ROWS: dict[str, Callable[[], Iterator[Sequence[Any]]]] = {
    PART: _part_rows,
    VEHICLE: _vehicle_rows,
    FITMENT: _fitment_rows,
}
_MODELS = {PART: Part, VEHICLE: Vehicle, FITMENT: Fitment}


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_kind(out: TextIO, *, fmt: str, kind: str, progress: bool = False) -> int:
    """Write every record of one kind to `out`; returns how many. CSV starts
    with its header row; JSON Lines tag each line with its "type"."""
    columns = tuple(name for name in COLUMN_NAMES[kind] if name not in IMPORT_ONLY_COLUMNS)
    bar = tqdm(
        total=_MODELS[kind].objects.count() if progress else None,
        desc=f"Exporting {kind}s",
        unit="row",
        disable=not progress,
    )
    count = 0
    if fmt == "csv":
        writer = SafeWriter(out, lineterminator="\n")
        writer.writerow(columns)
        for row in _ROWS[kind]():
            writer.writerow([_csv_cell(value) for value in row])
            count += 1
            if count % PROGRESS_STEP == 0:
                bar.update(PROGRESS_STEP)
    else:
        for row in _ROWS[kind]():
            record = {"type": kind, **dict(zip(columns, row, strict=True))}
            # default=str writes decimals as exact strings ("12.50"), never floats.
            out.write(json.dumps(record, ensure_ascii=False, default=str))
            out.write("\n")
            count += 1
            if count % PROGRESS_STEP == 0:
                bar.update(PROGRESS_STEP)
    bar.update(count % PROGRESS_STEP)
    bar.close()
    return count


def export(
    out: TextIO, *, fmt: str, kinds: Sequence[str] = KINDS, progress: bool = False
) -> dict[str, int]:
    """Write `kinds` to one stream: vehicles, then parts, then fitment, the
    order an import needs. A CSV stream holds a single kind."""
    if fmt == "csv" and len(kinds) != 1:
        raise ValueError("a CSV file holds one kind of record")
    return {
        kind: write_kind(out, fmt=fmt, kind=kind, progress=progress)
        for kind in KINDS
        if kind in kinds
    }


def export_csv_directory(
    directory: Path, *, kinds: Sequence[str] = KINDS, progress: bool = False
) -> dict[str, int]:
    """One CSV file per kind (vehicles.csv, parts.csv, fitment.csv) in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for kind in KINDS:
        if kind in kinds:
            with (directory / CSV_FILE_NAMES[kind]).open("w", newline="", encoding="utf-8") as out:
                counts[kind] = write_kind(out, fmt="csv", kind=kind, progress=progress)
    return counts


def format_for(path: Path | None) -> str:
    """The format a file name asks for; JSON Lines when it says nothing."""
    return FORMATS.get(path.suffix.lower(), "jsonl") if path else "jsonl"
