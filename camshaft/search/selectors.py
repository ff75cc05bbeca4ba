"""Search by name, SKU or part number with filters, facets and sorts (C5)."""

import difflib
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import tantivy
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from camshaft.catalog import selectors as catalog_selectors
from camshaft.catalog.models import Brand, Part, normalize_code
from camshaft.core.paging import BadPage, PageRequest
from camshaft.fitment.models import Fitment
from camshaft.inventory.models import StockLevel
from camshaft.search import backend, sources, understanding
from camshaft.search.documents import PART_CONDITIONS
from camshaft.search.models import IndexHost
from camshaft.search.understanding import VehicleMention

log = logging.getLogger(__name__)
SORTS = {
    "best": "Best match",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
}
MAX_QUERY_CHARS = 200
MAX_WORDS = 12
# Like Elasticsearch's max_result_window: deeper pages cost much and help nobody.
MAX_RESULT_WINDOW = 10_000
MAX_PRICE = Decimal("1000000")
WORD_RE = re.compile(r"[0-9a-z]+")
# "Nothing, or very little" (C5): below this many matches a corrected query
# that finds more is shown instead, with a link back to the words as typed.
FEW_RESULTS = 3
# A part number is looked up word by word only in short queries.
MAX_CODE_WORDS = 4
YEAR_OR_LITRES = re.compile(r"(19[5-9]\d|20\d\d|\d\.\dl?)", re.IGNORECASE)
#: The document kind of other sellers' offers (registered by the marketplace
#: in `sources`): what the seller-type filter calls "marketplace".
OFFER_KIND = "listing"
SELLER_TYPES = {"store": "The store", "marketplace": "Marketplace sellers"}
#: Offers shown beside the store's parts when the shopper has not chosen a seller type.
OFFERS_BESIDE = 6
CATALOGUE_CONDITIONS = {v: k for k, v in PART_CONDITIONS.items()}


class BadSearch(ValueError):
    """Input a shopper can fix; str() says how."""


@dataclass(frozen=True, slots=True)
class SearchFilters:
    category_id: int | None = None
    brand_id: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    vehicle_id: int | None = None
    condition: str | None = None  # new, used, remanufactured
    seller: str | None = None  # "store" or "marketplace"; None: both

    def __post_init__(self):
        if self.condition is not None and self.condition not in sources.CONDITIONS:
            raise BadSearch("The condition is new, used or remanufactured.")
        if self.seller is not None and self.seller not in SELLER_TYPES:
            raise BadSearch("The seller is the store or marketplace sellers.")
        for name in ("min_price", "max_price"):
            value = getattr(self, name)
            if value is not None and not (0 <= value <= MAX_PRICE):
                raise BadSearch(f"Prices must be between 0 and {MAX_PRICE:,}.")
        if (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price > self.max_price
        ):
            raise BadSearch("The lowest price must not be above the highest price.")

    @property
    def store_parts_may_match(self) -> bool:
        return self.seller != "marketplace"

    @property
    def active(self) -> bool:
        return any(getattr(self, f) not in (None, False) for f in self.__slots__)


@dataclass(frozen=True, slots=True)
class FacetValue:
    id: int | str
    name: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    query: str
    sort: str
    filters: SearchFilters
    items: list  # catalog_selectors.PartSummary, in result order
    total: int
    page: PageRequest
    exact_matches: list = field(default_factory=list)
    categories: list[FacetValue] = field(default_factory=list)
    brands: list[FacetValue] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    unfiltered_total: int | None = None  # when filters hid every match
    # What was searched when it is not what was typed: typos corrected
    # ("Showing results for alternator. Search instead for alternater").
    corrected_query: str | None = None
    vehicle: VehicleMention | None = None  # the vehicle the query named, a fit filter
    relaxed: bool = False  # no part matched every word; these match some
    # No part for the vehicle named matched: these are for other vehicles.
    other_vehicles: bool = False
    # The search index is missing or damaged: what the shopper is told. Exact
    # SKU and part numbers (and browsing) are answered from the database.
    notice: str | None = None
    # Marketplace offers (sources.OfferSummary) matching the same reading of
    # the query: beside the parts, or the paged results when the shopper
    # chose marketplace sellers (then `items` is empty and `total` counts them).
    offers: list = field(default_factory=list)
    offers_total: int = 0
    conditions: list[FacetValue] = field(default_factory=list)
    seller_types: list[FacetValue] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_RESULT_WINDOW) // self.page.size))

    @property
    def has_next(self) -> bool:
        return self.page.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page.number > 1


def words_of(query: str) -> list[str]:
    """The query's words, lower-cased; punctuation and query syntax are dropped,
    so nothing a shopper types is interpreted as an operator."""
    return [w for w in WORD_RE.findall(query.lower()) if len(w) <= 40][:MAX_WORDS]


def _filter_clauses(filters: SearchFilters, *, skip: str | None = None) -> list:
    schema, Occur, Q_ = backend.SCHEMA, tantivy.Occur, tantivy.Query
    clauses = []
    if filters.category_id and skip != "category":
        clauses.append(Q_.term_query(schema, "category_tree", filters.category_id))
    if filters.brand_id and skip != "brand":
        clauses.append(Q_.term_query(schema, "brand", filters.brand_id))
    if filters.min_price is not None or filters.max_price is not None:
        low = int(filters.min_price * 100) if filters.min_price is not None else 0
        high = int(filters.max_price * 100) if filters.max_price is not None else 2**62
        clauses.append(Q_.range_query(schema, "price", tantivy.FieldType.Unsigned, low, high))
    if filters.in_stock:
        clauses.append(Q_.term_query(schema, "in_stock", True))
    if filters.vehicle_id:
        clauses.append(Q_.term_query(schema, "vehicles", filters.vehicle_id))
    if filters.condition and skip != "condition":
        clauses.append(Q_.term_query(schema, "condition", sources.CONDITIONS[filters.condition]))
    return [(Occur.Must, c) for c in clauses]


def _kind_clause(code: int) -> tuple:
    return (tantivy.Occur.Must, tantivy.Query.term_query(backend.SCHEMA, "kind", code))


def _offer_source() -> sources.DocumentSource | None:
    return sources.get(OFFER_KIND)


def _combine(text: tantivy.Query, clauses: list, exclude: list[int]) -> tantivy.Query:
    if not clauses and not exclude:
        return text
    parts = [(tantivy.Occur.Must, text), *clauses]
    if exclude:
        parts.append(
            (tantivy.Occur.MustNot, tantivy.Query.term_set_query(backend.SCHEMA, "pid", exclude))
        )
    return tantivy.Query.boolean_query(parts)


def _exact_matches(query: str, filters: SearchFilters) -> tuple[list[int], bool]:
    """Parts whose SKU or MPN is exactly what was typed (C5: these come
    first); failing that, one word of it that looks like a part number
    ("motorcraft fl-820s"). Says whether the whole query was one."""
    if not filters.store_parts_may_match:
        return [], False
    found = _parts_with_code([query.strip()], filters)
    words = query.split()
    if found or not 1 < len(words) <= MAX_CODE_WORDS:
        return found, bool(found)
    # A model year, an engine size or "160" (amps) beside the part is no part number.
    codes = [
        w
        for w in words
        if any(c.isdigit() for c in w)
        and len(normalize_code(w)) >= 4
        and not YEAR_OR_LITRES.fullmatch(w)
    ]
    return _parts_with_code(codes, filters), False


def _parts_with_code(codes: list[str], filters: SearchFilters) -> list[int]:
    condition = Q()
    for code in codes:
        key = normalize_code(code)
        if 3 <= len(key) <= 60:
            condition |= Q(sku=code.upper()) | Q(mpn_key=key)
    if not condition:
        return []
    match = Part.objects.filter(condition, is_active=True)
    if filters.condition:
        match = match.filter(condition=CATALOGUE_CONDITIONS[filters.condition])
    if filters.brand_id:
        match = match.filter(brand_id=filters.brand_id)
    return list(match.values_list("id", flat=True)[:10])


def search_parts(
    *,
    query: str,
    filters: SearchFilters | None = None,
    sort: str = "best",
    page: PageRequest | None = None,
    garage_vehicle_id: int | None = None,
    spell: bool = True,
    detect_vehicle: bool = True,
) -> SearchResult:
    """One page of parts matching `query` and `filters`, with facets. Each
    result says whether it fits `garage_vehicle_id` (or the vehicle filter).

    The query is read as a shopper means it (`understanding`): synonyms,
    joined and split words, a vehicle named in it (unless `detect_vehicle`
    is off: the shopper removed it). When the words as typed find nothing or
    very little and `spell` is on, typos are corrected and the corrected
    search is shown if it finds more."""
    filters = filters or SearchFilters()
    page = page or PageRequest(1, 24)
    query = (query or "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise BadSearch(f"Searches are limited to {MAX_QUERY_CHARS} characters.")
    if sort not in SORTS:
        raise BadSearch("Unknown sort order; choose best match or price.")
    if page.offset + page.size > MAX_RESULT_WINDOW:
        raise BadPage("That page is too deep; narrow the search with a filter instead.")

    try:
        index = _open_index()
        return _search_index(
            index, query, filters, sort, page, garage_vehicle_id, spell, detect_vehicle
        )
    except (BadSearch, BadPage):
        raise
    except backend.IndexUnavailable as problem:
        log.warning("search without the index: %s", problem)
    except BaseException as error:
        if not backend.is_index_failure(error):
            raise
        log.warning("search without the index: %s", backend.mark_damaged(error))
    return _search_database(query, filters, sort, page, garage_vehicle_id)


def _open_index() -> tantivy.Index:
    try:
        return backend.index()
    except backend.IndexMissing:
        if Part.objects.filter(is_active=True).exists():
            raise
        backend.create_empty()  # nothing to find yet; the first sync builds it
        return backend.index()


def _search_index(
    index, query, filters, sort, page, garage_vehicle_id, spell, detect_vehicle
) -> SearchResult:
    searcher = index.searcher()
    offer_source = _offer_source()
    # The paged list: the store's parts, or the offers when the shopper chose
    # marketplace sellers.
    offers_paged = filters.seller == "marketplace"
    if offers_paged and offer_source is None:
        return _nothing(query, filters, sort, page)
    paged_kind = offer_source.code if offers_paged else sources.PART_KIND
    exact, whole_code = _exact_matches(query, filters) if query else ([], False)
    clauses = [*_filter_clauses(filters), _kind_clause(paged_kind)]
    kwargs = {}
    if sort != "best":
        kwargs = {
            "order_by_field": "price",
            "order": tantivy.Order.Asc if sort == "price_asc" else tantivy.Order.Desc,
        }

    def page_of(text: tantivy.Query):
        full = _combine(text, clauses, exact)
        return searcher.search(full, limit=page.size, offset=page.offset, count=True, **kwargs)

    typed = understanding.understand(query, vehicles=detect_vehicle)
    reading = _Reading(typed, typed.query(index), 0)
    result = page_of(reading.query)
    reading.total = result.count or 0
    if reading.total < FEW_RESULTS and query:
        # Nothing or very little: the ladder of other readings, counted
        # first, and the page searched again only if one of them wins.
        reading = _read(
            query,
            typed=reading,
            index=index,
            count=lambda q: searcher.search(_combine(q, clauses, exact), limit=1, count=True).count,
            spell=spell and not whole_code,
            detect_vehicle=detect_vehicle,
            fallbacks=not whole_code,
        )
        if reading.understood is not typed or reading.relaxed or reading.other_vehicles:
            result = page_of(reading.query)
    text, total = reading.query, reading.total
    vehicle = reading.understood.vehicle
    fit_vehicle = filters.vehicle_id or garage_vehicle_id
    addresses = [addr for _, addr in result.hits]
    pids = [] if offers_paged else [int(p) for p in searcher.fast_field_values("pid", addresses)]

    categories, brands = _facets(searcher, text, filters, exact, total=total, kind=paged_kind)
    shown_exact = exact if page.number == 1 else []
    summaries = catalog_selectors.part_summaries(shown_exact + pids, vehicle_id=fit_vehicle)
    exact_items = [p for p in summaries if p.id in set(shown_exact)]
    offers, offers_total = [], 0
    if offers_paged:
        refs = [int(r) for r in searcher.fast_field_values("ref", addresses)]
        offers, offers_total = offer_source.summaries(refs, fit_vehicle), total
    elif offer_source is not None and filters.seller is None:
        beside = searcher.search(
            _combine(text, [*_filter_clauses(filters), _kind_clause(offer_source.code)], []),
            limit=OFFERS_BESIDE,
            count=True,
            **kwargs,
        )
        refs = [
            int(r) for r in searcher.fast_field_values("ref", [addr for _, addr in beside.hits])
        ]
        offers, offers_total = offer_source.summaries(refs, fit_vehicle), beside.count or 0
    conditions, seller_types = (
        _offer_facets(searcher, text, filters, exact, offer_source)
        if offer_source is not None
        else ([], [])
    )
    search = SearchResult(
        query=query,
        sort=sort,
        filters=filters,
        page=page,
        total=total,
        items=[p for p in summaries if p.id not in set(shown_exact)],
        exact_matches=exact_items,
        categories=categories,
        brands=brands,
        corrected_query=reading.corrected,
        vehicle=vehicle,
        relaxed=reading.relaxed,
        other_vehicles=reading.other_vehicles,
        offers=offers,
        offers_total=offers_total,
        conditions=conditions,
        seller_types=seller_types,
    )
    if total == 0 and not exact:
        if filters.active:
            search.unfiltered_total = searcher.search(
                _combine(text, [_kind_clause(paged_kind)], []), limit=1, count=True
            ).count
        search.suggestions = _suggestions(searcher, words_of(query))
    return search


def _nothing(query: str, filters: SearchFilters, sort: str, page: PageRequest) -> SearchResult:
    return SearchResult(query=query, sort=sort, filters=filters, items=[], total=0, page=page)


SEARCH_DOWN_NOTICE = (
    "Search is not fully working right now. We can still find a part by its exact "
    "part number or SKU, and you can find parts by vehicle or browse the categories."
)
DB_SORTS = {"best": ("name", "id"), "price_asc": ("price", "id"), "price_desc": ("-price", "-id")}


def _search_database(
    query: str,
    filters: SearchFilters,
    sort: str,
    page: PageRequest,
    garage_vehicle_id: int | None,
) -> SearchResult:
    """Degraded, not down (B3): without the index a query finds exact SKUs
    and part numbers, and browsing a category or brand lists its parts,
    from the database; no facets, no typo correction."""
    fit_vehicle = filters.vehicle_id or garage_vehicle_id
    exact, _ = _exact_matches(query, filters) if query else ([], False)
    ids: list[int] = []
    total = 0
    if not query and filters.store_parts_may_match:
        parts = _browse_in_database(filters)
        total = parts.count()
        ids = list(
            parts.order_by(*DB_SORTS[sort]).values_list("id", flat=True)[
                page.offset : page.offset + page.size
            ]
        )
    shown_exact = exact if page.number == 1 else []
    summaries = {
        p.id: p for p in catalog_selectors.part_summaries(shown_exact + ids, vehicle_id=fit_vehicle)
    }
    return SearchResult(
        query=query,
        sort=sort,
        filters=filters,
        page=page,
        total=total,
        items=[summaries[i] for i in ids if i in summaries],
        exact_matches=[summaries[i] for i in shown_exact if i in summaries],
        notice=SEARCH_DOWN_NOTICE,
    )


def _browse_in_database(filters: SearchFilters):
    parts = Part.objects.filter(is_active=True)
    if filters.category_id:
        nodes = catalog_selectors.category_nodes()
        within = {filters.category_id}
        for node in nodes.values():
            chain = node
            while chain is not None and chain.id not in within:
                chain = nodes.get(chain.parent_id) if chain.parent_id else None
            if chain is not None:
                within.add(node.id)
        parts = parts.filter(category_id__in=within)
    if filters.brand_id:
        parts = parts.filter(brand_id=filters.brand_id)
    if filters.condition:
        parts = parts.filter(condition=CATALOGUE_CONDITIONS[filters.condition])
    if filters.min_price is not None:
        parts = parts.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        parts = parts.filter(price__lte=filters.max_price)
    if filters.in_stock:
        parts = parts.filter(
            Exists(StockLevel.objects.filter(part_id=OuterRef("pk"), quantity__gt=F("reserved")))
        )
    if filters.vehicle_id:
        parts = parts.filter(
            Exists(Fitment.objects.filter(part_id=OuterRef("pk"), vehicle_id=filters.vehicle_id))
        )
    return parts


@dataclass
class _Reading:
    understood: understanding.Understood
    query: tantivy.Query
    total: int
    corrected: str | None = None
    relaxed: bool = False
    other_vehicles: bool = False


def _read(
    query: str, *, typed: _Reading, index, count, spell: bool, detect_vehicle: bool, fallbacks: bool
) -> _Reading:
    """The reading of `query` to show, by `count` of matches, when the words
    as `typed` found fewer than FEW_RESULTS: corrected when that finds more;
    then, when nothing matches every word, parts matching some of the words
    (as typed or corrected); then parts for other vehicles than the one named."""
    best = typed
    readings = [typed.understood]
    if spell and best.total < FEW_RESULTS and query:
        fixed = understanding.understand(query, spell=True, vehicles=detect_vehicle)
        if fixed.corrections:
            readings.insert(0, fixed)
            fixed_query = fixed.query(index)
            fixed_total = count(fixed_query) or 0
            if fixed_total > best.total:
                best = _Reading(fixed, fixed_query, fixed_total, corrected=fixed.text)
    if best.total or not fallbacks:
        return best
    # Some of the words: each as typed or corrected.
    loosest = typed.understood.merged(readings[0])
    if len(loosest.slots) > 1:
        loose = loosest.query(index, relaxed=True)
        if found := count(loose):
            return _Reading(loosest, loose, found, relaxed=True)
    for reading in readings:
        if reading.vehicle is not None and reading.slots:
            anywhere = reading.query(index, any_vehicle=True)
            if found := count(anywhere):
                corrected = reading.text if reading.corrections else None
                return _Reading(reading, anywhere, found, corrected, other_vehicles=True)
    return best


CATEGORY_AGG = {"terms": {"field": "category", "size": 2000}}
BRAND_AGG = {"terms": {"field": "brand", "size": 30}}


def _facets(
    searcher: tantivy.Searcher,
    text: tantivy.Query,
    filters: SearchFilters,
    exact: list[int],
    *,
    total: int,
    kind: int = sources.PART_KIND,
) -> tuple[list[FacetValue], list[FacetValue]]:
    """Counts by category and brand. Each facet ignores its own filter, so a
    shopper sees how many results the other brands or categories would give."""
    of_kind = _kind_clause(kind)
    if filters.category_id or filters.brand_id:
        by_category = searcher.aggregate(
            _combine(text, [*_filter_clauses(filters, skip="category"), of_kind], exact),
            {"c": CATEGORY_AGG},
        )
        by_brand = searcher.aggregate(
            _combine(text, [*_filter_clauses(filters, skip="brand"), of_kind], exact),
            {"b": BRAND_AGG},
        )
    elif total:
        # Neither facet is filtered: one pass over the matches counts both.
        by_category = by_brand = searcher.aggregate(
            _combine(text, [*_filter_clauses(filters), of_kind], exact),
            {"c": CATEGORY_AGG, "b": BRAND_AGG},
        )
    else:
        return [], []
    category_counts = _bucket_counts(by_category["c"])
    brand_counts = _bucket_counts(by_brand["b"])
    categories = category_facets(category_counts, selected=filters.category_id)
    brand_names = catalog_selectors.brand_names(list(brand_counts)) if brand_counts else {}
    brands = [
        FacetValue(bid, brand_names[bid], n, bid == filters.brand_id)
        for bid, n in sorted(brand_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if bid in brand_names
    ]
    return categories, brands


KIND_AGG = {"terms": {"field": "kind", "size": 16}}
CONDITION_AGG = {"terms": {"field": "condition", "size": 16}}


def _offer_facets(
    searcher: tantivy.Searcher,
    text: tantivy.Query,
    filters: SearchFilters,
    exact: list[int],
    offers: sources.DocumentSource,
) -> tuple[list[FacetValue], list[FacetValue]]:
    """Counts by condition and by seller type (the store, marketplace
    sellers) over the parts and offers matching; each facet ignores its own
    filter."""
    kinds = {"store": sources.PART_KIND, "marketplace": offers.code}
    seller_clause = [_kind_clause(kinds[filters.seller])] if filters.seller else []
    if filters.condition or filters.seller:
        by_kind = searcher.aggregate(
            _combine(text, _filter_clauses(filters), exact), {"k": KIND_AGG}
        )
        by_condition = searcher.aggregate(
            _combine(text, [*_filter_clauses(filters, skip="condition"), *seller_clause], exact),
            {"c": CONDITION_AGG},
        )
    else:
        by_kind = by_condition = searcher.aggregate(
            _combine(text, _filter_clauses(filters), exact), {"k": KIND_AGG, "c": CONDITION_AGG}
        )
    kind_counts = _bucket_counts(by_kind["k"])
    condition_counts = _bucket_counts(by_condition["c"])
    seller_types = [
        FacetValue(key, label, kind_counts[kinds[key]], key == filters.seller)
        for key, label in SELLER_TYPES.items()
        if kind_counts.get(kinds[key])
    ]
    conditions = [
        FacetValue(
            key, sources.CONDITION_LABELS[key], condition_counts[code], key == filters.condition
        )
        for key, code in sources.CONDITIONS.items()
        if condition_counts.get(code)
    ]
    return conditions, seller_types


def indexed_counts() -> dict[str, int]:
    """How many documents of each kind ("part", and each source's) this
    host's index holds."""
    searcher = backend.searcher()
    counts = _bucket_counts(searcher.aggregate(tantivy.Query.all_query(), {"k": KIND_AGG})["k"])
    names = {sources.PART_KIND: "part", **{s.code: s.kind for s in sources.registered()}}
    return {names.get(code, str(code)): n for code, n in counts.items()}


def parts_per_brand() -> dict[int, int]:
    try:
        searcher = backend.searcher()
    except backend.IndexUnavailable:  # degraded: the database counts, more slowly
        return dict(
            Part.objects.filter(is_active=True)
            .values("brand_id")
            .annotate(n=Count("id"))
            .values_list("brand_id", "n")
        )
    aggregation = searcher.aggregate(
        tantivy.Query.term_query(backend.SCHEMA, "kind", sources.PART_KIND),
        {"b": {"terms": {"field": "brand", "size": 100_000}}},
    )
    return _bucket_counts(aggregation["b"])


def brands_with_counts() -> list[dict]:
    """Every brand with how many parts it has on sale, counted by the search
    index (a GROUP BY over a million parts would take a second)."""
    counts = parts_per_brand()
    return [
        {**b, "parts": counts.get(b["id"], 0)} for b in Brand.objects.values("id", "name", "slug")
    ]


def category_facets(leaf_counts: dict[int, int], *, selected: int | None):
    """Roll leaf counts up the tree; show the children of the selected
    category (or the top level) with how many results each holds."""
    nodes = catalog_selectors.category_nodes()
    if any(leaf not in nodes for leaf in leaf_counts):  # a category newer than the cache
        catalog_selectors.forget_category_tree()
        nodes = catalog_selectors.category_nodes()
    totals: dict[int, int] = defaultdict(int)
    for leaf, count in leaf_counts.items():
        node = nodes.get(leaf)
        while node is not None:
            totals[node.id] += count
            node = nodes.get(node.parent_id) if node.parent_id else None
    children = catalog_selectors.category_children()
    shown = children.get(selected, []) if selected else children[None]
    facets = [FacetValue(n.id, n.name, totals[n.id]) for n in shown if totals.get(n.id)]
    return sorted(facets, key=lambda f: (-f.count, f.name))


def _bucket_counts(aggregation: dict) -> dict[int, int]:
    return {int(b["key"]): int(b["doc_count"]) for b in aggregation.get("buckets", [])}


def _suggestions(searcher: tantivy.Searcher, words: list[str]) -> list[str]:
    """'Did you mean': each word replaced by the closest catalogue word."""
    if not words:
        return []
    corrected, changed = [], False
    for word in words:
        if searcher.doc_freq("words", word):
            corrected.append(word)
            continue
        candidates = [t for t, _ in searcher.terms_with_prefix("words", word[:1], limit=5000)]
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
        if close:
            corrected.append(close[0])
            changed = True
        else:
            corrected.append(word)
    return [" ".join(corrected)] if changed else []


# A host whose worker has not applied the change log for this long is stale.
FOLLOWER_STALE_SECONDS = 60


def index_health() -> str | None:
    """For /healthz: None when this host's index opens and its worker keeps
    it current from the change log; else why not, and what repairs it."""
    try:
        backend.index()
    except backend.IndexUnavailable as problem:
        if (
            isinstance(problem, backend.IndexMissing)
            and not Part.objects.filter(is_active=True).exists()
        ):
            return None  # an empty catalogue has nothing to find
        return f"{problem}; search answers exact part numbers only until `camshaft reindex`"
    host = IndexHost.objects.filter(host_id=backend.host_id())
    seen = host.values_list("seen_at", flat=True).first()
    if seen is None:
        return "this host's search index is not following the change log (run `camshaft worker`)"
    behind = (timezone.now() - seen).total_seconds()
    if behind > FOLLOWER_STALE_SECONDS:
        return (
            f"this host's search index has not applied the change log for {behind:.0f} s "
            "(is `camshaft worker` running?)"
        )
    return None
