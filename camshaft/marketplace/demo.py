"""Demo sellers and their listings over the demo catalogue (M1), so a new
demo store shows the marketplace and `camshaft bench` can measure search
with listings in the index. One builder for both."""

import random
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from camshaft.accounts.models import Address
from camshaft.catalog.building import analyze
from camshaft.catalog.models import Part
from camshaft.fitment.models import Vehicle
from camshaft.marketplace import indexing
from camshaft.marketplace.models import Listing, ListingCondition, Report, Seller, SellerTerms

DEMO_SELLERS = ("wrenchworks", "junkyard-joe", "reman-depot", "garage_finds", "pullapart-pete")
DEMO_EMAIL_DOMAIN = "sellers.demo.example.com"
DEMO_TERMS_VERSION = "demo-1"
#: `camshaft demo`: one listing per this many parts, up to DEMO_LISTINGS_CAP.
PARTS_PER_LISTING = 10
DEMO_LISTINGS_CAP = 2_000
#: Of the listings, this share names its own vehicles instead of a catalogue part.
FREE_STANDING_SHARE = 0.15
BATCH = 5_000
# How a seller prices each condition against the store's price, and how often.
CONDITION_MIX = (
    (ListingCondition.USED, 0.5, (Decimal("0.35"), Decimal("0.80"))),
    (ListingCondition.NEW, 0.25, (Decimal("0.85"), Decimal("1.00"))),
    (ListingCondition.REMANUFACTURED, 0.25, (Decimal("0.55"), Decimal("0.90"))),
)
CONDITION_NOTES = {
    ListingCondition.USED: "Pulled from a running vehicle; light wear.",
    ListingCondition.NEW: "New in the box, never fitted.",
    ListingCondition.REMANUFACTURED: "Rebuilt to factory specification and tested.",
}


def demo_listing_count(parts: int) -> int:
    return min(DEMO_LISTINGS_CAP, parts // PARTS_PER_LISTING)


@dataclass(frozen=True)
class DemoListings:
    sellers: int
    listings: int
    free_standing: int


def demo_sellers() -> list[Seller]:
    """The demo sellers, made once (an adult member each, with no usable
    password and a fictional address, under the current terms or demo terms
    when there are none)."""
    terms = SellerTerms.objects.order_by("-published_at", "-pk").first()
    if terms is None:
        terms = SellerTerms.objects.create(
            version=DEMO_TERMS_VERSION,
            body="Demo seller terms: ship within two business days; describe parts honestly.",
            published_at=timezone.now(),
        )
    users = get_user_model().objects
    sellers = []
    for public_id in DEMO_SELLERS:
        user = users.filter(email=f"{public_id}@{DEMO_EMAIL_DOMAIN}").first()
        if user is None:
            user = users.create_user(
                email=f"{public_id}@{DEMO_EMAIL_DOMAIN}", date_of_birth=date(1980, 1, 1)
            )
        if not user.addresses.exists():
            # M2: a seller's buyers receive their address; a fictional one here.
            Address.objects.create(
                user=user,
                full_name=f"Demo seller {public_id}",
                line1=f"{DEMO_SELLERS.index(public_id) + 1} Demo Street",
                city="Dayton",
                region="OH",
                postal_code="45402",
                country="US",
                default_billing=True,
            )
        seller, _ = Seller.objects.get_or_create(
            user=user,
            defaults={"public_id": public_id, "terms": terms, "accepted_at": timezone.now()},
        )
        sellers.append(seller)
    return sellers


def _price(store_price: Decimal, low: Decimal, high: Decimal, rng: random.Random) -> Decimal:
    factor = low + (high - low) * Decimal(rng.randint(0, 100)) / 100
    return max(Decimal("1.00"), (store_price * factor).quantize(Decimal("0.01"), ROUND_HALF_UP))


@transaction.atomic
def build_demo_listings(*, count: int, seed: int = 1, progress: bool = False) -> DemoListings:
    """`count` listings on sale across the demo sellers, over random parts
    of the catalogue (bulk inserts), their ids put in search's change log
    in the same transaction (the worker, or the caller's sync, indexes
    them)."""
    if count < 1:
        return DemoListings(0, 0, 0)
    rng = random.Random(f"camshaft-demo-listings:{seed}")
    part_ids = list(Part.objects.filter(is_active=True).values_list("pk", flat=True))
    vehicle_ids = list(Vehicle.objects.values_list("pk", flat=True))
    if not part_ids:
        return DemoListings(0, 0, 0)
    sellers = demo_sellers()
    chosen = [rng.choice(part_ids) for _ in range(count)]
    conditions = [c for c, _, _ in CONDITION_MIX]
    weights = [w for _, w, _ in CONDITION_MIX]
    factors = {c: f for c, _, f in CONDITION_MIX}
    bar = tqdm(total=count, desc="marketplace listings", unit="listing", disable=not progress)
    made = free = 0
    for start in range(0, count, BATCH):
        batch = chosen[start : start + BATCH]
        parts = {
            pk: (name, price)
            for pk, name, price in Part.objects.filter(pk__in=set(batch)).values_list(
                "pk", "name", "price"
            )
        }
        listings, fits = [], []
        for part_id in batch:
            condition = rng.choices(conditions, weights)[0]
            standing = bool(vehicle_ids) and rng.random() < FREE_STANDING_SHARE
            listings.append(
                Listing(
                    seller=rng.choice(sellers),
                    part_id=None if standing else part_id,
                    title=f"{parts[part_id][0]} ({condition.label.lower()})",
                    condition=condition,
                    price=_price(parts[part_id][1], *factors[condition], rng),
                    currency=settings.STORE_CURRENCY,
                    quantity=rng.randint(1, 5),
                    condition_notes=CONDITION_NOTES[condition],
                    return_days=rng.choice((0, 14, 30)),
                )
            )
            fits.append(rng.sample(vehicle_ids, min(len(vehicle_ids), 3)) if standing else [])
        Listing.objects.bulk_create(listings, batch_size=BATCH)
        Listing.vehicles.through.objects.bulk_create(
            [
                Listing.vehicles.through(listing_id=listing.pk, vehicle_id=vehicle_id)
                for listing, vehicles in zip(listings, fits, strict=True)
                for vehicle_id in vehicles
            ],
            batch_size=BATCH,
        )
        indexing.queue(listing.pk for listing in listings)
        made += len(listings)
        free += sum(1 for vehicles in fits if vehicles)
        bar.update(len(listings))
    bar.close()
    analyze([Seller, Listing, Listing.vehicles.through])
    return DemoListings(len(sellers), made, free)


@transaction.atomic
def remove_demo_listings() -> int:
    """Delete the demo sellers' listings (before the demo catalogue is
    replaced: listings protect their parts). Their ids enter the change log
    in one insert rather than a signal each."""
    mine = Listing.objects.filter(seller__user__email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    ids = list(mine.values_list("pk", flat=True))
    if not ids:
        return 0
    indexing.queue(ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        Listing.vehicles.through.objects.filter(listing_id__in=chunk).delete()
        Report.objects.filter(listing_id__in=chunk).delete()
        # A plain DELETE: a post_delete signal per listing would add the
        # same entries again, one insert each.
        Listing.objects.filter(pk__in=chunk)._raw_delete(Listing.objects.db)
    return len(ids)
