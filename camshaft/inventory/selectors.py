"""Where an order's parts come from (I2): which warehouses have them, and the
allocation plan, a pure function of the stock and the destination.

The plan prefers one warehouse that can ship the whole order (the nearest
of those), then, line by line, the nearest warehouse that can ship the line
(one already in the plan first, to keep packages few), and splits a line
over the nearest warehouses only when no single one has enough."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache

from camshaft.core.places import location_of, miles_between
from camshaft.inventory.models import Allocation, StockLevel, Warehouse

FAR = float("inf")


@dataclass(frozen=True, slots=True)
class Site:
    """A warehouse as the plan needs it."""

    warehouse_id: int
    code: str
    name: str
    country: str
    state: str
    latitude: float | None
    longitude: float | None

    @property
    def point(self):
        if self.latitude is None or self.longitude is None:
            return location_of(self.country, self.state)
        return (self.latitude, self.longitude)


@dataclass(frozen=True, slots=True)
class Want:
    part_id: int
    quantity: int
    #: Special-order and custom-made parts: ordered in for this order, no stock.
    made_to_order: bool = False


@dataclass(frozen=True, slots=True)
class Pick:
    part_id: int
    warehouse_id: int
    quantity: int
    made_to_order: bool = False


@dataclass(frozen=True)
class Plan:
    picks: tuple[Pick, ...]
    #: part_id -> units available in all, for each part there is not enough of.
    short: dict[int, int] = field(default_factory=dict)

    def warehouses(self) -> list[int]:
        return list(dict.fromkeys(pick.warehouse_id for pick in self.picks))


def distance(site: Site, country: str, region: str) -> float:
    here, there = site.point, location_of(country, region)
    if here is None or there is None:
        return FAR
    return miles_between(here, there)


def rank_sites(sites: Iterable[Site], *, country: str = "", region: str = "") -> list[Site]:
    """Nearest first, warehouses in the destination's country before any
    abroad (a domestic parcel beats a customs declaration)."""
    if not country:
        return sorted(sites, key=lambda s: s.code)
    return sorted(
        sites,
        key=lambda s: (s.country != country.upper(), distance(s, country, region), s.code),
    )


def allocation_plan(
    *, wants: list[Want], available: dict[int, dict[int, int]], sites: list[Site]
) -> Plan:
    """Decide which warehouse ships what. `available` maps part_id to
    {warehouse_id: units free}; `sites` come ranked nearest first."""
    stocked = [w for w in wants if not w.made_to_order]
    free = {part: dict(by_site) for part, by_site in available.items()}
    short = {
        w.part_id: total
        for w in stocked
        if (total := sum(free.get(w.part_id, {}).values())) < w.quantity
    }
    if short:
        return Plan(picks=(), short=short)
    whole = next(
        (
            site.warehouse_id
            for site in sites
            if all(free.get(w.part_id, {}).get(site.warehouse_id, 0) >= w.quantity for w in stocked)
        ),
        None,
    )
    picks: list[Pick] = []
    if whole is not None:
        picks = [Pick(w.part_id, whole, w.quantity) for w in stocked]
    else:
        for want in stocked:
            picks.extend(_pick_line(want, free, sites, used=[p.warehouse_id for p in picks]))
    # Parts made to order are sent in to the warehouse shipping the most, else the nearest.
    target = _busiest(picks) or (whole if whole is not None else None)
    if target is None and sites:
        target = sites[0].warehouse_id
    for want in wants:
        if want.made_to_order and target is not None:
            picks.append(Pick(want.part_id, target, want.quantity, made_to_order=True))
    return Plan(picks=tuple(picks))


def _pick_line(want: Want, free: dict, sites: list[Site], *, used: list[int]) -> list[Pick]:
    by_site = free.get(want.part_id, {})
    ordered = sorted(sites, key=lambda s: s.warehouse_id not in used)  # stable: keeps ranking
    for site in ordered:
        if by_site.get(site.warehouse_id, 0) >= want.quantity:
            by_site[site.warehouse_id] -= want.quantity
            return [Pick(want.part_id, site.warehouse_id, want.quantity)]
    picks, left = [], want.quantity
    for site in sites:
        take = min(left, by_site.get(site.warehouse_id, 0))
        if take > 0:
            by_site[site.warehouse_id] -= take
            picks.append(Pick(want.part_id, site.warehouse_id, take))
            left -= take
        if left == 0:
            break
    return picks


def _busiest(picks: list[Pick]) -> int | None:
    units: dict[int, int] = {}
    for pick in picks:
        units[pick.warehouse_id] = units.get(pick.warehouse_id, 0) + pick.quantity
    return max(units, key=units.get) if units else None


# ------------------------------------------------------------------ reads


SITES_CACHE_KEY = "inventory:active-sites"
SITES_CACHE_SECONDS = 300


def active_sites() -> list[Site]:
    """The active warehouses, cached: every checkout step plans with them
    (a warehouse saved or deleted clears the cache)."""
    sites = cache.get(SITES_CACHE_KEY)
    if sites is None:
        sites = [
            Site(w.id, w.code, w.name, w.country, w.state, _float(w.latitude), _float(w.longitude))
            for w in Warehouse.objects.filter(is_active=True).order_by("code")
        ]
        cache.set(SITES_CACHE_KEY, sites, SITES_CACHE_SECONDS)
    return sites


def forget_sites(**kwargs) -> None:
    cache.delete(SITES_CACHE_KEY)


def _float(value) -> float | None:
    return None if value is None else float(value)


def free_stock(part_ids: Iterable[int], *, lock: bool = False) -> dict[int, dict[int, int]]:
    """{part_id: {warehouse_id: units free}} in active warehouses. With `lock`
    the stock rows are locked, in id order so checkouts never deadlock."""
    levels = StockLevel.objects.filter(part_id__in=list(part_ids), warehouse__is_active=True)
    if lock:
        levels = levels.select_for_update().order_by("id")
    free: dict[int, dict[int, int]] = {}
    for part_id, warehouse_id, quantity, reserved in levels.values_list(
        "part_id", "warehouse_id", "quantity", "reserved"
    ):
        free.setdefault(part_id, {})[warehouse_id] = max(0, quantity - reserved)
    return free


def plan_for(
    wants: list[Want],
    *,
    country: str = "",
    region: str = "",
    lock: bool = False,
    held: dict[int, dict[int, int]] | None = None,
) -> tuple[Plan, list[Site]]:
    """The plan for `wants` against the stock as it is now (locked with
    `lock`), counting `held` ({part_id: {warehouse_id: units}}, what the
    order being changed already holds, see `held_by_order`) as free."""
    sites = rank_sites(active_sites(), country=country, region=region)
    available = free_stock({w.part_id for w in wants if not w.made_to_order}, lock=lock)
    for part_id, by_site in (held or {}).items():
        for warehouse_id, units in by_site.items():
            if warehouse_id in available.get(part_id, {}):
                available[part_id][warehouse_id] += units
    return allocation_plan(wants=wants, available=available, sites=sites), sites


def held_by_order(*, order_id: int) -> dict[int, dict[int, int]]:
    """{part_id: {warehouse_id: units}} the order's open reservations hold
    on the shelves (parts made to order hold none)."""
    held: dict[int, dict[int, int]] = {}
    rows = Allocation.objects.filter(
        order_line__order_id=order_id, status=Allocation.Status.RESERVED, made_to_order=False
    ).values_list("order_line__part_id", "warehouse_id", "quantity")
    for part_id, warehouse_id, quantity in rows:
        if part_id is not None:
            by_site = held.setdefault(part_id, {})
            by_site[warehouse_id] = by_site.get(warehouse_id, 0) + quantity
    return held
