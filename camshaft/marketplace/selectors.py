"""Reads of the marketplace: the seller terms in force, sellers, and the
store's fees (M4)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from camshaft.catalog.models import Category
from camshaft.core.money import Money
from camshaft.fitment.models import Fitment, Vehicle
from camshaft.marketplace import rules
from camshaft.marketplace.models import (
    CommissionRate,
    Listing,
    ListingPhoto,
    ListingStatus,
    Rating,
    RatingValue,
    SaleFee,
    Seller,
    SellerStatus,
    SellerTerms,
)


def current_terms() -> SellerTerms | None:
    return SellerTerms.objects.order_by("-published_at", "-pk").first()


def seller_of(user) -> Seller | None:
    if not user.is_authenticated:
        return None
    return Seller.objects.select_related("terms").filter(user=user).first()


def public_id_taken(public_id: str) -> bool:
    return Seller.objects.filter(public_id__iexact=public_id).exists()


def commission_percent(*, category: Category) -> Decimal:
    """M4: the commission on a sale of a part in `category`."""
    chain, node = [], category
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    rates = dict(CommissionRate.objects.values_list("category_id", "percent"))
    return rules.commission_percent(category_chain=chain, rates=rates)


def sale_fee(*, currency: str) -> Money:
    """M4: the fixed fee per sale in `currency` (none when staff set none)."""
    amount = SaleFee.objects.filter(currency=currency).values_list("amount", flat=True).first()
    return Money(amount if amount is not None else Decimal("0"), currency)


def listings_of(user):
    """The member's own listings, any status, for their seller pages."""
    return (
        Listing.objects.filter(seller__user_id=getattr(user, "pk", None))
        .select_related("part", "seller")
        .prefetch_related("vehicles", "photos")
    )


def own_listing(user, listing_id: int) -> Listing | None:
    return listings_of(user).filter(pk=listing_id).first()


def on_sale():
    """Listings shoppers see: active, in stock, by an active seller (M1, M5)."""
    return Listing.objects.filter(
        status=ListingStatus.ACTIVE, quantity__gt=0, seller__status=SellerStatus.ACTIVE
    )


def ratings_data(user) -> list[dict]:
    """Ratings the member gave or received, for Download my data (V3)."""
    return [
        {
            "given": rating.author_id == user.pk,
            "value": rating.value,
            "comment": rating.comment,
            "reply": rating.reply,
            "created_at": rating.created_at.isoformat(),
            "removed_reason": rating.removed_reason,
        }
        for rating in Rating.objects.filter(Q(author=user) | Q(subject=user))
    ]


def personal_data(user) -> list[dict]:
    """The member's seller record for Download my data (V3)."""
    return [
        {
            "public_user_id": s.public_id,
            "terms_version": s.terms.version,
            "accepted_at": s.accepted_at.isoformat(),
            "status": s.status,
            "terms_accepted": [
                {"version": a.terms.version, "accepted_at": a.accepted_at.isoformat()}
                for a in s.acceptances.all()
            ],
        }
        for s in Seller.objects.filter(user=user)
        .select_related("terms")
        .prefetch_related("acceptances__terms")
    ]


def listings_data(user) -> list[dict]:
    """The member's listings for Download my data (V3)."""
    return [
        {
            "id": listing.pk,
            "title": listing.title,
            "part_sku": listing.part.sku if listing.part_id else "",
            "condition": listing.condition,
            "price": str(listing.price),
            "currency": listing.currency,
            "quantity": listing.quantity,
            "description": listing.description,
            "condition_notes": listing.condition_notes,
            "return_days": listing.return_days,
            "status": listing.status,
            "created_at": listing.created_at.isoformat(),
        }
        for listing in listings_of(user)
    ]


# Reputation (M3) and what shoppers see --------------------------------------------


def scores_of(user_ids, *, now=None) -> dict[int, rules.Score]:
    """M3: each member's score over the last 12 months, in one query."""
    since = rules.score_window_start(now or timezone.now())
    rows = (
        Rating.objects.filter(
            subject_id__in=user_ids, removed_at__isnull=True, created_at__gte=since
        )
        .values("subject_id")
        .annotate(count=Count("pk"), positive=Count("pk", filter=Q(value=RatingValue.POSITIVE)))
    )
    found = {
        row["subject_id"]: rules.score(positive=row["positive"], count=row["count"]) for row in rows
    }
    return {pk: found.get(pk, rules.score(positive=0, count=0)) for pk in user_ids}


def visible_ratings(user):
    """Ratings of `user` that show in public: not removed, newest first."""
    return Rating.objects.filter(subject=user, removed_at__isnull=True).select_related(
        "author__seller"
    )


@dataclass(frozen=True)
class Profile:
    seller: Seller
    score: rules.Score
    comments: list[Rating]


#: How many comments a public profile shows.
PROFILE_COMMENTS = 20


def public_profile(public_id: str, *, now=None) -> Profile | None:
    """A seller's public profile by user ID (M3): score and recent comments.
    A suspended seller has none (M5)."""
    seller = (
        Seller.objects.filter(public_id__iexact=public_id, status=SellerStatus.ACTIVE)
        .select_related("user")
        .first()
    )
    if seller is None:
        return None
    score = scores_of([seller.user_id], now=now)[seller.user_id]
    comments = list(visible_ratings(seller.user)[:PROFILE_COMMENTS])
    return Profile(seller=seller, score=score, comments=comments)


@dataclass(frozen=True)
class Offer:
    """A marketplace listing as the part page shows it: "also sold by"."""

    listing: Listing
    public_id: str
    score: rules.Score


LISTED_SQL = (
    "SELECT 1 FROM marketplace_listing WHERE part_id = %s AND status = %s AND quantity > 0 LIMIT 1"
)


def also_sold_by(*, part, now=None, limit: int = 10) -> list[Offer]:
    """M1/M3: listings of `part` on sale, cheapest first, with their
    sellers' scores and first photos (four queries whatever the number). Almost no catalogue
    part is on the marketplace, so a cheap probe of (part, status) answers
    first: compiling the full query cost more than any part page's other reads."""
    with connection.cursor() as cursor:
        cursor.execute(LISTED_SQL, [part.pk, ListingStatus.ACTIVE])
        if cursor.fetchone() is None:
            return []
    listings = list(
        on_sale()
        .filter(part=part)
        .select_related("seller")
        .prefetch_related(first_photo())
        .order_by("price", "pk")[:limit]
    )
    scores = scores_of({listing.seller.user_id for listing in listings}, now=now)
    return [
        Offer(
            listing=listing,
            public_id=listing.seller.public_id,
            score=scores[listing.seller.user_id],
        )
        for listing in listings
    ]


# Listing photos (M1) and the public listing page -------------------------------------


def first_photo() -> Prefetch:
    """Each listing's first photo as `.first_photos` (a list of 0 or 1), in
    one query for any number of listings."""
    return Prefetch(
        "photos",
        queryset=ListingPhoto.objects.order_by("position", "pk")[:1],
        to_attr="first_photos",
    )


@dataclass(frozen=True)
class ListingPage:
    listing: Listing
    public_id: str
    score: rules.Score
    photos: list[ListingPhoto]
    vehicles: list
    more_vehicles: int


#: How many vehicles a listing page names; the rest are counted.
PAGE_VEHICLES = 50


def listing_page(listing_id: int, *, now=None) -> ListingPage | None:
    """M1: a listing on sale as shoppers see it, with the seller's public
    ID and score, its photos and the vehicles it fits (a linked listing's
    are its catalogue part's). None when it is not on sale."""
    listing = (
        on_sale()
        .select_related("seller__user", "part")
        .prefetch_related("photos")
        .filter(pk=listing_id)
    ).first()
    if listing is None:
        return None
    if listing.part_id:
        fits = Vehicle.objects.filter(fitments__part_id=listing.part_id).distinct()
    else:
        fits = listing.vehicles.all()
    fits = fits.select_related("make", "model", "submodel", "engine").order_by("-year", "pk")
    vehicles = list(fits[: PAGE_VEHICLES + 1])
    more = fits.count() - PAGE_VEHICLES if len(vehicles) > PAGE_VEHICLES else 0
    score = scores_of([listing.seller.user_id], now=now)[listing.seller.user_id]
    return ListingPage(
        listing=listing,
        public_id=listing.seller.public_id,
        score=score,
        photos=list(listing.photos.all()),
        vehicles=vehicles[:PAGE_VEHICLES],
        more_vehicles=more,
    )


def photos_data(user) -> list[dict]:
    """The photos of the member's listings, for Download my data (V3)."""
    return [
        {
            "listing_id": photo.listing_id,
            "file": photo.image.name,
            "url": photo.image.url,
            "position": photo.position,
            "alt_text": photo.alt_text,
            "width": photo.width,
            "height": photo.height,
            "created_at": photo.created_at.isoformat(),
        }
        for photo in ListingPhoto.objects.filter(listing__seller__user_id=user.pk).order_by(
            "listing_id", "position", "pk"
        )
    ]


def terms_to_accept(seller: Seller | None) -> SellerTerms | None:
    """V1: the current seller terms when `seller` has not accepted them yet."""
    if seller is None:
        return None
    current = current_terms()
    if current is None or seller.terms_id == current.pk:
        return None
    return current


def _fitting(vehicle_id: int) -> Q:
    """Listings that fit the vehicle: a linked one by its part's fitment, a
    free-standing one by its own vehicles."""
    return Q(part_id__in=Fitment.objects.filter(vehicle_id=vehicle_id).values("part_id")) | Q(
        pk__in=Listing.vehicles.through.objects.filter(vehicle_id=vehicle_id).values("listing_id")
    )


def listings_fitting(listing_ids: list[int], vehicle_id: int) -> set[int]:
    """Which of `listing_ids` fit the vehicle (one query)."""
    return set(
        Listing.objects.filter(_fitting(vehicle_id), pk__in=listing_ids).values_list(
            "pk", flat=True
        )
    )


#: How many listings a vehicle's page shows.
VEHICLE_PAGE_LISTINGS = 10


def for_vehicle(*, vehicle_id: int, now=None, limit: int = VEHICLE_PAGE_LISTINGS) -> list[Offer]:
    """M1: listings on sale that fit the vehicle, cheapest first, with their
    sellers' scores (two queries whatever the number)."""
    listings = list(
        on_sale()
        .filter(_fitting(vehicle_id))
        .select_related("seller", "part")
        .order_by("price", "pk")[:limit]
    )
    scores = scores_of({listing.seller.user_id for listing in listings}, now=now)
    return [
        Offer(
            listing=listing,
            public_id=listing.seller.public_id,
            score=scores[listing.seller.user_id],
        )
        for listing in listings
    ]
