"""The operations `camshaft bench` times, each fed random inputs drawn from the catalogue itself.

An operation takes the workload and returns a thunk: drawing the inputs
happens before the clock starts, only the thunk is timed."""

import itertools
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, Min
from django.test import Client

from camshaft.bench.orders import delete_bench_orders, ready_bench_cart
from camshaft.cart import cookie
from camshaft.catalog.models import Brand, Part
from camshaft.core.paging import PageRequest
from camshaft.fitment import selectors as fitment_selectors
from camshaft.fitment.models import Vehicle, VehicleModel
from camshaft.search.selectors import SearchFilters, search_parts
from camshaft.search.suggestions import suggest as search_suggest

PAGE = PageRequest(1, 24)
SAMPLE_PARTS = 2_000
WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]+")


class BenchError(RuntimeError):
    """An operation did not do its job (a page was not 200, an exact SKU not found)."""


@dataclass(frozen=True, slots=True)
class SampledPart:
    sku: str
    mpn: str
    name: str


@dataclass
class Workload:
    """Inputs sampled once from the database: parts, vehicles and the
    catalogue's words with how often each occurs."""

    rng: random.Random
    parts: list[SampledPart]
    vehicle_ids: list[int]
    words: list[str]
    word_cum: list[int]
    client: Client
    #: Undo what the operations wrote (orders, carts), run after measuring.
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    bench_carts: list[int] = field(default_factory=list)
    order_client: Client = field(default_factory=lambda: Client(raise_request_exception=True))
    shopper_queries: list[str] = field(default_factory=list)

    @classmethod
    def sample(cls, *, seed: int) -> "Workload":
        rng = random.Random(f"camshaft-bench:{seed}")
        parts = _sample_parts(rng, SAMPLE_PARTS)
        if not parts:
            raise BenchError("The catalogue has no parts to measure.")
        vehicle_ids = list(Vehicle.objects.order_by("id").values_list("id", flat=True))
        if not vehicle_ids:
            raise BenchError("The catalogue has no vehicles to measure.")
        counts: Counter[str] = Counter()
        for text in itertools.chain(
            (p.name for p in parts),
            Brand.objects.order_by("id").values_list("name", flat=True),
            VehicleModel.objects.order_by("id").values_list("name", flat=True),
        ):
            counts.update(w.lower() for w in WORD_RE.findall(text))
        words = sorted(counts, key=lambda w: (-counts[w], w))
        return cls(
            rng=rng,
            parts=parts,
            vehicle_ids=vehicle_ids,
            words=words,
            word_cum=list(itertools.accumulate(counts[w] for w in words)),
            client=Client(raise_request_exception=True),
        )

    def part(self) -> SampledPart:
        return self.rng.choice(self.parts)

    def vehicle_id(self) -> int:
        return self.rng.choice(self.vehicle_ids)

    def text_query(self) -> str:
        """1-3 words: half the time a phrase from a real part name, half the
        time words drawn by how often the catalogue uses them (brands and
        model names included), so common words come up most."""
        n = self.rng.randint(1, 3)
        if self.rng.random() < 0.5:
            words = WORD_RE.findall(self.part().name)
            start = self.rng.randrange(max(1, len(words) - n + 1))
            return " ".join(words[start : start + n]).lower()
        drawn = self.rng.choices(self.words, cum_weights=self.word_cum, k=n)
        return " ".join(dict.fromkeys(drawn))


def _sample_parts(rng: random.Random, count: int) -> list[SampledPart]:
    """Random parts by id, without ORDER BY RANDOM() over a million rows."""
    bounds = Part.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return []
    low, high = bounds["low"], bounds["high"]
    ids = {rng.randint(low, high) for _ in range(count * 2)}
    rows = (
        Part.objects.filter(id__in=sorted(ids), is_active=True)
        .order_by("id")
        .values_list("sku", "mpn", "name")[:count]
    )
    found = [SampledPart(*row) for row in rows]
    if not found:  # ids are sparse: fall back to the first parts
        rows = Part.objects.filter(is_active=True).order_by("id").values_list("sku", "mpn", "name")
        found = [SampledPart(*row) for row in rows[:count]]
    return found


def search_text(w: Workload) -> Callable[[], object]:
    query = w.text_query()
    vehicle_id = w.vehicle_id() if w.rng.random() < 0.5 else None
    sort = w.rng.choice(("price_asc", "price_desc")) if w.rng.random() < 1 / 3 else "best"
    filters = SearchFilters(vehicle_id=vehicle_id)
    return lambda: search_parts(query=query, filters=filters, sort=sort, page=PAGE)


def search_listings(w: Workload) -> Callable[[], object]:
    """Marketplace listings only (the paged list), half the time in one
    condition, half the time for a vehicle."""
    query = w.text_query()
    condition = w.rng.choice((None, "new", "used", "remanufactured"))
    vehicle_id = w.vehicle_id() if w.rng.random() < 0.5 else None
    filters = SearchFilters(vehicle_id=vehicle_id, condition=condition, seller="marketplace")
    return lambda: search_parts(query=query, filters=filters, page=PAGE)


def vehicle_listings(w: Workload) -> Callable[[], object]:
    """The marketplace section of a vehicle's page."""
    from camshaft.marketplace import selectors as marketplace_selectors

    vehicle_id = w.vehicle_id()
    return lambda: marketplace_selectors.for_vehicle(vehicle_id=vehicle_id)


def search_shopper(w: Workload) -> Callable[[], object]:
    """A query in shoppers' words from the judged set (typos, abbreviations,
    vehicles in the query): the paths that correct, split and relax."""
    from camshaft.bench.judged import judged_rows

    if not w.shopper_queries:
        w.shopper_queries.extend(r["query"] for r in judged_rows() if r["kind"] != "part_number")
    query = w.rng.choice(w.shopper_queries)
    return lambda: search_parts(query=query, page=PAGE)


def suggest(w: Workload) -> Callable[[], object]:
    """What a shopper has typed so far: the start of a search, cut anywhere
    from the second character on."""
    text = w.text_query()
    typed = text[: w.rng.randint(min(2, len(text)), len(text))]
    return lambda: search_suggest(prefix=typed)


def search_sku(w: Workload) -> Callable[[], object]:
    part = w.part()
    query = part.sku if w.rng.random() < 0.5 else part.mpn

    def run():
        result = search_parts(query=query, filters=SearchFilters(), sort="best", page=PAGE)
        if not any(p.sku == part.sku for p in result.exact_matches):
            raise BenchError(f"Searching {query!r} did not put {part.sku} first.")
        return result

    return run


def part_finder(w: Workload) -> Callable[[], object]:
    """The five narrowing lists a shopper walks through for one vehicle."""
    vehicle = Vehicle.objects.values("year", "make_id", "model_id", "submodel_id").get(
        id=w.vehicle_id()
    )

    def run():
        fitment_selectors.years()
        fitment_selectors.makes(year=vehicle["year"])
        fitment_selectors.models(year=vehicle["year"], make_id=vehicle["make_id"])
        fitment_selectors.submodels(year=vehicle["year"], model_id=vehicle["model_id"])
        return fitment_selectors.engines(
            year=vehicle["year"], model_id=vehicle["model_id"], submodel_id=vehicle["submodel_id"]
        )

    return run


def vehicle_parts(w: Workload) -> Callable[[], object]:
    vehicle_id = w.vehicle_id()
    return lambda: fitment_selectors.vehicle_parts(vehicle_id=vehicle_id, page=PAGE)


def part_page(w: Workload) -> Callable[[], object]:
    url = f"/parts/{w.part().sku}/"

    def run():
        response = w.client.get(url)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}, not 200.")
        return response

    return run


CART_LINES = 5  # a new cart after about this many adds, like a real shopper's


def add_to_cart(w: Workload) -> Callable[[], object]:
    """POST /api/v1/cart/lines, the way the mobile app adds a part."""
    sku = w.part().sku
    fresh_cart = w.rng.randrange(CART_LINES) == 0

    def run():
        if fresh_cart:
            w.client.cookies.pop("cart", None)
        response = w.client.post(
            "/api/v1/cart/lines", {"sku": sku, "quantity": 1}, content_type="application/json"
        )
        if response.status_code != 200:
            raise BenchError(f"Adding {sku} to the cart answered {response.status_code}.")
        return response

    return run


def place_order(w: Workload) -> Callable[[], object]:
    """POST /api/v1/checkout/orders for a guest cart of 1-3 in-stock parts
    whose address, shipping method and tokenized test card were set before
    the clock started: pricing, shipping quote, tax, authorization (test
    gateway), stock reservation, the order, its lines and history, the
    confirmation mail in the outbox, the empty cart."""
    if not w.bench_carts:
        w.cleanups.append(lambda: delete_bench_orders(w.bench_carts))
    quantity = w.rng.randint(1, 2)
    cart = ready_bench_cart(in_stock_skus(w, w.rng.randint(1, 3), quantity), quantity=quantity)
    w.bench_carts.append(cart.id)
    # A client of its own, without the cart cookie add_to_cart's client keeps
    # (a cookie would win over the X-Cart-Token header).
    client = w.order_client
    headers = {"X-Cart-Token": cookie.signed(cart.token), "Idempotency-Key": f"bench:{cart.id}"}

    def run():
        response = client.post(
            "/api/v1/checkout/orders", {}, content_type="application/json", headers=headers
        )
        if response.status_code != 201:
            raise BenchError(
                f"Placing an order answered {response.status_code}: {response.content[:300]!r}"
            )
        return response

    return run


def shipping_quote(w: Workload) -> Callable[[], object]:
    """Rates and delivery estimates for a 5-line cart to a random US state:
    allocation plan, packages, billable weights, rate tables, calendar."""
    from camshaft.shipping.selectors import Destination, quote_shipping

    ids = dict(Part.objects.filter(sku__in=in_stock_skus(w, 5, 1)).values_list("sku", "id"))
    lines = [(part_id, 1) for part_id in ids.values()]
    destination = Destination(country="US", region=w.rng.choice(US_STATES), residential=True)

    def run():
        return quote_shipping(lines=lines, destination=destination)

    return run


def return_request(w: Workload) -> Callable[[], object]:
    """POST /api/v1/orders/{number}/returns for one unit of a delivered
    guest order (placed and marked delivered before the clock starts):
    the order locked, R1 for each line, the units already on their way
    back, the return, its lines and history, the confirmation mail."""
    from camshaft.checkout import services as checkout
    from camshaft.orders.models import Order, OrderStatus

    if not w.bench_carts:
        w.cleanups.append(lambda: delete_bench_orders(w.bench_carts))
    returnable = Part.objects.filter(
        sku__in=in_stock_skus(w, 10, 1), is_special_order=False, is_custom_made=False
    ).exclude(returnability="non_returnable")
    cart = ready_bench_cart(list(returnable.values_list("sku", flat=True)[: w.rng.randint(1, 3)]))
    w.bench_carts.append(cart.id)
    placed = checkout.place(
        cart=cart,
        user=None,
        currency=settings.STORE_CURRENCY,
        idempotency_key=f"bench-return:{cart.id}",
    ).order
    # Delivered without shipping: the bench times filing the return, and
    # its clean-up has no stock to put back on the shelves.
    Order.objects.filter(pk=placed.pk).update(
        status=OrderStatus.DELIVERED, delivered_at=placed.placed_at
    )
    line = placed.lines.first()
    body = {
        "email": placed.email,
        "reason": "not_needed",
        "condition": {
            "unused": True,
            "original_packaging": True,
            "complete": True,
            "sealed": True,
        },
        "lines": [{"line_id": line.pk, "quantity": 1}],
    }
    url = f"/api/v1/orders/{placed.number}/returns"
    headers = {"Idempotency-Key": f"bench:{cart.id}"}

    def run():
        response = w.order_client.post(url, body, content_type="application/json", headers=headers)
        if response.status_code != 201:
            raise BenchError(
                f"Filing a return answered {response.status_code}: {response.content[:300]!r}"
            )
        return response

    return run


def in_stock_skus(w: Workload, count: int, quantity: int) -> list[str]:
    """`count` random SKUs a warehouse can ship `quantity` of (or made to order)."""
    from camshaft.inventory.selectors import free_stock

    skus: list[str] = []
    for _ in range(count * 50):
        sku = w.part().sku
        part = Part.objects.only("id", "is_special_order", "is_custom_made").get(sku=sku)
        if sku not in skus and (
            part.made_to_order or sum(free_stock([part.id]).get(part.id, {}).values()) >= quantity
        ):
            skus.append(sku)
        if len(skus) == count:
            break
    return skus


US_STATES = ("CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "WA", "AZ", "CO", "OR")


OPERATIONS: dict[str, Callable[[Workload], Callable[[], object]]] = {
    "search_text": search_text,
    "search_sku": search_sku,
    "search_shopper": search_shopper,
    "search_listings": search_listings,
    "suggest": suggest,
    "part_finder": part_finder,
    "vehicle_parts": vehicle_parts,
    "vehicle_listings": vehicle_listings,
    "part_page": part_page,
    "add_to_cart": add_to_cart,
    "place_order": place_order,
    "shipping_quote": shipping_quote,
    "return_request": return_request,
}
