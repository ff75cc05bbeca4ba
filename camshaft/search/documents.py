"""Turning catalogue rows into search documents, in batches, without N+1."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import tantivy
from django.db import connection

from camshaft.catalog.models import Category
from camshaft.search.sources import CONDITIONS, PART_KIND


@dataclass(slots=True)
class PartDoc:
    pid: int
    name: str
    keywords: list[str]
    body: str
    category_id: int
    brand_id: int
    price_cents: int
    in_stock: bool
    vehicle_ids: list[int] = field(default_factory=list)
    condition: str = "new"  # a key of sources.CONDITIONS

    def to_tantivy(self, category_tree: dict[int, tuple[int, ...]]) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_unsigned("kind", PART_KIND)
        doc.add_unsigned("condition", CONDITIONS[self.condition])
        doc.add_unsigned("pid", self.pid)
        doc.add_text("name", self.name)
        doc.add_text("words", self.name)
        doc.add_text("keywords", " ".join(self.keywords))
        if self.body:
            doc.add_text("body", self.body)
        doc.add_unsigned("category", self.category_id)
        for ancestor in category_tree.get(self.category_id, (self.category_id,)):
            doc.add_unsigned("category_tree", ancestor)
        doc.add_unsigned("brand", self.brand_id)
        doc.add_unsigned("price", self.price_cents)
        doc.add_boolean("in_stock", self.in_stock)
        for vehicle_id in self.vehicle_ids:
            doc.add_unsigned("vehicles", vehicle_id)
        return doc


@dataclass
class Lookups:
    """Small tables every document needs, loaded once per batch run."""

    category_names: dict[int, list[str]]
    category_tree: dict[int, tuple[int, ...]]
    brand_names: dict[int, str]
    vehicle_words: dict[int, tuple[int, str]]  # vehicle id -> (model id, "Make Model")

    @classmethod
    def load(cls) -> "Lookups":
        categories = {c.id: c for c in Category.objects.only("id", "name", "parent_id")}
        tree: dict[int, tuple[int, ...]] = {}
        names: dict[int, list[str]] = {}
        for cid in categories:
            chain, node = [], categories[cid]
            while node is not None:
                chain.append(node)
                node = categories.get(node.parent_id) if node.parent_id else None
            tree[cid] = tuple(c.id for c in chain)
            names[cid] = [c.name for c in chain]
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, name FROM catalog_brand")
            brands = dict(cursor.fetchall())
            cursor.execute(
                "SELECT v.id, v.model_id, mk.name, m.name FROM fitment_vehicle v "
                "JOIN fitment_vehiclemodel m ON m.id = v.model_id "
                "JOIN fitment_make mk ON mk.id = v.make_id"
            )
            vehicles = {vid: (mid, f"{make} {model}") for vid, mid, make, model in cursor}
        return cls(names, tree, brands, vehicles)

    def keywords(
        self,
        *,
        brand_id: int | None,
        category_id: int | None,
        words: list[str],
        vehicle_ids: list[int],
    ) -> list[str]:
        """A document's `keywords`: brand, category path, `words` (codes,
        attributes) and the make and model of every vehicle it fits."""
        fitted = dict.fromkeys(
            self.vehicle_words[v][1] for v in vehicle_ids if v in self.vehicle_words
        )
        return [
            self.brand_names.get(brand_id, "") if brand_id is not None else "",
            *(self.category_names.get(category_id, []) if category_id is not None else []),
            *words,
            *fitted,
        ]


PART_COLUMNS = (
    "p.id, p.name, p.sku, p.mpn, p.description, p.category_id, p.brand_id, p.price, p.attributes, "
    "p.condition"
)
# The catalogue's condition codes, as search names them (`sources.CONDITIONS`).
PART_CONDITIONS = {"new": "new", "used": "used", "reman": "remanufactured"}


def _attribute_words(raw) -> list[str]:
    import json

    if not raw:
        return []
    data = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(data, dict):
        return []
    return [str(v) for v in data.values() if isinstance(v, str | int | float)]


def price_cents(price) -> int:
    return int((Decimal(str(price)) * 100).to_integral_value())


def build_docs(
    rows: Iterable[tuple], fitment: dict[int, list[int]], in_stock: set[int], lookups: Lookups
) -> Iterator[PartDoc]:
    for row in rows:
        pid, name, sku, mpn, description, category_id, brand_id, price, attributes, condition = row
        vehicle_ids = fitment.get(pid, [])
        keywords = lookups.keywords(
            brand_id=brand_id,
            category_id=category_id,
            words=[sku, mpn, *_attribute_words(attributes)],
            vehicle_ids=vehicle_ids,
        )
        yield PartDoc(
            pid=pid,
            name=name,
            keywords=keywords,
            body=description or "",
            category_id=category_id,
            brand_id=brand_id,
            price_cents=price_cents(price),
            in_stock=pid in in_stock,
            vehicle_ids=vehicle_ids,
            condition=PART_CONDITIONS.get(condition, "new"),
        )


def docs_for_parts(part_ids: list[int], lookups: Lookups) -> tuple[list[PartDoc], set[int]]:
    """Documents for the active parts among `part_ids`, and the ids to drop."""
    if not part_ids:
        return [], set()
    placeholders = ",".join(["%s"] * len(part_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {PART_COLUMNS} FROM catalog_part p "  # noqa: S608 - placeholders only
            f"WHERE p.is_active AND p.id IN ({placeholders})",
            part_ids,
        )
        rows = cursor.fetchall()
        cursor.execute(
            f"SELECT part_id, vehicle_id FROM fitment_fitment "  # noqa: S608
            f"WHERE part_id IN ({placeholders})",
            part_ids,
        )
        fitment: dict[int, list[int]] = {}
        for part_id, vehicle_id in cursor:
            fitment.setdefault(part_id, []).append(vehicle_id)
        cursor.execute(
            f"SELECT DISTINCT part_id FROM inventory_stocklevel "  # noqa: S608
            f"WHERE quantity > reserved AND part_id IN ({placeholders})",
            part_ids,
        )
        stocked = {r[0] for r in cursor}
    docs = list(build_docs(rows, fitment, stocked, lookups))
    found = {d.pid for d in docs}
    return docs, set(part_ids) - found


def iter_all_docs(lookups: Lookups, *, batch: int = 20_000) -> Iterator[PartDoc]:
    """Every active part, streamed in id order with its fitment and stock,
    each table read once in key order (a merge, not a lookup per part)."""
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {PART_COLUMNS} FROM catalog_part p "  # noqa: S608
                "WHERE p.is_active AND p.id > %s ORDER BY p.id LIMIT %s",
                [last, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            low, high = rows[0][0], rows[-1][0]
            cursor.execute(
                "SELECT part_id, vehicle_id FROM fitment_fitment WHERE part_id BETWEEN %s AND %s",
                [low, high],
            )
            fitment: dict[int, list[int]] = {}
            for part_id, vehicle_id in cursor:
                fitment.setdefault(part_id, []).append(vehicle_id)
            cursor.execute(
                "SELECT DISTINCT part_id FROM inventory_stocklevel "
                "WHERE quantity > reserved AND part_id BETWEEN %s AND %s",
                [low, high],
            )
            stocked = {r[0] for r in cursor}
        yield from build_docs(rows, fitment, stocked, lookups)
        last = high
