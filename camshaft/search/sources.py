"""Documents of other kinds than the store's parts, supplied by the apps above search.

Search sits in layer 6 and may not import the apps above it, yet some of
them have rows shoppers should find beside the parts (the marketplace's
listings). Such an app registers a `DocumentSource` here in its
`AppConfig.ready()`, and its writers call
`search.services.queue_reindex(ids, kind=...)` in their transaction: the
rows then travel through the same ordered change log as the parts, so
every host's index stays current, and a full rebuild includes them.

Search owns the shape of what the source hands back (`SourceDoc` for the
index, `OfferSummary` for a result page); the source owns which rows are
shown and how they are read.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import tantivy

#: The index's `kind` of the store's own parts; a source's code is above it.
PART_KIND = 0
#: Conditions a part or an offer may be in, as the index's `condition` codes.
CONDITIONS = {"new": 0, "used": 1, "remanufactured": 2}
CONDITION_LABELS = {"new": "New", "used": "Used", "remanufactured": "Remanufactured"}


@dataclass(slots=True)
class SourceDoc:
    """One row of a source as the index holds it. Text goes into the same
    fields as a part's (so synonyms, vehicles named in the query and
    stemming work alike), but not into `words`: the store's own vocabulary
    (typo correction, suggestions, split words) stays the catalogue's."""

    ref: int
    name: str
    keywords: list[str]
    body: str
    price_cents: int
    condition: str
    category_id: int | None = None
    brand_id: int | None = None
    vehicle_ids: list[int] = field(default_factory=list)

    def to_tantivy(self, kind: int, category_tree: dict[int, tuple[int, ...]]) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_unsigned("kind", kind)
        doc.add_unsigned("ref", self.ref)
        doc.add_text("name", self.name)
        doc.add_text("keywords", " ".join(k for k in self.keywords if k))
        if self.body:
            doc.add_text("body", self.body)
        if self.category_id is not None:
            doc.add_unsigned("category", self.category_id)
            for ancestor in category_tree.get(self.category_id, (self.category_id,)):
                doc.add_unsigned("category_tree", ancestor)
        if self.brand_id is not None:
            doc.add_unsigned("brand", self.brand_id)
        doc.add_unsigned("price", self.price_cents)
        doc.add_boolean("in_stock", True)
        doc.add_unsigned("condition", CONDITIONS[self.condition])
        for vehicle_id in self.vehicle_ids:
            doc.add_unsigned("vehicles", vehicle_id)
        return doc


@dataclass(frozen=True, slots=True)
class OfferSummary:
    """What a search result shows of a source's row: "Sold by <user ID> ★ score"."""

    id: int
    title: str
    condition: str
    price: Decimal
    currency: str
    quantity: int
    seller: str  # the public user ID
    seller_url: str
    url: str  # the listing's own page, where it is bought
    score_percent: int | None  # None: no ratings yet
    score_count: int
    part_sku: str | None  # the catalogue part it is linked to, if any
    fits: bool | None  # for the vehicle searched for, when there is one

    @property
    def condition_label(self) -> str:
        return CONDITION_LABELS[self.condition]


@dataclass(frozen=True)
class DocumentSource:
    """A kind of document an app above search keeps in the index.

    - `documents(ids, lookups)`: the documents of those of `ids` that
      shoppers may find now; the others leave the index.
    - `all_documents(lookups)`: every such document, for a full rebuild.
    - `count()`: how many there are (a rebuild's progress bar).
    - `depending_on_parts(part_ids)`: ids whose documents hold these parts'
      data (a listing inherits its part's fitment), rewritten with them.
    - `summaries(ids, vehicle_id)`: what a result page shows, in `ids`' order.
    """

    kind: str
    code: int
    label: str  # for the seller-type facet: "Marketplace sellers"
    documents: Callable[[list[int], object], list[SourceDoc]]
    all_documents: Callable[[object], Iterator[SourceDoc]]
    count: Callable[[], int]
    depending_on_parts: Callable[[list[int]], list[int]]
    summaries: Callable[[list[int], int | None], list[OfferSummary]]


_sources: dict[str, DocumentSource] = {}


def register(source: DocumentSource) -> None:
    """Called from an AppConfig.ready(); registering the same kind again
    (a reloaded app) replaces it."""
    if source.code == PART_KIND:
        raise ValueError("kind code 0 is the store's parts")
    clash = [s for s in _sources.values() if s.code == source.code and s.kind != source.kind]
    if clash:
        raise ValueError(f"kind code {source.code} is taken by {clash[0].kind}")
    _sources[source.kind] = source


def get(kind: str) -> DocumentSource | None:
    return _sources.get(kind)


def registered() -> list[DocumentSource]:
    return sorted(_sources.values(), key=lambda s: s.code)
