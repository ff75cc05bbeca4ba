"""Catalogue rows as the database stores them, and the fast way to append them.

The demo generator (`camshaft demo`, a million parts from word lists) and the
importer (`camshaft import`, a staff file) both fill the catalogue's tables.
They build a part's row here (its MPN key, its attributes as JSON, its
columns in the table's order) and a category's (its path and depth), name
things with one cached `slug`, and append new rows through one bulk writer:
plain tuples, no model instances, because at ten million fitment rows the
cost of each row is the cost of the load.
"""

import functools
import itertools
import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from django.db import connection, models
from django.utils.text import slugify

from camshaft.catalog.models import Category, Part, normalize_code
from camshaft.fitment.models import Fitment

SQLITE_MAX_VARIABLES = 32_766 // 2  # the limit since SQLite 3.32, with room to spare

slug = functools.lru_cache(maxsize=65_536)(slugify)

S = TypeVar("S", bound=Sequence)


def chunks(items: S, size: int) -> Iterator[S]:
    """`items` in slices of `size` (a range gives ranges, a list lists)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Rows ----------------------------------------------------------------------------
# Each builder returns a row in its table's column order (without the id,
# which the generator numbers itself and the importer leaves to the database).

PART_FIELDS = tuple(f.attname for f in Part._meta.concrete_fields if not f.primary_key)
FITMENT_FIELDS = tuple(f.attname for f in Fitment._meta.concrete_fields if not f.primary_key)


class CategoryRow(NamedTuple):
    name: str
    slug: str
    parent_id: int | None
    path: str
    depth: int


CATEGORY_FIELDS = CategoryRow._fields


def category_row(name: str, *, parent_id: int | None, parent_path: str | None) -> CategoryRow:
    """A node of the tree with the path and depth Category.save would give it."""
    node_slug = slug(name)
    path = Category.path_below(parent_path, node_slug)
    return CategoryRow(name, node_slug, parent_id, path, path.count("/"))


def part_row(
    *,
    sku: str,
    brand_id: int,
    mpn: str,
    name: str,
    description: str,
    category_id: int,
    attributes: dict[str, Any],
    price: float | Decimal,
    core_charge: float | Decimal | None,
    weight_lb: float | Decimal,
    length_in: float | Decimal,
    width_in: float | Decimal,
    height_in: float | Decimal,
    condition: str,
    returnability: str,
    freight_class: str,
    is_special_order: bool,
    is_custom_made: bool,
    is_hazardous: bool,
    is_performance: bool,
    lead_time_days: int,
    is_active: bool,
    updated_at: Any,
    mpn_key: str | None = None,
) -> tuple:
    """A part's row in PART_FIELDS order. The MPN key is derived here (a
    caller that has it already passes it); `updated_at` comes as the
    database takes it (`stored_datetime`)."""
    return (
        sku,
        brand_id,
        mpn,
        normalize_code(mpn) if mpn_key is None else mpn_key,
        name,
        description,
        category_id,
        json.dumps(attributes),
        price,
        core_charge,
        weight_lb,
        length_in,
        width_in,
        height_in,
        condition,
        returnability,
        freight_class,
        is_special_order,
        is_custom_made,
        is_hazardous,
        is_performance,
        lead_time_days,
        is_active,
        updated_at,
    )


def stored_datetime(value: Any) -> Any:
    """A datetime as this database's driver takes it in a raw statement."""
    return connection.ops.adapt_datetimefield_value(value)


# --- Writing ---------------------------------------------------------------------------


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Append `rows` (tuples in `columns` order) to `model`'s table the fastest
    way the database offers: multi-row INSERTs on SQLite, COPY on PostgreSQL.
    No instances, no signals, no save(): the rows must be complete."""
    if not rows:
        return
    connection.ensure_connection()
    raw = connection.connection
    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)
    if connection.vendor == "sqlite":
        # Hundreds of rows per INSERT run twice as fast as executemany's
        # one statement per row.
        per_statement = max(1, SQLITE_MAX_VARIABLES // len(columns))
        one = f"({', '.join('?' * len(columns))})"
        for batch in chunks(rows, per_statement):
            values = ", ".join([one] * len(batch))
            raw.execute(
                f'INSERT INTO "{table}" ({names}) VALUES {values}',  # noqa: S608 - our tables
                list(itertools.chain.from_iterable(batch)),
            )
        return
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def analyze(table_models: Sequence[type[models.Model]]) -> None:
    """Refresh the planner's statistics of tables just bulk-loaded: until
    autovacuum gets to them PostgreSQL plans as if they were nearly empty
    (a vehicle's listings took seconds, not milliseconds, at 100,000)."""
    tables = [f'"{model._meta.db_table}"' for model in table_models]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
        else:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
