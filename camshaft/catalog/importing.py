"""Bulk import of parts, vehicles and fitment from CSV or JSON Lines (C2).

An import reads its file twice. The first pass checks every row and keeps only
compact keys (SKUs, vehicle keys, and fitment keys spilled to small files on
disk), so a file of ten million rows is checked in bounded memory and every
rejected row is reported before anything is written. The second pass writes in
batches inside one transaction, so a file is applied whole or not at all.
docs/import-format.md describes the columns.
"""

from __future__ import annotations

import codecs
import csv
import functools
import json
import re
import struct
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from camshaft.catalog import fetching
from camshaft.catalog import services as catalog_services
from camshaft.catalog.building import (
    FITMENT_FIELDS,
    PART_FIELDS,
    chunks,
    insert_rows,
    part_row,
    slug,
    stored_datetime,
)
from camshaft.catalog.models import Brand, Category, Part, normalize_code
from camshaft.core.spreadsheet import read_cell
from camshaft.fitment.models import (
    FIRST_MODEL_YEAR,
    Engine,
    Fitment,
    Make,
    Submodel,
    Vehicle,
    VehicleModel,
)
from camshaft.search import services as search_services

PART, VEHICLE, FITMENT = "part", "vehicle", "fitment"
# Also the order an import writes them in: fitment refers to the other two.
KINDS = (VEHICLE, PART, FITMENT)
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
# Rows per write batch; also keeps each `IN (...)` list under SQLite's
# historic limit of 999 variables.
BATCH_SIZE = 900
# Beyond this many changed parts, rebuilding the search index from scratch
# is quicker than rewriting the parts' documents one queue entry at a time.
REINDEX_QUEUE_LIMIT = 50_000
# The database's vehicle_year_plausible check refuses anything older.
MIN_YEAR = FIRST_MODEL_YEAR - 60
CATEGORY_SEPARATOR = ">"
CENT = Decimal("0.01")

VehicleKey = tuple[int, str, str, str, str]


class ImportFileError(Exception):
    """The file cannot be read at all (missing, unknown format)."""


@dataclass(frozen=True, slots=True, order=True)
class RowError:
    line: int  # 1-based line of the file; a CSV header is line 1
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportRejected(Exception):
    """Some rows were rejected, so nothing was written; `errors` says which and why."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} row(s) rejected; nothing was imported")


class InvalidRow(ValueError):
    """Why one record cannot be imported."""


# --- Reading one value -------------------------------------------------------
# Each parser takes the raw value (text from CSV; any JSON value from JSON
# Lines) and returns the clean value or raises ValueError saying what is wrong.

Parser = Callable[[Any], Any]


def _text(max_length: int | None = None) -> Parser:
    def parse(raw: Any) -> str:
        if isinstance(raw, bool | dict | list):
            raise ValueError("must be text")
        value = str(raw).strip()
        if max_length is not None and len(value) > max_length:
            raise ValueError(f"is longer than {max_length} characters")
        return value

    return parse


def _code(max_length: int) -> Parser:
    text = _text(max_length)
    return lambda raw: text(raw).upper()


def _named(max_length: int) -> Parser:
    """A name that also becomes a slug (brands, makes, models, categories)."""
    text = _text(max_length)

    def parse(raw: Any) -> str:
        value = text(raw)
        if not slug(value):
            raise ValueError(f"{value!r} has no letters or digits")
        return value

    return parse


def _decimal(max_digits: int) -> Parser:
    """A non-negative amount with at most two decimal places that fits a
    DecimalField(max_digits, decimal_places=2)."""
    limit = Decimal(10) ** (max_digits - 2)

    def parse(raw: Any) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
            raise ValueError("is not a decimal number")
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(f"{raw!r} is not a decimal number") from None
        if not value.is_finite():
            raise ValueError(f"{raw!r} is not a decimal number")
        if value < 0:
            raise ValueError(f"{value} is negative")
        if value >= limit:
            raise ValueError(f"{value} is too large (must be below {limit:,})")
        if value != value.quantize(CENT):
            raise ValueError(f"{value} has more than 2 decimal places")
        return value.quantize(CENT)

    return parse


_WHOLE_NUMBER = re.compile(r"\s*[+-]?\d+\s*")
_CHOICE_SEPARATORS = re.compile(r"[\s-]+")


def _whole_number(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and _WHOLE_NUMBER.fullmatch(raw):
        return int(raw)
    raise ValueError(f"{raw!r} is not a whole number")


def _integer(low: int, high: int) -> Parser:
    def parse(raw: Any) -> int:
        value = _whole_number(raw)
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}..{high}")
        return value

    return parse


def _year(raw: Any) -> int:
    latest = timezone.now().year + 1
    return _integer(MIN_YEAR, latest)(raw)


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | str):
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueError(f"{raw!r} is not true/false, 1/0 or yes/no")


def _choice_key(text: str) -> str:
    return _CHOICE_SEPARATORS.sub("_", text.strip().lower())


def _choice(model: type[models.Model], name: str) -> Parser:
    """One of the model field's choices; its label is accepted too, without
    regard to case, spaces or dashes ('Front left' means 'front_left'). The
    field says which values there are, so a new one is importable at once."""
    choices = model._meta.get_field(name).choices
    lookup = {}
    for value, label in choices:
        if value:
            lookup[_choice_key(str(label))] = value
            lookup[_choice_key(value)] = value
    allowed = ", ".join(value for value, _ in choices if value)

    def parse(raw: Any) -> str:
        if isinstance(raw, str) and (value := lookup.get(_choice_key(raw))):
            return value
        raise ValueError(f"{raw!r} is not one of {allowed}")

    return parse


def _plain_json(value: Any) -> Any:
    """JSON Lines are read with exact decimals for prices; attributes are
    free-form, so their numbers go back to what json gives everyone else."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _plain_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_json(item) for item in value]
    return value


def _json_object(raw: Any) -> dict:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ValueError("is not valid JSON") from None
    if not isinstance(raw, dict):
        raise ValueError("must be a JSON object")
    return _plain_json(raw)


_category_name = _named(Category._meta.get_field("name").max_length)


def _category_path(raw: Any) -> tuple[str, ...]:
    """'Brakes > Brake Pads' -> ('Brakes', 'Brake Pads')."""
    text = _text()(raw)
    names = tuple(name.strip() for name in text.split(CATEGORY_SEPARATOR))
    if not all(names):
        raise ValueError(f"{text!r} has an empty level")
    for name in names:
        _category_name(name)
    path_length = sum(len(slug(name)) for name in names) + len(names) - 1
    if path_length > Category._meta.get_field("path").max_length:
        raise ValueError(f"{text!r} is too deep or too long")
    return names


# --- Columns -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    parse: Parser
    required: bool = False
    field: str | None = None  # the model field it fills, when it maps to one
    default: Callable[[], Any] | None = None  # what a blank value means


MAX_PICTURES_PER_ROW = 10


def _picture_sources(raw: Any) -> tuple[str, ...]:
    """Pictures of a part: URLs (http or https) or file paths (relative to
    the import file's folder), separated by "|" in CSV, a list in JSON Lines."""
    if isinstance(raw, str):
        entries = raw.split("|")
    elif isinstance(raw, list) and all(isinstance(e, str) for e in raw):
        entries = raw
    else:
        raise ValueError("must be text or a list of text")
    sources = tuple(dict.fromkeys(e.strip() for e in entries if e.strip()))
    if len(sources) > MAX_PICTURES_PER_ROW:
        raise ValueError(f"at most {MAX_PICTURES_PER_ROW} pictures per part")
    for source in sources:
        if len(source) > 400:
            raise ValueError("a picture's URL or path may be at most 400 characters")
        if "://" in source:
            try:
                URLValidator(schemes=["http", "https"])(source)
            except ValidationError:
                raise ValueError(f"{source!r} is not an http(s) URL") from None
    return sources


def _model_column(
    model: type[models.Model],
    name: str,
    parse: Parser,
    *,
    field: str | None = None,
    required: bool = False,
) -> Column:
    model_field = model._meta.get_field(field or name)
    return Column(name, parse, required, model_field.name, model_field.get_default)


def _max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


PART_COLUMNS = (
    _model_column(Part, "sku", _code(_max_length(Part, "sku")), required=True),
    Column("brand", _named(_max_length(Brand, "name")), required=True),
    _model_column(Part, "mpn", _text(_max_length(Part, "mpn")), required=True),
    _model_column(Part, "name", _text(_max_length(Part, "name")), required=True),
    _model_column(Part, "description", _text()),
    Column("category", _category_path, required=True),
    _model_column(Part, "price", _decimal(12), required=True),
    _model_column(Part, "core_charge", _decimal(12)),
    _model_column(Part, "weight_lb", _decimal(8)),
    _model_column(Part, "length_in", _decimal(7)),
    _model_column(Part, "width_in", _decimal(7)),
    _model_column(Part, "height_in", _decimal(7)),
    _model_column(Part, "condition", _choice(Part, "condition")),
    _model_column(Part, "returnability", _choice(Part, "returnability")),
    _model_column(Part, "freight_class", _choice(Part, "freight_class")),
    _model_column(Part, "special_order", _boolean, field="is_special_order"),
    _model_column(Part, "custom_made", _boolean, field="is_custom_made"),
    _model_column(Part, "hazardous", _boolean, field="is_hazardous"),
    _model_column(Part, "performance", _boolean, field="is_performance"),
    _model_column(Part, "lead_time_days", _integer(0, 32_767)),
    _model_column(Part, "active", _boolean, field="is_active"),
    _model_column(Part, "attributes", _json_object),
    Column("images", _picture_sources),
)
VEHICLE_COLUMNS = (
    Column("year", _year, required=True),
    Column("make", _named(_max_length(Make, "name")), required=True),
    Column("model", _named(_max_length(VehicleModel, "name")), required=True),
    Column("submodel", _named(_max_length(Submodel, "name")), required=True),
    Column("engine", _named(_max_length(Engine, "name")), required=True),
)
FITMENT_COLUMNS = (
    Column("sku", _code(_max_length(Part, "sku")), required=True),
    *VEHICLE_COLUMNS,
    _model_column(Fitment, "position", _choice(Fitment, "position")),
    _model_column(Fitment, "quantity", _integer(1, 99)),
    _model_column(Fitment, "note", _text(_max_length(Fitment, "note"))),
)
COLUMNS = {PART: PART_COLUMNS, VEHICLE: VEHICLE_COLUMNS, FITMENT: FITMENT_COLUMNS}
# Read by an import, not written by an export: pictures travel as files.
IMPORT_ONLY_COLUMNS = frozenset({"images"})
COLUMN_NAMES = {kind: tuple(c.name for c in columns) for kind, columns in COLUMNS.items()}
REQUIRED_COLUMNS = {
    kind: frozenset(c.name for c in columns if c.required) for kind, columns in COLUMNS.items()
}


# --- Rows ------------------------------------------------------------------------


class VehicleNames(NamedTuple):
    year: int
    make: str
    model: str
    submodel: str
    engine: str

    def key(self) -> VehicleKey:
        return _vehicle_key(self)

    def __str__(self) -> str:
        return f"{self.year} {self.make} {self.model} {self.submodel} {self.engine}"


@functools.lru_cache(maxsize=65_536)
def _vehicle_key(names: VehicleNames) -> VehicleKey:
    """Two rows of a file name the same vehicle when their makes and models
    have the same slug and their submodels and engines the same name, without
    regard to case. (_VehicleIndex matches names to the catalogue's rows.)"""
    return (
        names.year,
        slug(names.make),
        slug(names.model),
        names.submodel.casefold(),
        names.engine.casefold(),
    )


@dataclass(frozen=True, slots=True)
class PartRow:
    line: int
    sku: str
    values: dict[str, Any]  # by column name; only the columns the file gives


@dataclass(frozen=True, slots=True)
class VehicleRow:
    line: int
    vehicle: VehicleNames


@dataclass(frozen=True, slots=True)
class FitmentRow:
    line: int
    sku: str
    vehicle: VehicleNames
    position: str
    values: dict[str, Any]  # quantity and note, when the file gives them


Row = PartRow | VehicleRow | FitmentRow


@dataclass(frozen=True, slots=True)
class Record:
    """One row as read from the file, before its values are checked."""

    line: int
    kind: str
    data: dict[str, Any]


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_values(columns: Iterable[Column], data: dict[str, Any]) -> dict[str, Any]:
    """Clean values by column name. A blank value means the column's default;
    a column the record leaves out is not in the result at all."""
    values: dict[str, Any] = {}
    problems = []
    for column in columns:
        raw = data.get(column.name)
        if _is_blank(raw):
            if column.required:
                problems.append(f"missing required field {column.name!r}")
            elif column.name in data:
                values[column.name] = column.default() if column.default else None
            continue
        try:
            values[column.name] = column.parse(raw)
        except ValueError as exc:
            problems.append(f"{column.name}: {exc}")
    if problems:
        raise InvalidRow("; ".join(problems))
    return values


def parse_record(record: Record) -> Row:
    """A typed row from a record; InvalidRow lists every problem in it."""
    if record.kind == PART:
        values = parse_values(PART_COLUMNS, record.data)
        return PartRow(record.line, values["sku"], values)
    problems = []
    # With the types, so that JSON's true is not taken for a cached 1.
    raw_vehicle = tuple((type(raw), raw) for raw in map(record.data.get, COLUMN_NAMES[VEHICLE]))
    try:
        vehicle = _parse_vehicle(raw_vehicle)
    except TypeError:  # an unhashable JSON value; it is rejected, just not cached
        vehicle = _parse_vehicle.__wrapped__(raw_vehicle)
    except InvalidRow as exc:
        problems.append(str(exc))
    if record.kind == VEHICLE:
        if problems:
            raise InvalidRow(problems[0])
        return VehicleRow(record.line, vehicle)
    try:
        values = parse_values(_FITMENT_OWN_COLUMNS, record.data)
    except InvalidRow as exc:
        problems.append(str(exc))
    if problems:
        raise InvalidRow("; ".join(problems))
    sku = values.pop("sku")
    position = values.pop("position", _NO_POSITION)
    return FitmentRow(record.line, sku, vehicle, position, values)


_FITMENT_OWN_COLUMNS = tuple(c for c in FITMENT_COLUMNS if c not in VEHICLE_COLUMNS)
_NO_POSITION = Fitment._meta.get_field("position").get_default()


@functools.lru_cache(maxsize=65_536)
def _parse_vehicle(typed_raw: tuple[tuple[type, Any], ...]) -> VehicleNames:
    """Fitment files name the same few thousand vehicles over and over."""
    raw = (value for _, value in typed_raw)
    values = parse_values(VEHICLE_COLUMNS, dict(zip(COLUMN_NAMES[VEHICLE], raw, strict=True)))
    return VehicleNames(**values)


def match_header(header: list[str], kind: str | None = None) -> tuple[str, list[str]]:
    """The record kind a CSV header row announces, and its column names."""
    columns = [name.strip().lower() for name in header]
    counts = Counter(columns)
    if repeated := sorted(name for name, n in counts.items() if n > 1):
        raise InvalidRow(f"wrong column set: repeated column(s) {', '.join(repeated)}")

    def mismatch(candidate: str) -> tuple[list[str], list[str]]:
        missing = sorted(REQUIRED_COLUMNS[candidate] - counts.keys())
        unknown = sorted(counts.keys() - set(COLUMN_NAMES[candidate]))
        return missing, unknown

    candidates = [kind] if kind else list(KINDS)
    best = min(candidates, key=lambda candidate: sum(map(len, mismatch(candidate))))
    missing, unknown = mismatch(best)
    if not missing and not unknown:
        return best, columns
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    hint = "" if kind else " (the closest kind)"
    raise InvalidRow(f"wrong column set for {best} records{hint}: {'; '.join(problems)}")


# --- Reading the file ------------------------------------------------------------


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMATS.values():
            raise ImportFileError(f"unknown format {fmt!r}; use csv or jsonl")
        return fmt
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise ImportFileError(
            f"cannot tell the format of {path.name}: name it .csv, .jsonl or .ndjson, "
            "or give --format"
        ) from None


class _Source:
    """A file of records that can be read more than once, with a progress bar."""

    PROGRESS_STEP = 1 << 20  # bytes between progress bar updates

    def __init__(self, path: Path, *, fmt: str | None, kind: str | None, progress: bool):
        if kind is not None and kind not in KINDS:
            raise ImportFileError(f"unknown kind {kind!r}; use part, vehicle or fitment")
        if not path.is_file():
            raise ImportFileError(f"no such file: {path}")
        self.path = path
        self.fmt = detect_format(path, fmt)
        self.kind = kind
        self.progress = progress

    def records(
        self, desc: str, spans: list[list[int]] | None = None
    ) -> Iterator[Record | RowError]:
        """Every record, or with `spans` only those on these lines ([first,
        last] runs, JSON Lines only: a CSV file holds one kind anyway)."""
        bar = tqdm(
            total=self.path.stat().st_size,
            desc=desc,
            unit="B",
            unit_scale=True,
            disable=not self.progress,
        )
        try:
            if self.fmt == "csv":
                yield from self._csv(bar)
            else:
                yield from self._jsonl(bar, spans)
        finally:
            bar.close()

    def rows(self, desc: str, kind: str, check: FileCheck) -> Iterator[Row]:
        """The rows of one kind, for a file that has passed its check."""
        for item in self.records(desc, check.spans.get(kind)):
            if isinstance(item, RowError):
                raise ImportRejected([item])  # the file changed since it was checked
            if item.kind == kind:
                try:
                    yield parse_record(item)
                except InvalidRow as exc:
                    raise ImportRejected([RowError(item.line, str(exc))]) from exc

    def _lines(self, bar: tqdm, bad: set[int]) -> Iterator[str]:
        """Decoded lines; the numbers of lines that are not UTF-8 go to `bad`."""
        pending = 0
        with self.path.open("rb") as file:
            for number, raw in enumerate(file, start=1):
                pending += len(raw)
                if pending >= self.PROGRESS_STEP:
                    bar.update(pending)
                    pending = 0
                if number == 1:
                    raw = raw.removeprefix(codecs.BOM_UTF8)
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError:
                    bad.add(number)
                    yield raw.decode("utf-8", errors="replace")
        bar.update(pending)

    def _csv(self, bar: tqdm) -> Iterator[Record | RowError]:
        bad: set[int] = set()
        reader = csv.reader(self._lines(bar, bad))
        try:
            header = next(reader, None)
        except csv.Error as exc:
            yield RowError(1, f"malformed CSV header: {exc}")
            return
        if header is None:
            yield RowError(1, "the file is empty; a CSV file starts with a header row")
            return
        try:
            kind, columns = match_header(header, self.kind)
        except InvalidRow as exc:
            yield RowError(1, str(exc))
            return
        end = reader.line_num
        while True:
            start = end + 1  # a quoted value may span lines; a record starts here
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                end = reader.line_num
                yield RowError(start, f"malformed CSV: {exc}")
                continue
            end = reader.line_num
            if not values:
                continue
            if bad and any(number in bad for number in range(start, end + 1)):
                yield RowError(start, "not valid UTF-8 text")
            elif len(values) != len(columns):
                yield RowError(start, f"{len(values)} values for {len(columns)} columns")
            else:
                cells = [read_cell(value) for value in values]
                yield Record(start, kind, dict(zip(columns, cells, strict=True)))

    def _jsonl(self, bar: tqdm, spans: list[list[int]] | None) -> Iterator[Record | RowError]:
        bad: set[int] = set()
        wanted = iter(spans) if spans is not None else None
        span = next(wanted, None) if wanted is not None else None
        for number, text in enumerate(self._lines(bar, bad), start=1):
            if wanted is not None:
                while span is not None and number > span[1]:
                    span = next(wanted, None)
                if span is None:
                    break
                if number < span[0]:
                    continue  # another kind's line: not worth parsing
            if not text.strip():
                continue
            if number in bad:
                yield RowError(number, "not valid UTF-8 text")
                continue
            try:
                data = json.loads(text, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                yield RowError(number, f"malformed JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(data, dict):
                yield RowError(number, "not a JSON object")
                continue
            kind = data.pop("type", None) or self.kind
            if kind not in KINDS:
                found = "missing" if kind is None else f"{kind!r}"
                yield RowError(number, f'"type" must be part, vehicle or fitment, not {found}')
                continue
            if self.kind and kind != self.kind:
                yield RowError(number, f"a {kind} record in an import of {self.kind} records")
                continue
            if unknown := sorted(data.keys() - set(COLUMN_NAMES[kind])):
                yield RowError(number, f"unknown field(s) for a {kind}: {', '.join(unknown)}")
                continue
            yield Record(number, kind, data)


# --- Pass one: checking ----------------------------------------------------------


class _RepeatFinder:
    """Finds fitment keys given twice among tens of millions of rows without
    holding them all in memory: (key, line) records go to buckets by key,
    buckets spill to temporary files, and each bucket is checked on its own."""

    BUCKETS = 64
    SPILL_BYTES = 256 * 1024
    RECORD = struct.Struct("<IIQ")  # sku index, vehicle-and-position index, line

    def __init__(self) -> None:
        self._buffers = [bytearray() for _ in range(self.BUCKETS)]
        self._dir: tempfile.TemporaryDirectory | None = None

    def add(self, sku_index: int, vehicle_position: int, line: int) -> None:
        bucket = hash((sku_index, vehicle_position)) % self.BUCKETS
        buffer = self._buffers[bucket]
        buffer += self.RECORD.pack(sku_index, vehicle_position, line)
        if len(buffer) >= self.SPILL_BYTES:
            with self._bucket_path(bucket).open("ab") as file:
                file.write(buffer)
            buffer.clear()

    def repeats(self) -> Iterator[tuple[int, int]]:
        """(line, first line) for every key that was given before."""
        try:
            for bucket in range(self.BUCKETS):
                data = bytearray()
                if self._dir and (path := self._bucket_path(bucket)).exists():
                    data += path.read_bytes()
                data += self._buffers[bucket]
                first: dict[tuple[int, int], int] = {}
                for sku_index, vehicle_position, line in self.RECORD.iter_unpack(data):
                    earlier = first.setdefault((sku_index, vehicle_position), line)
                    if earlier != line:
                        yield line, earlier
        finally:
            if self._dir:
                self._dir.cleanup()

    def _bucket_path(self, bucket: int) -> Path:
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="camshaft-import-")
        return Path(self._dir.name, str(bucket))


_POSITION_INDEX = {
    value: index for index, (value, _) in enumerate(Fitment._meta.get_field("position").choices)
}
_POSITION_SLOTS = 16


@dataclass
class FileCheck:
    """What checking a file found: rows by kind and the rejected rows."""

    rows: Counter = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    # Runs of lines [first, last] holding one kind and no other, so writing a
    # kind from a mixed JSON Lines file parses only that kind's lines again.
    spans: dict[str, list[list[int]]] = field(default_factory=dict, repr=False)


class _Census:
    """Pass one's memory: compact keys only, never whole rows."""

    def __init__(self) -> None:
        self.check = FileCheck()
        self.part_lines: dict[str, int] = {}
        self.vehicle_lines: dict[VehicleKey, int] = {}
        self.fitment_skus: dict[str, int] = {}  # SKU -> dense index for packed keys
        self.fitment_vehicles: dict[VehicleKey, int] = {}  # key -> dense index
        self.fitment_vehicle_names: list[VehicleNames] = []  # by that index
        self.repeats = _RepeatFinder()
        self._last_kind: str | None = None

    def reject(self, line: int, reason: str) -> None:
        self.check.errors.append(RowError(line, reason))

    def add(self, kind: str, row: Row) -> None:
        spans = self.check.spans.setdefault(kind, [])
        if kind == self._last_kind:
            spans[-1][1] = row.line
        else:
            spans.append([row.line, row.line])
            self._last_kind = kind
        if isinstance(row, PartRow):
            self.check.rows[PART] += 1
            first = self.part_lines.setdefault(row.sku, row.line)
            if first != row.line:
                self.reject(row.line, f"duplicate SKU {row.sku} (first given on line {first})")
        elif isinstance(row, VehicleRow):
            self.check.rows[VEHICLE] += 1
            first = self.vehicle_lines.setdefault(row.vehicle.key(), row.line)
            if first != row.line:
                self.reject(row.line, f"duplicate vehicle {row.vehicle} (first on line {first})")
        else:
            self.check.rows[FITMENT] += 1
            sku_index = self.fitment_skus.setdefault(row.sku, len(self.fitment_skus))
            key = row.vehicle.key()
            vehicle_index = self.fitment_vehicles.setdefault(key, len(self.fitment_vehicles))
            if vehicle_index == len(self.fitment_vehicle_names):
                self.fitment_vehicle_names.append(row.vehicle)
            position = vehicle_index * _POSITION_SLOTS + _POSITION_INDEX[row.position]
            self.repeats.add(sku_index, position, row.line)

    def finish(self, source: _Source) -> FileCheck:
        for line, first in self.repeats.repeats():
            self.reject(line, f"duplicate fitment: same SKU, vehicle and position as line {first}")
        unknown_skus = self._unknown_skus()
        unknown_vehicles = self._unknown_vehicles()
        if unknown_skus or unknown_vehicles:
            self._reject_references(source, unknown_skus, unknown_vehicles)
        by_line: dict[int, list[str]] = {}
        for error in self.check.errors:
            by_line.setdefault(error.line, []).append(error.reason)
        self.check.errors = [
            RowError(line, "; ".join(reasons)) for line, reasons in sorted(by_line.items())
        ]
        return self.check

    def _unknown_skus(self) -> set[str]:
        outside = [sku for sku in self.fitment_skus if sku not in self.part_lines]
        known: set[str] = set()
        for chunk in chunks(outside, BATCH_SIZE):
            known.update(Part.objects.filter(sku__in=chunk).values_list("sku", flat=True))
        return set(outside) - known

    def _unknown_vehicles(self) -> set[VehicleKey]:
        outside = [key for key in self.fitment_vehicles if key not in self.vehicle_lines]
        if not outside:
            return set()
        index = _VehicleIndex()
        names = self.fitment_vehicle_names
        return {key for key in outside if index.find(names[self.fitment_vehicles[key]]) is None}

    def _reject_references(
        self, source: _Source, skus: set[str], vehicles: set[VehicleKey]
    ) -> None:
        """Name every fitment row that refers to something unknown: a second
        read, needed only when the file has such rows."""
        for item in source.records("Checking references"):
            if not isinstance(item, Record) or item.kind != FITMENT:
                continue
            try:
                row = parse_record(item)
            except InvalidRow:
                continue  # reported by the first read
            if row.sku in skus:
                self.reject(row.line, f"SKU {row.sku} is neither in the catalogue nor in the file")
            if row.vehicle.key() in vehicles:
                self.reject(
                    row.line, f"vehicle {row.vehicle} is neither in the catalogue nor in the file"
                )


class _NameIndex:
    """Ids of a small table's rows by name, without regard to case, and by
    slug: the keys its unique constraints use, so a row found here is never
    made twice. `scope` is the parent (a model's make, a category's parent)."""

    def __init__(self, rows: Iterable[tuple[int, Any, str, str | None]] = ()):
        self._ids: dict[tuple[Any, str, str], int] = {}
        for pk, scope, name, row_slug in rows:
            self.add(pk, scope, name, row_slug)

    def add(self, pk: int, scope: Any, name: str, row_slug: str | None = None) -> None:
        self._ids.setdefault((scope, "name", name.casefold()), pk)
        if row_slug is not None:
            self._ids.setdefault((scope, "slug", row_slug), pk)

    def find(self, scope: Any, name: str) -> int | None:
        pk = self._ids.get((scope, "name", name.casefold()))
        return pk if pk is not None else self._ids.get((scope, "slug", slug(name)))


class _VehicleIndex:
    """Every vehicle by its database key (year, model, submodel, engine), and
    the names that lead there. The vehicle table is small (tens or hundreds
    of thousands of rows) next to parts and fitment, so it is loaded whole."""

    def __init__(self) -> None:
        self.makes = _NameIndex(
            (pk, None, name, make_slug)
            for pk, name, make_slug in Make.objects.values_list("id", "name", "slug")
        )
        self.models = _NameIndex(VehicleModel.objects.values_list("id", "make_id", "name", "slug"))
        self.submodels = _NameIndex(
            (pk, None, name, None) for pk, name in Submodel.objects.values_list("id", "name")
        )
        self.engines = _NameIndex(
            (pk, None, name, None) for pk, name in Engine.objects.values_list("id", "name")
        )
        rows = Vehicle.objects.order_by().values_list(
            "id", "year", "model_id", "submodel_id", "engine_id"
        )
        self.vehicles = {
            (year, model, submodel, engine): pk
            for pk, year, model, submodel, engine in rows.iterator(chunk_size=10_000)
        }

    def find(self, names: VehicleNames) -> int | None:
        """The vehicle's id, or None when it is not in the catalogue."""
        make_id = self.makes.find(None, names.make)
        model_id = self.models.find(make_id, names.model) if make_id else None
        submodel_id = self.submodels.find(None, names.submodel)
        engine_id = self.engines.find(None, names.engine)
        return self.vehicles.get((names.year, model_id, submodel_id, engine_id))

    def ensure_ids(self, names: VehicleNames) -> tuple[int, int, int, int]:
        """(make, model, submodel, engine) ids, making the rows that are missing."""
        make_id = self.makes.find(None, names.make)
        if make_id is None:
            make_id = Make.objects.create(name=names.make, slug=slug(names.make)).pk
            self.makes.add(make_id, None, names.make, slug(names.make))
        model_id = self.models.find(make_id, names.model)
        if model_id is None:
            model_slug = slug(names.model)
            model_id = VehicleModel.objects.create(
                make_id=make_id, name=names.model, slug=model_slug
            ).pk
            self.models.add(model_id, make_id, names.model, model_slug)
        submodel_id = self.submodels.find(None, names.submodel)
        if submodel_id is None:
            submodel_id = Submodel.objects.create(name=names.submodel).pk
            self.submodels.add(submodel_id, None, names.submodel)
        engine_id = self.engines.find(None, names.engine)
        if engine_id is None:
            engine_id = Engine.objects.create(name=names.engine).pk
            self.engines.add(engine_id, None, names.engine)
        return make_id, model_id, submodel_id, engine_id


def _check(source: _Source) -> FileCheck:
    census = _Census()
    for item in source.records("Checking"):
        if isinstance(item, RowError):
            census.check.errors.append(item)
            continue
        try:
            row = parse_record(item)
        except InvalidRow as exc:
            census.reject(item.line, str(exc))
            continue
        census.add(item.kind, row)
    return census.finish(source)


def check_file(
    path: str | Path, *, fmt: str | None = None, kind: str | None = None, progress: bool = False
) -> FileCheck:
    """Check a file without writing anything (`camshaft import --dry-run`)."""
    source = _Source(Path(path), fmt=fmt, kind=kind, progress=progress)
    return _check(source)


# --- Pass two: writing -----------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class _ChangedParts:
    """Ids of parts whose search documents the import made stale, until
    there are so many that rebuilding the whole index is the better deal."""

    def __init__(self, limit: int):
        self.limit = limit
        self.ids: set[int] = set()
        self.overflowed = False

    def add(self, ids: Iterable[int]) -> None:
        if self.overflowed:
            return
        self.ids.update(ids)
        if len(self.ids) > self.limit:
            self.overflowed = True
            self.ids.clear()


_PART_FIELDS = {c.name: c.field for c in PART_COLUMNS if c.field and c.name != "sku"}
PICTURE_JOB_SIZE = 100  # parts per picture-fetching task


class _Writer:
    """Applies checked rows in batches, inside the import's transaction:
    one lookup query and at most one batched insert and one batched update
    per batch."""

    def __init__(self, changed: _ChangedParts, folder: Path):
        self.changed = changed
        self.folder = folder  # where relative picture paths start
        self.picture_jobs: list[list] = []
        self.counts = {kind: Counts() for kind in KINDS}
        self._vehicles: _VehicleIndex | None = None
        self._vehicle_ids: dict[VehicleKey, int] = {}  # by import key, for fitment
        self._brands: _NameIndex | None = None
        self._categories = _NameIndex()
        self._category_nodes: dict[int, Category] = {}
        self._category_paths: dict[tuple[str, ...], int] = {}

    def write(self, kind: str, rows: Iterable[Row]) -> None:
        write_batch = {
            VEHICLE: self._write_vehicles,
            PART: self._write_parts,
            FITMENT: self._write_fitment,
        }[kind]
        batch: list = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH_SIZE:
                write_batch(batch)
                batch = []
        if batch:
            write_batch(batch)

    @property
    def vehicles(self) -> _VehicleIndex:
        if self._vehicles is None:
            self._vehicles = _VehicleIndex()
        return self._vehicles

    def vehicle_id(self, names: VehicleNames) -> int | None:
        key = names.key()
        if (pk := self._vehicle_ids.get(key)) is None:
            pk = self.vehicles.find(names)
            if pk is not None:
                self._vehicle_ids[key] = pk
        return pk

    # Vehicles ------------------------------------------------------------------

    def _write_vehicles(self, batch: list[VehicleRow]) -> None:
        counts = self.counts[VEHICLE]
        new: dict[tuple[int, int, int, int], Vehicle] = {}
        for row in batch:
            make_id, model_id, submodel_id, engine_id = self.vehicles.ensure_ids(row.vehicle)
            key = (row.vehicle.year, model_id, submodel_id, engine_id)
            if key in self.vehicles.vehicles or key in new:
                counts.unchanged += 1
                continue
            new[key] = Vehicle(
                year=row.vehicle.year,
                make_id=make_id,
                model_id=model_id,
                submodel_id=submodel_id,
                engine_id=engine_id,
            )
        Vehicle.objects.bulk_create(new.values())
        self.vehicles.vehicles.update((key, vehicle.pk) for key, vehicle in new.items())
        counts.created += len(new)

    # Parts ---------------------------------------------------------------------

    def _write_parts(self, batch: list[PartRow]) -> None:
        if self._brands is None:
            self._brands = _NameIndex(
                (pk, None, name, brand_slug)
                for pk, name, brand_slug in Brand.objects.values_list("id", "name", "slug")
            )
            for category in Category.objects.only("id", "parent_id", "name", "slug", "path"):
                self._categories.add(category.pk, category.parent_id, category.name, category.slug)
                self._category_nodes[category.pk] = category
        counts = self.counts[PART]
        existing = {
            part["sku"]: part
            for part in Part.objects.filter(sku__in=[row.sku for row in batch]).values(
                "id", *PART_FIELDS
            )
        }
        now = timezone.now()
        stored_now = stored_datetime(now)
        created: list[tuple] = []
        created_skus: list[str] = []
        updated: list[dict[str, Any]] = []
        fields: set[str] = set()
        for row in batch:
            values = self._part_values(row)
            part = existing.get(row.sku)
            if part is None:
                new = {**_PART_DEFAULTS, **values, "sku": row.sku, "updated_at": stored_now}
                created.append(part_row(**new))
                created_skus.append(row.sku)
                continue
            changes = {name for name, value in values.items() if part[name] != value}
            if not changes:
                counts.unchanged += 1
                continue
            part.update(values, updated_at=now)
            fields.update(changes)
            updated.append(part)
        insert_rows(Part, PART_FIELDS, created)
        _update_rows(Part, [*sorted(fields), "updated_at"], updated)
        counts.created += len(created)
        counts.updated += len(updated)
        if created and not self.changed.overflowed:
            ids = Part.objects.filter(sku__in=created_skus).values_list("id", flat=True)
            self.changed.add(ids)
        self.changed.add(part["id"] for part in updated)
        self._queue_pictures(batch)

    def _queue_pictures(self, batch: list[PartRow]) -> None:
        """Pictures are fetched by the worker after the import commits."""
        wanted = {row.sku: row.values["images"] for row in batch if row.values.get("images")}
        if not wanted:
            return
        ids = dict(Part.objects.filter(sku__in=wanted).values_list("sku", "id"))
        for sku, sources in wanted.items():
            where = [s if fetching.is_url(s) else str(self.folder / s) for s in sources]
            self.picture_jobs.append([ids[sku], where])

    def _part_values(self, row: PartRow) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for column, value in row.values.items():
            if column == "brand":
                values["brand_id"] = self._brand(value)
            elif column == "category":
                values["category_id"] = self._category(value)
            elif column not in ("sku", "images"):
                values[_PART_FIELDS[column]] = value
        values["mpn_key"] = normalize_code(values["mpn"])
        return values

    def _brand(self, name: str) -> int:
        assert self._brands is not None
        if (pk := self._brands.find(None, name)) is None:
            pk = Brand.objects.create(name=name, slug=slug(name)).pk
            self._brands.add(pk, None, name, slug(name))
        return pk

    def _category(self, names: tuple[str, ...]) -> int:
        if (pk := self._category_paths.get(names)) is not None:
            return pk
        parent: Category | None = None
        for name in names:
            parent_id = parent.pk if parent else None
            pk = self._categories.find(parent_id, name)
            if pk is None:
                node = Category(name=name, slug=slug(name), parent=parent)
                node.save()
                self._categories.add(node.pk, parent_id, name, node.slug)
                self._category_nodes[node.pk] = node
                pk = node.pk
            parent = self._category_nodes[pk]
        assert parent is not None
        self._category_paths[names] = parent.pk
        return parent.pk

    # Fitment -------------------------------------------------------------------

    def _write_fitment(self, batch: list[FitmentRow]) -> None:
        counts = self.counts[FITMENT]
        part_ids = dict(
            Part.objects.filter(sku__in={row.sku for row in batch}).values_list("sku", "id")
        )
        resolved = []
        for row in batch:
            part_id = part_ids.get(row.sku)
            vehicle_id = self.vehicle_id(row.vehicle)
            if part_id is None or vehicle_id is None:  # deleted since the check
                missing = f"SKU {row.sku}" if part_id is None else f"vehicle {row.vehicle}"
                raise ImportRejected(
                    [RowError(row.line, f"{missing} is no longer in the catalogue")]
                )
            resolved.append((part_id, vehicle_id, row))
        # By part alone: one index range per part, where adding `vehicle IN (...)`
        # would make SQLite probe every part-vehicle pair.
        existing = {
            (fitment["part_id"], fitment["vehicle_id"], fitment["position"]): fitment
            for fitment in Fitment.objects.filter(part_id__in=set(part_ids.values())).values(
                "id", "part_id", "vehicle_id", "position", "quantity", "note"
            )
        }
        created: list[dict[str, Any]] = []
        updated: list[dict[str, Any]] = []
        fields: set[str] = set()
        for part_id, vehicle_id, row in resolved:
            fitment = existing.get((part_id, vehicle_id, row.position))
            if fitment is None:
                created.append(
                    {
                        **_FITMENT_DEFAULTS,
                        **row.values,
                        "part_id": part_id,
                        "vehicle_id": vehicle_id,
                        "position": row.position,
                    }
                )
                continue
            changes = {name for name, value in row.values.items() if fitment[name] != value}
            if not changes:
                counts.unchanged += 1
                continue
            fitment.update(row.values)
            fields.update(changes)
            updated.append(fitment)
        insert_rows(Fitment, FITMENT_FIELDS, [tuple(map(f.get, FITMENT_FIELDS)) for f in created])
        _update_rows(Fitment, sorted(fields), updated)
        counts.created += len(created)
        counts.updated += len(updated)
        self.changed.add(fitment["part_id"] for fitment in created + updated)


# New rows go through catalog.building's bulk writer, as the demo's do.
# Changed rows are raw batched updates, one prepared UPDATE run by
# executemany: no model instances, which counts at ten million rows. Values
# go through each field's get_db_prep_save unless the driver takes the
# Python value as it is.
_PLAIN_FIELD_TYPES = frozenset(
    {
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DecimalField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)


def _defaults(model: type[models.Model]) -> dict[str, Any]:
    """What a new row gets for a column the file leaves out ('' for text,
    None for nullable fields, else the field's default)."""
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


_PART_DEFAULTS = _defaults(Part)
_FITMENT_DEFAULTS = _defaults(Fitment)


def _preparers(model: type[models.Model], names: Iterable[str]) -> list[Callable | None]:
    preparers: list[Callable | None] = []
    for name in names:
        model_field = next(f for f in model._meta.concrete_fields if f.attname == name)
        plain = model_field.get_internal_type() in _PLAIN_FIELD_TYPES
        preparers.append(
            None
            if plain
            else functools.partial(model_field.get_db_prep_save, connection=connection)
        )
    return preparers


def _prepared(rows: list[dict[str, Any]], names: list[str], preparers: list) -> Iterator[tuple]:
    for row in rows:
        yield tuple(
            row[name] if prepare is None else prepare(row[name])
            for name, prepare in zip(names, preparers, strict=True)
        )


def _update_rows(model: type[models.Model], names: Iterable[str], rows: list[dict]) -> None:
    """UPDATE `names` of `rows` (dicts by attname, with "id") in one prepared statement."""
    if not rows:
        return
    names = list(names)
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model
        quote(model._meta.db_table),
        ", ".join(f"{quote(model._meta.get_field(name).column)} = %s" for name in names),
        quote(model._meta.pk.column),
    )
    params = [
        (*values, row["id"])
        for values, row in zip(_prepared(rows, names, _preparers(model, names)), rows, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# --- The use-case ----------------------------------------------------------------


def _fetch_pictures(jobs: list[list]) -> None:
    catalog_services.fetch_part_images.enqueue(jobs)


@dataclass
class ImportReport:
    counts: dict[str, Counts]
    search: str  # how the search index catches up: "queued" or "rebuilt"
    pictures: int = 0  # parts whose pictures the worker fetches

    def summary(self) -> list[str]:
        labels = {VEHICLE: "Vehicles", PART: "Parts", FITMENT: "Fitment rows"}
        lines = [
            f"{labels[kind]}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged"
            for kind, c in self.counts.items()
            if c.total
        ]
        if self.pictures:
            lines.append(f"Pictures: the worker fetches those of {self.pictures} part(s)")
        return lines


def import_file(
    path: str | Path, *, fmt: str | None = None, kind: str | None = None, progress: bool = False
) -> ImportReport:
    """Upsert the parts, vehicles and fitment in a CSV or JSON Lines file (C2).

    Every row is checked first; if any is rejected, ImportRejected lists them
    all and nothing is written. Otherwise the whole file is written in one
    transaction, so a failure part-way leaves the catalogue as it was.
    Importing the same file again changes nothing."""
    source = _Source(Path(path), fmt=fmt, kind=kind, progress=progress)
    check = _check(source)
    if check.errors:
        raise ImportRejected(check.errors)
    changed = _ChangedParts(REINDEX_QUEUE_LIMIT)
    with transaction.atomic():
        writer = _Writer(changed, source.path.resolve().parent)
        for record_kind in KINDS:
            if check.rows[record_kind]:
                rows = source.rows(f"Writing {record_kind}s", record_kind, check)
                writer.write(record_kind, rows)
        if not changed.overflowed:
            search_services.queue_reindex(sorted(changed.ids))
        for jobs in chunks(writer.picture_jobs, PICTURE_JOB_SIZE):
            transaction.on_commit(functools.partial(_fetch_pictures, list(jobs)))
    if changed.overflowed:
        # After the commit: the rebuild reads the database, and a rebuild of a
        # million parts should not hold the import's transaction open.
        search_services.rebuild_index(progress=progress)
    return ImportReport(
        writer.counts,
        "rebuilt" if changed.overflowed else "queued",
        len(writer.picture_jobs),
    )
