"""Listings in the store's search (M1): the "listing" documents search keeps.

Search may not import the marketplace, so the marketplace registers a
`search.sources.DocumentSource` (in `MarketplaceConfig.ready()`) and puts
every change of a listing in search's change log in the transaction that
makes it: a save of a listing (also `save(update_fields=...)`, as checkout
does when it sells units), a deletion, a change of its vehicles, a change
of its seller (suspension). Each host's worker applies the log, so a
listing that leaves `selectors.on_sale()` leaves every host's search
within about a second. A linked listing's document carries its part's
category, brand, codes and fitment, and is rewritten with the part.
"""

from collections.abc import Iterable, Iterator

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse

from camshaft.catalog.models import Part
from camshaft.fitment.models import Fitment
from camshaft.marketplace import selectors
from camshaft.marketplace.models import Listing, Seller
from camshaft.search import services as search_services
from camshaft.search import sources
from camshaft.search.documents import Lookups, price_cents

KIND = "listing"
#: The index's `kind` code of listings (0 is the store's parts).
KIND_CODE = 1
BATCH = 5_000


def queue(listing_ids: Iterable[int]) -> None:
    """These listings' search documents are stale: into the change log, in
    the caller's transaction."""
    search_services.queue_reindex(listing_ids, kind=KIND)


def queue_seller(seller_id: int) -> None:
    queue(Listing.objects.filter(seller_id=seller_id).values_list("pk", flat=True))


_LISTING_COLUMNS = (
    "pk",
    "seller__public_id",
    "part_id",
    "title",
    "condition",
    "price",
    "description",
    "condition_notes",
)
_PART_COLUMNS = ("pk", "name", "sku", "mpn", "category_id", "brand_id")


def _documents(rows: list[tuple], lookups: Lookups) -> list[sources.SourceDoc]:
    """Documents for listing rows (`_LISTING_COLUMNS`), their parts and
    vehicles read in three queries whatever the number."""
    part_ids = {row[2] for row in rows if row[2]}
    parts = {p[0]: p for p in Part.objects.filter(pk__in=part_ids).values_list(*_PART_COLUMNS)}
    fitted: dict[int, list[int]] = {}
    for part_id, vehicle_id in Fitment.objects.filter(part_id__in=part_ids).values_list(
        "part_id", "vehicle_id"
    ):
        fitted.setdefault(part_id, []).append(vehicle_id)
    own: dict[int, list[int]] = {}
    free = [row[0] for row in rows if not row[2]]
    for listing_id, vehicle_id in Listing.vehicles.through.objects.filter(
        listing_id__in=free
    ).values_list("listing_id", "vehicle_id"):
        own.setdefault(listing_id, []).append(vehicle_id)
    docs = []
    for pk, public_id, part_id, title, condition, price, description, notes in rows:
        part = parts.get(part_id)
        if part is not None:
            _, name, sku, mpn, category_id, brand_id = part
            vehicle_ids = fitted.get(part_id, [])
            words = [name, sku, mpn]
        else:
            category_id = brand_id = None
            vehicle_ids = own.get(pk, [])
            words = []
        docs.append(
            sources.SourceDoc(
                ref=pk,
                name=title,
                keywords=lookups.keywords(
                    brand_id=brand_id,
                    category_id=category_id,
                    words=[*words, condition, public_id],
                    vehicle_ids=vehicle_ids,
                ),
                body=" ".join(t for t in (description, notes) if t),
                price_cents=price_cents(price),
                condition=condition,
                category_id=category_id,
                brand_id=brand_id,
                vehicle_ids=vehicle_ids,
            )
        )
    return docs


def documents(listing_ids: list[int], lookups: Lookups) -> list[sources.SourceDoc]:
    """Documents of those of `listing_ids` on sale; the rest leave the index."""
    docs = []
    for start in range(0, len(listing_ids), BATCH):
        chunk = listing_ids[start : start + BATCH]
        rows = list(selectors.on_sale().filter(pk__in=chunk).values_list(*_LISTING_COLUMNS))
        docs.extend(_documents(rows, lookups))
    return docs


def all_documents(lookups: Lookups) -> Iterator[sources.SourceDoc]:
    """Every listing on sale, in id order, in batches."""
    last = 0
    while rows := list(
        selectors.on_sale()
        .filter(pk__gt=last)
        .order_by("pk")
        .values_list(*_LISTING_COLUMNS)[:BATCH]
    ):
        yield from _documents(rows, lookups)
        last = rows[-1][0]


def depending_on_parts(part_ids: list[int]) -> list[int]:
    """Listings linked to these parts: their documents carry the parts' data."""
    return list(selectors.on_sale().filter(part_id__in=part_ids).values_list("pk", flat=True))


def summaries(listing_ids: list[int], vehicle_id: int | None) -> list[sources.OfferSummary]:
    """What a search result shows of each listing on sale, in the order
    given, in one query (sellers' scores and the vehicle's fit beside each)."""
    found = selectors.with_scores(
        selectors.on_sale()
        .filter(pk__in=listing_ids)
        .select_related("seller", "part")
        .only(
            "pk",
            "title",
            "condition",
            "price",
            "currency",
            "quantity",
            "part__sku",
            "seller__public_id",
            "seller__user_id",
        )
    )
    if vehicle_id:
        found = selectors.with_fit(found, vehicle_id)
    listings = {listing.pk: listing for listing in found}
    out = []
    for pk in listing_ids:
        listing = listings.get(pk)
        if listing is None:  # left sale since the index was read
            continue
        score = selectors.score_of(listing)
        out.append(
            sources.OfferSummary(
                id=pk,
                title=listing.title,
                condition=listing.condition,
                price=listing.price,
                currency=listing.currency,
                quantity=listing.quantity,
                seller=listing.seller.public_id,
                seller_url=reverse("seller_profile", args=[listing.seller.public_id]),
                url=reverse("listing_page", args=[pk]),
                score_percent=score.percent_positive if score.count else None,
                score_count=score.count,
                part_sku=listing.part.sku if listing.part_id else None,
                fits=listing.fits if vehicle_id else None,
            )
        )
    return out


SOURCE = sources.DocumentSource(
    kind=KIND,
    code=KIND_CODE,
    label="Marketplace sellers",
    documents=documents,
    all_documents=all_documents,
    count=lambda: selectors.on_sale().count(),
    depending_on_parts=depending_on_parts,
    summaries=summaries,
)


def _listing_saved(sender, instance, **kwargs):
    queue([instance.pk])


def _vehicles_changed(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Listing):
        queue([instance.pk])
    elif pk_set:  # changed from the vehicle's side
        queue(pk_set)


def _seller_saved(sender, instance, created, **kwargs):
    if not created:
        queue_seller(instance.pk)


def connect() -> None:
    """Register the listing documents and the hooks that keep them current."""
    sources.register(SOURCE)
    post_save.connect(_listing_saved, sender=Listing, dispatch_uid="marketplace-index-listing")
    post_delete.connect(_listing_saved, sender=Listing, dispatch_uid="marketplace-index-gone")
    m2m_changed.connect(
        _vehicles_changed, sender=Listing.vehicles.through, dispatch_uid="marketplace-index-fit"
    )
    post_save.connect(_seller_saved, sender=Seller, dispatch_uid="marketplace-index-seller")
