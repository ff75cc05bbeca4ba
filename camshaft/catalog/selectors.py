"""Reads of the catalogue: summaries for listings, the part page, the category
tree and brands (C6, C7). Each is a fixed number of queries, whatever the size."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.http import Http404

from camshaft.catalog import images
from camshaft.catalog.models import Brand, Category, Condition, Part, PartImage, Returnability
from camshaft.core.memo import ProcessMemo
from camshaft.core.paging import Page, PageRequest
from camshaft.core.replicas import reading
from camshaft.fitment.models import Fitment
from camshaft.inventory.models import StockLevel

CATEGORY_TREE_CACHE_SECONDS = 60
CATEGORY_TREE_VERSION_KEY = "catalog:category-tree-version"
BRAND_NAMES_VERSION_KEY = "catalog:brand-names-version"
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
    image: images.Picture | None = None
    # With a vehicle chosen: whether the part lists any vehicle at all. A part
    # that lists none (universal, or not yet catalogued) asks the shopper to
    # check fitment rather than saying it does not fit.
    has_fitment: bool | None = None

    @property
    def fit_badge(self) -> str | None:
        """FITS, NO_FIT or CHECK_FIT for the chosen vehicle; None without one."""
        if self.fits is None:
            return None
        if self.fits:
            return FITS
        return NO_FIT if self.has_fitment else CHECK_FIT

    @property
    def in_stock(self) -> bool:
        return self.available > 0


# Listings show up to 100 rows on every search, category, brand and vehicle
# page, so their rows come from one hand-written query: compiling the three
# ORM queries it replaces cost more than running them. Money is read as text
# so no float ever stands between the database and the Decimal.
SUMMARY_SQL = """
SELECT p.id, p.sku, p.name, p.brand_id, p.mpn, p.category_id,
       CAST(p.price AS TEXT), CAST(p.core_charge AS TEXT), p.condition,
       COALESCE((SELECT SUM(s.quantity - s.reserved) FROM inventory_stocklevel s
                 JOIN inventory_warehouse w ON w.id = s.warehouse_id
                 WHERE s.part_id = p.id AND w.is_active), 0),
       {fits},
       (SELECT i.image FROM catalog_partimage i WHERE i.part_id = p.id AND i.is_primary)
FROM catalog_part p
WHERE p.is_active AND p.id IN ({ids})
"""
FITS_SQL = (
    "EXISTS (SELECT 1 FROM fitment_fitment f WHERE f.part_id = p.id AND f.vehicle_id = %s), "
    "EXISTS (SELECT 1 FROM fitment_fitment f WHERE f.part_id = p.id)"
)
FITS, NO_FIT, CHECK_FIT = "fits", "no-fit", "check"
CENT = Decimal("0.01")


def _money(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text).quantize(CENT)


def part_summaries(part_ids: list[int], *, vehicle_id: int | None = None) -> list[PartSummary]:
    """Listing rows for `part_ids`, in that order, in one query."""
    if not part_ids:
        return []
    sql = SUMMARY_SQL.format(
        fits=FITS_SQL if vehicle_id else "NULL, NULL", ids=",".join(["%s"] * len(part_ids))
    )
    params = ([vehicle_id] if vehicle_id else []) + list(part_ids)
    with reading(Part).cursor() as cursor:
        cursor.execute(sql, params)
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    # Brand and category names come from this process's copies: joining the
    # two tables cost PostgreSQL more to plan than the rest of the query.
    brands = brand_names(list({row[2] for row in rows.values()}))
    categories = category_names({row[4] for row in rows.values()})
    conditions = dict(Condition.choices)
    return [
        PartSummary(
            id=pid,
            sku=sku,
            name=name,
            brand=brands.get(brand, ""),
            mpn=mpn,
            category=categories.get(category, ""),
            price=_money(price),
            core_charge=_money(core),
            condition=conditions[condition],
            available=max(0, int(available)),
            fits=bool(fits) if vehicle_id else None,
            image=images.picture(image) if image else None,
            has_fitment=bool(listed) if vehicle_id else None,
        )
        for pid in part_ids
        if (row := rows.get(pid))
        for (
            sku,
            name,
            brand,
            mpn,
            category,
            price,
            core,
            condition,
            available,
            fits,
            listed,
            image,
        ) in [row]
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


def _load_category_nodes() -> dict[int, CategoryNode]:
    return {
        c.id: CategoryNode(c.id, c.name, c.slug, c.path, c.parent_id, c.depth)
        for c in Category.objects.all()
    }


# The tree (a few hundred rows) is kept per process (core.memo): unpickling
# it from the shared cache on every page cost more than the breadcrumbs.
_category_tree = ProcessMemo(
    CATEGORY_TREE_VERSION_KEY, _load_category_nodes, seconds=CATEGORY_TREE_CACHE_SECONDS
)


def category_nodes() -> dict[int, CategoryNode]:
    """The whole tree, as of at most a minute ago (or its last change)."""
    return _category_tree.get()


def forget_category_tree() -> None:
    _category_tree.forget()


def category_names(category_ids) -> dict[int, str]:
    """Names of `category_ids`, from the tree (a category newer than this
    process's copy is read from the database)."""
    nodes = category_nodes()
    names = {cid: nodes[cid].name for cid in category_ids if cid in nodes}
    missing = [cid for cid in category_ids if cid not in names]
    if missing:
        names.update(Category.objects.filter(id__in=missing).values_list("id", "name"))
    return names


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


_brand_names = ProcessMemo(
    BRAND_NAMES_VERSION_KEY,
    lambda: dict(Brand.objects.values_list("id", "name")),
    seconds=CATEGORY_TREE_CACHE_SECONDS,
)


def forget_brand_names(**_signal) -> None:
    transaction.on_commit(_brand_names.forget)


def brand_names(brand_ids: list[int]) -> dict[int, str]:
    """Names of `brand_ids`, from this process's copy of the brands (search
    facets name them on every search); a brand newer than the copy is read
    from the database."""
    known = _brand_names.get()
    names = {bid: known[bid] for bid in brand_ids if bid in known}
    if len(names) < len(brand_ids):
        missing = [bid for bid in brand_ids if bid not in names]
        names.update(Brand.objects.filter(id__in=missing).values_list("id", "name"))
    return names


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


@dataclass(frozen=True, slots=True)
class PagePicture:
    picture: images.Picture
    full_url: str  # the file as uploaded, for a closer look
    is_primary: bool
    alt: str


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
    pictures: list[PagePicture]


# The part page's stock and pictures as plain rows (C7): two small queries
# whose ORM versions cost more to compile than to run.
PAGE_STOCK_SQL = """
SELECT w.name, w.country, s.quantity - s.reserved
FROM inventory_stocklevel s JOIN inventory_warehouse w ON w.id = s.warehouse_id
WHERE s.part_id = %s AND w.is_active
ORDER BY w.code
"""
PAGE_PICTURES_SQL = """
SELECT image, is_primary, position FROM catalog_partimage WHERE part_id = %s
ORDER BY CASE WHEN is_primary THEN 0 ELSE 1 END, position, id
"""


def availability_text(part: Part, available: int) -> str:
    if available > 0:
        return f"In stock, ships in {SHIPS_WITHIN_HOURS} hours"
    if part.made_to_order:
        return f"Made to order: ships in about {part.lead_time_days} business days"
    return f"Out of stock: usually back within {part.lead_time_days} business days"


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
    with reading(StockLevel).cursor() as cursor:
        cursor.execute(PAGE_STOCK_SQL, [part.id])
        levels = [WarehouseStock(name, country, int(free)) for name, country, free in cursor]
    with reading(PartImage).cursor() as cursor:
        cursor.execute(PAGE_PICTURES_SQL, [part.id])
        stored = [name for name, _primary, _position in cursor]
    available = sum(max(0, s.available) for s in levels)
    vehicles = vehicles_fitting_part(
        part_id=part.id, page=vehicles_page, first_vehicle_id=vehicle_id
    )
    fits = None
    if vehicle_id and vehicles_page.number == 1:  # the shopper's vehicle comes first when it fits
        fits = bool(vehicles.items) and vehicles.items[0].vehicle_id == vehicle_id
    elif vehicle_id:
        fits = Fitment.objects.filter(part=part, vehicle_id=vehicle_id).exists()
    label = f"{part.brand.name} {part.name}"
    storage = PartImage._meta.get_field("image").storage
    pictures = [
        PagePicture(
            images.picture(name, images.PAGE_WIDTH if n == 0 else images.GALLERY_WIDTH),
            storage.url(name),
            n == 0,
            label if n == 0 else f"{label}, picture {n + 1}",
        )
        for n, name in enumerate(stored)
    ]
    return PartPage(
        part=part,
        pictures=pictures,
        breadcrumbs=category_ancestors(part.category_id),
        stock=[s for s in levels if s.available > 0],
        available=available,
        availability=availability_text(part, available),
        returnability_note=Returnability(part.returnability).label,
        vehicles=vehicles,
        fits_selected=fits,
    )


# --- recently viewed, bought together ----------------------------------------------

RELATED_SHOWN = 6


@dataclass(frozen=True, slots=True)
class RelatedParts:
    viewed: list[PartSummary]
    bought_with: list[PartSummary]


def related_parts(
    *, viewed: list[int], bought_with: list[int], vehicle_id: int | None = None
) -> RelatedParts:
    """The part page's two shelves, read in one listing query."""
    viewed, bought_with = viewed[:RELATED_SHOWN], bought_with[:RELATED_SHOWN]
    ids = list(dict.fromkeys(viewed + bought_with))
    rows = {p.id: p for p in part_summaries(ids, vehicle_id=vehicle_id)}
    return RelatedParts(
        viewed=[rows[i] for i in viewed if i in rows],
        bought_with=[rows[i] for i in bought_with if i in rows],
    )
