"""Reads of the catalogue: summaries for listings, the part page, the category
tree and brands (C6, C7). Each is a fixed number of queries, whatever the size."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import F, Sum
from django.http import Http404

from camshaft.catalog.models import Brand, Category, Part, Returnability
from camshaft.core.paging import Page, PageRequest
from camshaft.fitment.models import Fitment
from camshaft.inventory.models import StockLevel

CATEGORY_TREE_CACHE_SECONDS = 60
SHIPS_WITHIN_HOURS = 24


@dataclass(frozen=True, slots=True)
class PartSummary:
    id: int
    sku: str
    name: str
    brand: str
    mpn: str
    category: str
    price: Decimal
    core_charge: Decimal | None
    available: int
    condition: str
    fits: bool | None  # None when no vehicle is chosen

    @property
    def in_stock(self) -> bool:
        return self.available > 0


def stock_available(part_ids: list[int]) -> dict[int, int]:
    rows = (
        StockLevel.objects.filter(part_id__in=part_ids, warehouse__is_active=True)
        .values("part_id")
        .annotate(n=Sum(F("quantity") - F("reserved")))
    )
    return {r["part_id"]: max(0, r["n"] or 0) for r in rows}


def part_summaries(part_ids: list[int], *, vehicle_id: int | None = None) -> list[PartSummary]:
    """Listing rows for `part_ids`, in that order: three queries in all."""
    if not part_ids:
        return []
    parts = {
        p.id: p
        for p in Part.objects.filter(id__in=part_ids, is_active=True).select_related(
            "brand", "category"
        )
    }
    available = stock_available(list(parts))
    fits: set[int] = set()
    if vehicle_id:
        fits = set(
            Fitment.objects.filter(vehicle_id=vehicle_id, part_id__in=list(parts)).values_list(
                "part_id", flat=True
            )
        )
    return [
        PartSummary(
            id=p.id,
            sku=p.sku,
            name=p.name,
            brand=p.brand.name,
            mpn=p.mpn,
            category=p.category.name,
            price=p.price,
            core_charge=p.core_charge,
            available=available.get(p.id, 0),
            condition=p.get_condition_display(),
            fits=(p.id in fits) if vehicle_id else None,
        )
        for pid in part_ids
        if (p := parts.get(pid))
    ]


# --- categories -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryNode:
    id: int
    name: str
    slug: str
    path: str
    parent_id: int | None
    depth: int


def category_nodes() -> dict[int, CategoryNode]:
    """The whole tree (a few hundred rows), cached briefly per process."""
    nodes = cache.get("catalog:category-nodes")
    if nodes is None:
        nodes = {
            c.id: CategoryNode(c.id, c.name, c.slug, c.path, c.parent_id, c.depth)
            for c in Category.objects.all()
        }
        cache.set("catalog:category-nodes", nodes, CATEGORY_TREE_CACHE_SECONDS)
    return nodes


def forget_category_tree() -> None:
    cache.delete("catalog:category-nodes")


def category_children() -> dict[int | None, list[CategoryNode]]:
    children: dict[int | None, list[CategoryNode]] = defaultdict(list)
    for node in sorted(category_nodes().values(), key=lambda n: n.name):
        children[node.parent_id].append(node)
    return children


def category_ancestors(category_id: int) -> list[CategoryNode]:
    nodes = category_nodes()
    chain, node = [], nodes.get(category_id)
    while node is not None:
        chain.append(node)
        node = nodes.get(node.parent_id) if node.parent_id else None
    return list(reversed(chain))


def category_by_path(path: str) -> CategoryNode:
    for node in category_nodes().values():
        if node.path == path.strip("/"):
            return node
    raise Http404("No such category")


def category_facets(leaf_counts: dict[int, int], *, selected: int | None):
    """Roll leaf counts up the tree; show the children of the selected
    category (or the top level) with how many results each holds."""
    from camshaft.search.selectors import FacetValue

    nodes = category_nodes()
    if any(leaf not in nodes for leaf in leaf_counts):  # a category newer than the cache
        forget_category_tree()
        nodes = category_nodes()
    totals: dict[int, int] = defaultdict(int)
    for leaf, count in leaf_counts.items():
        node = nodes.get(leaf)
        while node is not None:
            totals[node.id] += count
            node = nodes.get(node.parent_id) if node.parent_id else None
    shown = category_children().get(selected, []) if selected else category_children()[None]
    facets = [FacetValue(n.id, n.name, totals[n.id]) for n in shown if totals.get(n.id)]
    return sorted(facets, key=lambda f: (-f.count, f.name))


def brand_names(brand_ids: list[int]) -> dict[int, str]:
    return dict(Brand.objects.filter(id__in=brand_ids).values_list("id", "name"))


def brands_with_counts() -> list[dict]:
    """Every brand with how many parts it has on sale, counted by the search
    index (a GROUP BY over a million parts would take a second)."""
    from camshaft.search.selectors import parts_per_brand

    counts = parts_per_brand()
    return [
        {**b, "parts": counts.get(b["id"], 0)} for b in Brand.objects.values("id", "name", "slug")
    ]


def brand_by_slug(slug: str) -> Brand:
    try:
        return Brand.objects.get(slug=slug)
    except Brand.DoesNotExist:
        raise Http404("No such brand") from None


# --- the part page ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarehouseStock:
    warehouse: str
    country: str
    available: int


@dataclass
class PartPage:
    part: Part
    breadcrumbs: list[CategoryNode]
    stock: list[WarehouseStock]
    available: int
    availability: str
    returnability_note: str
    vehicles: Page
    fits_selected: bool | None


def availability_text(part: Part, available: int) -> str:
    if available > 0:
        return f"In stock, ships in {SHIPS_WITHIN_HOURS} hours"
    if part.is_special_order or part.is_custom_made:
        return f"Made to order: ships in about {part.lead_time_days} business days"
    return f"Out of stock: usually ships in {part.lead_time_days} business days"


def part_for_page(
    *, sku: str, vehicles_page: PageRequest, vehicle_id: int | None = None
) -> PartPage:
    from camshaft.fitment.selectors import vehicles_fitting_part

    try:
        part = Part.objects.select_related("brand", "category").get(
            sku=sku.strip().upper(), is_active=True
        )
    except Part.DoesNotExist:
        raise Http404("No such part") from None
    levels = [
        WarehouseStock(s.warehouse.name, s.warehouse.country, s.quantity - s.reserved)
        for s in StockLevel.objects.filter(part=part, warehouse__is_active=True)
        .select_related("warehouse")
        .order_by("warehouse__code")
    ]
    available = sum(max(0, s.available) for s in levels)
    fits = None
    if vehicle_id:
        fits = Fitment.objects.filter(part=part, vehicle_id=vehicle_id).exists()
    return PartPage(
        part=part,
        breadcrumbs=category_ancestors(part.category_id),
        stock=[s for s in levels if s.available > 0],
        available=available,
        availability=availability_text(part, available),
        returnability_note=Returnability(part.returnability).label,
        vehicles=vehicles_fitting_part(part_id=part.id, page=vehicles_page),
        fits_selected=fits,
    )
