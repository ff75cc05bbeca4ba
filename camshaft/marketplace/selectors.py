"""Reads of the marketplace: the seller terms in force, sellers, and the
store's fees (M4)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from camshaft.accounts.models import Address
from camshaft.catalog.models import Category
from camshaft.core.business_days import STORE_ZONE
from camshaft.core.money import Money
from camshaft.fitment.models import Fitment, Vehicle
from camshaft.marketplace import rules
from camshaft.marketplace.models import (
    CommissionRate,
    Listing,
    ListingPhoto,
    ListingStatus,
    MarketplaceCartLine,
    Payout,
    Rating,
    RatingValue,
    Report,
    Sale,
    SaleFee,
    SaleStatus,
    Seller,
    SellerStatus,
    SellerTerms,
)
from camshaft.orders.pricing import in_currency
from camshaft.tax.selectors import Destination as TaxDestination
from camshaft.tax.selectors import TaxableLine, tax_for


def current_terms() -> SellerTerms | None:
    return SellerTerms.objects.order_by("-published_at", "-pk").first()


def contract_address(user):
    """M2: the address a seller's buyers receive: the first complete one of
    the member's address book, default billing first, then default
    shipping, then the oldest; None without one. The rows are encrypted at
    rest, so completeness is checked here, not in SQL."""
    if user is None:
        return None
    rows = user.addresses.order_by("-default_billing", "-default_shipping", "pk")
    return next((row for row in rows if rules.address_complete(row)), None)


def without_contract_address(user_ids) -> set[int]:
    """Which of these members have no complete address on file (M2), in
    one query: a seller who deleted theirs cannot sell until they add one."""
    wanted = {pk for pk in user_ids if pk is not None}
    complete = {
        row.user_id
        for row in Address.objects.filter(user_id__in=wanted)
        if rules.address_complete(row)
    }
    return wanted - complete


def seller_of(user) -> Seller | None:
    if not user.is_authenticated:
        return None
    return Seller.objects.select_related("terms").filter(user=user).first()


def public_id_taken(public_id: str) -> bool:
    return Seller.objects.filter(public_id__iexact=public_id).exists()


def commission_percent(*, category: Category | None) -> Decimal:
    """M4: the commission on a sale of a part in `category` (None: a
    free-standing listing, at the store-wide rate)."""
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
    """The member's own listings, any status but deleted, for their seller pages."""
    return (
        Listing.objects.filter(seller__user_id=getattr(user, "pk", None))
        .exclude(status=ListingStatus.DELETED)
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
    """Ratings the member gave or received, with their sales, for Download
    my data (V3)."""
    return [
        {
            "given": rating.author_id == user.pk,
            "sale_id": rating.sale_id,
            "sale_title": rating.sale.title if rating.sale_id else "",
            "order_number": rating.sale.order.number if rating.sale_id else "",
            "value": rating.value,
            "comment": rating.comment,
            "reply": rating.reply,
            "created_at": rating.created_at.isoformat(),
            "removed_reason": rating.removed_reason,
        }
        for rating in Rating.objects.filter(Q(author=user) | Q(subject=user)).select_related(
            "sale__order"
        )
    ]


def statements_data(user) -> list[dict]:
    """The seller's monthly statements (M4), one row per month and currency,
    for Download my data (V3); the lines are the sales, exported beside."""
    seller = Seller.objects.filter(user=user).first() if user.pk else None
    if seller is None:
        return []
    return [
        {
            "month": f"{month:%Y-%m}",
            "currency": t.currency,
            "sales": str(t.sales),
            "commission": str(t.commission),
            "fixed_fees": str(t.fixed_fees),
            "refunds": str(t.refunds),
            "net": str(t.net),
            "payouts": str(t.payouts),
            "amount_due": str(t.due),
        }
        for month in statement_months(seller=seller)
        for t in statement(seller=seller, month=month).totals
    ]


def payouts_data(user) -> list[dict]:
    """Payouts staff recorded to the seller (M4), for Download my data (V3)."""
    return [
        {
            "amount": str(p.amount),
            "currency": p.currency,
            "paid_on": p.paid_on.isoformat(),
            "reference": p.reference,
            "note": p.note,
        }
        for p in Payout.objects.filter(seller__user_id=user.pk)
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
    """The member's listings for Download my data (V3), deleted ones that sold included."""
    return [
        {
            "id": listing.pk,
            "title": listing.title,
            "part_sku": listing.part.sku if listing.part_id else "",
            "condition": listing.condition,
            "price": str(listing.price),
            "shipping_price": str(listing.shipping_price),
            "currency": listing.currency,
            "quantity": listing.quantity,
            "description": listing.description,
            "condition_notes": listing.condition_notes,
            "return_days": listing.return_days,
            "status": listing.status,
            "created_at": listing.created_at.isoformat(),
        }
        for listing in Listing.objects.filter(seller__user_id=user.pk).select_related("part")
    ]


def reports_data(user) -> list[dict]:
    """Reports the member filed (M5), for Download my data (V3): what they
    reported and how staff closed it; staff notes stay internal."""
    return [
        {
            "listing_title": report.listing.title if report.listing_id else "",
            "seller_user_id": report.seller.public_id if report.seller_id else "",
            "reason": report.reason,
            "created_at": report.created_at.isoformat(),
            "status": report.status,
            "outcome": report.outcome,
        }
        for report in Report.objects.filter(reporter_id=user.pk).select_related("listing", "seller")
    ]


# Reputation (M3) and what shoppers see --------------------------------------------


def scores_of(user_ids, *, now=None) -> dict[int, rules.Score]:
    """M3: each member's score over the last 12 months, in one query."""
    since = rules.score_window_start(now or timezone.now())
    rows = (
        Rating.objects.filter(
            subject_id__in=user_ids,
            sale__isnull=False,
            removed_at__isnull=True,
            created_at__gte=since,
        )
        .values("subject_id")
        .annotate(count=Count("pk"), positive=Count("pk", filter=Q(value=RatingValue.POSITIVE)))
    )
    found = {
        row["subject_id"]: rules.score(positive=row["positive"], count=row["count"]) for row in rows
    }
    return {pk: found.get(pk, rules.score(positive=0, count=0)) for pk in user_ids}


def _rating_count(since: datetime, **only) -> Coalesce:
    ratings = (
        Rating.objects.filter(
            subject_id=OuterRef("seller__user_id"),
            sale__isnull=False,
            removed_at__isnull=True,
            created_at__gte=since,
            **only,
        )
        .order_by()
        .values("subject_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ratings), 0)


def with_scores(listings, *, now=None):
    """`listings` with their sellers' M3 scores read in the same query, as
    `score_count` and `score_positive` (see `score_of`): a search's few
    offers then cost one round trip, not two."""
    since = rules.score_window_start(now or timezone.now())
    return listings.annotate(
        score_count=_rating_count(since),
        score_positive=_rating_count(since, value=RatingValue.POSITIVE),
    )


def score_of(listing: Listing) -> rules.Score:
    """The score `with_scores` read beside `listing`."""
    return rules.score(positive=listing.score_positive, count=listing.score_count)


def visible_ratings(user):
    """Ratings of `user` that show in public: not removed, newest first."""
    return Rating.objects.filter(
        subject=user, sale__isnull=False, removed_at__isnull=True
    ).select_related("author__seller", "sale__seller")


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
    sellers' scores and first photos (three queries whatever the number). Almost no catalogue
    part is on the marketplace, so a cheap probe of (part, status) answers
    first: compiling the full query cost more than any part page's other reads."""
    with connection.cursor() as cursor:
        cursor.execute(LISTED_SQL, [part.pk, ListingStatus.ACTIVE])
        if cursor.fetchone() is None:
            return []
    listings = with_scores(
        on_sale()
        .filter(part=part)
        .select_related("seller")
        .prefetch_related(first_photo())
        .order_by("price", "pk"),
        now=now,
    )[:limit]
    return [
        Offer(listing=listing, public_id=listing.seller.public_id, score=score_of(listing))
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


def with_fit(listings, vehicle_id: int):
    """`listings` with `fits`: whether each fits the vehicle, a linked one
    by its part's fitment, a free-standing one by its own vehicles."""
    by_part = Exists(Fitment.objects.filter(vehicle_id=vehicle_id, part_id=OuterRef("part_id")))
    by_own = Exists(
        Listing.vehicles.through.objects.filter(vehicle_id=vehicle_id, listing_id=OuterRef("pk"))
    )
    return listings.annotate(
        fits=ExpressionWrapper(Q(by_part) | Q(by_own), output_field=BooleanField())
    )


#: How many listings a vehicle's page shows.
VEHICLE_PAGE_LISTINGS = 10


def for_vehicle(*, vehicle_id: int, now=None, limit: int = VEHICLE_PAGE_LISTINGS) -> list[Offer]:
    """M1: listings on sale that fit the vehicle, cheapest first, with their
    sellers' scores (two queries whatever the number).

    Linked and free-standing listings are read apart, each cheapest first,
    and merged: one query with an OR of the two ways to fit made PostgreSQL
    read every listing on sale (50 ms at 100,000 listings); apart, each
    starts from the vehicle's own fitment rows."""
    cheapest = with_scores(
        on_sale().select_related("seller", "part").order_by("price", "pk"), now=now
    )
    linked = cheapest.filter(
        part_id__in=Fitment.objects.filter(vehicle_id=vehicle_id).values("part_id")
    )
    own = cheapest.filter(
        pk__in=Listing.vehicles.through.objects.filter(vehicle_id=vehicle_id).values("listing_id")
    )
    merged = {listing.pk: listing for listing in [*linked[:limit], *own[:limit]]}
    listings = sorted(merged.values(), key=lambda listing: (listing.price, listing.pk))[:limit]
    return [
        Offer(listing=listing, public_id=listing.seller.public_id, score=score_of(listing))
        for listing in listings
    ]


# Buying (M1) ---------------------------------------------------------------------


@dataclass(frozen=True)
class CartOffer:
    """A listing in a cart, priced in the cart's currency, with what stops
    it from being bought as it is (`problem`, "" when nothing does)."""

    line_id: int
    listing: Listing
    quantity: int
    unit_price: Decimal
    shipping: Decimal
    tax: Decimal
    problem: str

    @property
    def items_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def total(self) -> Decimal:
        return self.items_total + self.shipping + self.tax


@dataclass(frozen=True)
class SellerGroup:
    """The lines of one seller: shown together, "Sold by <user ID>" (M1)."""

    public_id: str
    offers: list[CartOffer]

    @property
    def items_total(self) -> Decimal:
        return sum((offer.items_total for offer in self.offers), Decimal(0))

    @property
    def shipping(self) -> Decimal:
        return sum((offer.shipping for offer in self.offers), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return sum((offer.tax for offer in self.offers), Decimal(0))

    @property
    def subtotal(self) -> Decimal:
        return self.items_total + self.shipping + self.tax


@dataclass(frozen=True)
class MarketplaceCart:
    currency: str
    groups: list[SellerGroup]

    @property
    def offers(self) -> list[CartOffer]:
        return [offer for group in self.groups for offer in group.offers]

    @property
    def total(self) -> Decimal:
        return sum((group.subtotal for group in self.groups), Decimal(0))

    @property
    def problems(self) -> list[str]:
        return [f"{o.listing.title}: {o.problem}" for o in self.offers if o.problem]

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)


def marketplace_cart(
    *, cart, currency: str, exchange_rate: Decimal, destination=None, on=None, buyer=None
) -> MarketplaceCart:
    """The marketplace lines of `cart` in `currency` at `exchange_rate`,
    grouped per seller (M1), with each listing's shipping charge and, once
    there is a `destination`, the tax the store charges there for its own
    lines (T1: where it has nexus). Three queries and one tax look-up per
    line; the listings are read as they are now (prices never come from
    the client, K3)."""
    if cart is None or cart.pk is None:
        return MarketplaceCart(currency=currency, groups=[])
    lines = list(MarketplaceCartLine.objects.filter(cart=cart).select_related("listing__seller"))
    sellable = set(
        on_sale().filter(pk__in=[line.listing_id for line in lines]).values_list("pk", flat=True)
    )
    buyer_id = getattr(buyer, "pk", None) or cart.user_id
    groups: dict[int, list[CartOffer]] = {}
    for line in lines:
        listing = line.listing
        problem = rules.cart_problem(
            own=listing.seller.user_id is not None and listing.seller.user_id == buyer_id,
            on_sale=listing.pk in sellable,
            wanted=line.quantity,
            available=listing.quantity,
        )
        unit = in_currency(listing.price, currency, exchange_rate)
        shipping = in_currency(listing.shipping_price, currency, exchange_rate)
        tax = Decimal(0)
        if destination is not None:
            taxes = tax_for(
                destination=TaxDestination(
                    country=destination.country,
                    region=destination.region,
                    postal_code=destination.postal_code,
                ),
                lines=[TaxableLine(key=0, amount=unit * line.quantity)],
                shipping=shipping,
                currency=currency,
                on=on or timezone.localdate(),
            )
            tax = taxes.total
        groups.setdefault(listing.seller_id, []).append(
            CartOffer(
                line_id=line.pk,
                listing=listing,
                quantity=line.quantity,
                unit_price=unit,
                shipping=shipping,
                tax=tax,
                problem=problem,
            )
        )
    return MarketplaceCart(
        currency=currency,
        groups=[
            SellerGroup(public_id=offers[0].listing.seller.public_id, offers=offers)
            for offers in groups.values()
        ],
    )


def has_marketplace_lines(cart) -> bool:
    return cart is not None and MarketplaceCartLine.objects.filter(cart=cart).exists()


def sales_of_seller(user):
    """The member's sales as a seller, newest first (M1), with their orders'
    numbers for the packing slip."""
    return (
        Sale.objects.filter(seller__user_id=getattr(user, "pk", None))
        .select_related("order", "listing")
        .order_by("-sold_at", "-pk")
    )


def sales_to_ship(user):
    return sales_of_seller(user).filter(status=SaleStatus.AWAITING_SHIPMENT)


def may_refund(sale: Sale, *, role: str) -> bool:
    """M4: whether the Refund form shows for `sale` to `role` ("seller", or
    "staff" in the back office): exactly when the service would take a
    refund of everything charged."""
    return rules.may_refund_sale(
        status=sale.status,
        role=role,
        accepts_returns=sale.listing.return_days > 0,
        captured=sale.amount_captured,
        refunded=sale.amount_refunded,
        amount=sale.amount_captured,
        currency=sale.currency,
    ).allowed


def open_sales_of_member(user):
    """V4: the member's sales still awaiting shipment, as seller or as
    buyer: each side still needs the other's address, so erasure waits."""
    pk = getattr(user, "pk", None)
    return (
        Sale.objects.filter(status=SaleStatus.AWAITING_SHIPMENT)
        .filter(Q(buyer_id=pk) | Q(seller__user_id=pk))
        .select_related("order", "seller")
        .order_by("sold_at", "pk")
    )


def seller_sale(user, sale_id: int) -> Sale | None:
    return sales_of_seller(user).filter(pk=sale_id).first()


@dataclass(frozen=True)
class OrderSellerPart:
    """One seller's part of an order, as its buyer sees it."""

    public_id: str
    sales: list[Sale]

    @property
    def subtotal(self) -> Decimal:
        return sum((sale.total for sale in self.sales), Decimal(0))

    @property
    def status(self) -> str:
        """awaiting_shipment, partly_shipped, shipped, delivered, refunded,
        cancelled, or closed (a mix of those last ones)."""
        return rules.seller_part_status([sale.status for sale in self.sales])

    @property
    def status_text(self) -> str:
        labels = {
            "awaiting_shipment": f"Awaiting shipment by {self.public_id}",
            "partly_shipped": f"Partly shipped by {self.public_id}",
            "shipped": f"Shipped by {self.public_id}",
            "delivered": "Delivered",
            "refunded": "Refunded",
            "cancelled": "Cancelled",
        }
        return labels.get(self.status, "Closed")


def sale_status_text(sale: Sale) -> str:
    """M1: one sale's state in its buyer's words (order page, order API)."""
    refunded = str(Money(sale.amount_refunded, sale.currency)) if sale.amount_refunded > 0 else ""
    return rules.sale_status_text(
        status=sale.status,
        seller=sale.seller.public_id,
        carrier=sale.carrier,
        tracking_number=sale.tracking_number,
        cancelled_by=sale.cancelled_by,
        refunded=refunded,
    )


def order_parts(order) -> list[OrderSellerPart]:
    """The marketplace sales of `order` grouped per seller (two queries)."""
    parts: dict[int, list[Sale]] = {}
    for sale in Sale.objects.filter(order=order).select_related("seller").order_by("pk"):
        sale.status_text = sale_status_text(sale)
        parts.setdefault(sale.seller_id, []).append(sale)
    return [OrderSellerPart(public_id=s[0].seller.public_id, sales=s) for s in parts.values()]


def sale_for_buyer(user, sale_id: int) -> Sale | None:
    return (
        Sale.objects.filter(pk=sale_id, buyer_id=getattr(user, "pk", None))
        .select_related("order", "seller")
        .first()
    )


def _sale_row(sale: Sale, *, role: str) -> dict:
    return {
        "role": role,
        "id": sale.pk,
        "order_number": sale.order.number,
        "seller_user_id": sale.seller.public_id,
        "title": sale.title,
        "quantity": sale.quantity,
        "unit_price": str(sale.unit_price),
        "shipping_charge": str(sale.shipping_charge),
        "tax": str(sale.tax_amount),
        "total": str(sale.total),
        "currency": sale.currency,
        "commission_percent": str(sale.commission_percent),
        "fixed_fee": str(sale.fixed_fee),
        "status": sale.status,
        "sold_at": sale.sold_at.isoformat(),
        "shipped_at": sale.shipped_at.isoformat() if sale.shipped_at else "",
        "carrier": sale.carrier,
        "tracking_number": sale.tracking_number,
        "delivered_at": sale.delivered_at.isoformat() if sale.delivered_at else "",
        "cancelled_at": sale.cancelled_at.isoformat() if sale.cancelled_at else "",
        "cancelled_by": sale.cancelled_by,
        "cancel_reason": sale.cancel_reason,
        "amount_captured": str(sale.amount_captured),
        "amount_refunded": str(sale.amount_refunded),
        "refunded_at": sale.refunded_at.isoformat() if sale.refunded_at else "",
    }


def sales_data(user) -> list[dict]:
    """Download my data (V3): the member's marketplace sales, as buyer and as seller."""
    rows = Sale.objects.filter(Q(buyer=user) | Q(seller__user=user)).select_related(
        "order", "seller"
    )
    return [
        _sale_row(sale, role="seller" if sale.seller.user_id == user.pk else "buyer")
        for sale in rows
    ]


def purchases_of(user):
    """What the member bought on the marketplace, newest first."""
    return (
        Sale.objects.filter(buyer_id=getattr(user, "pk", None))
        .select_related("order", "seller")
        .order_by("-sold_at", "-pk")
    )


# Ratings of sales (M3) ------------------------------------------------------------


def ratings_of(user):
    """The member's ratings, received and given, newest first, with their
    sales: for My Account and the API."""
    pk = getattr(user, "pk", None)
    base = Rating.objects.filter(sale__isnull=False).select_related(
        "sale", "author__seller", "subject__seller"
    )
    return base.filter(subject_id=pk), base.filter(author_id=pk)


def sales_to_rate(user, *, now=None):
    """Delivered sales the member bought or sold, within the rating window
    (M3), that they have not rated yet."""
    now = now or timezone.now()
    pk = getattr(user, "pk", None)
    return (
        Sale.objects.filter(Q(buyer_id=pk) | Q(seller__user_id=pk))
        .filter(
            delivered_at__isnull=False,
            delivered_at__gte=now - rules.RATING_WINDOW,
            buyer__isnull=False,
            seller__user__isnull=False,
        )
        .exclude(ratings__author_id=pk)
        .select_related("seller", "order")
        .order_by("-delivered_at", "-pk")
    )


# Statements (M4) ------------------------------------------------------------------


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of `month` and of the month after, in the store's
    time zone: statements count by the store's calendar."""
    start = datetime(month.year, month.month, 1, tzinfo=STORE_ZONE)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime(following.year, following.month, 1, tzinfo=STORE_ZONE)


@dataclass(frozen=True)
class StatementLine:
    """One sale shipped, or one refund made, in the month (M4). `net` is
    what the line adds to (or takes from) the amount due to the seller."""

    kind: str  # "sale" or "refund"
    sale_id: int
    day: date
    title: str
    quantity: int
    currency: str
    amount: Decimal
    commission: Decimal
    fixed_fee: Decimal
    refund: Decimal

    @property
    def net(self) -> Decimal:
        return self.amount - self.commission - self.fixed_fee - self.refund


@dataclass(frozen=True)
class StatementTotals:
    """A statement's totals in one currency. `due`: everything earned net
    up to the month's end less every payout up to then (carried over)."""

    currency: str
    sales: Decimal
    commission: Decimal
    fixed_fees: Decimal
    refunds: Decimal
    net: Decimal
    payouts: Decimal
    due: Decimal

    @property
    def fees(self) -> Decimal:
        return self.commission + self.fixed_fees


@dataclass(frozen=True)
class Statement:
    seller: Seller
    month: date
    lines: list[StatementLine]
    totals: list[StatementTotals]
    payouts: list


def _lines(sales, *, start: datetime, end: datetime) -> list[StatementLine]:
    """The sale lines (shipped in [start, end)) and refund lines (refunded
    in [start, end)) of `sales`, in order of their day."""
    lines = []
    for sale in sales:
        charged = rules.commission(
            items=sale.items_total, percent=sale.commission_percent, currency=sale.currency
        )
        common = {
            "sale_id": sale.pk,
            "title": sale.title,
            "quantity": sale.quantity,
            "currency": sale.currency,
        }
        if sale.shipped_at and start <= sale.shipped_at < end and sale.amount_captured > 0:
            lines.append(
                StatementLine(
                    kind="sale",
                    day=sale.shipped_at.astimezone(STORE_ZONE).date(),
                    amount=sale.amount_captured,
                    commission=charged,
                    fixed_fee=sale.fixed_fee,
                    refund=Decimal(0),
                    **common,
                )
            )
        if sale.refunded_at and start <= sale.refunded_at < end and sale.amount_refunded > 0:
            lines.append(
                StatementLine(
                    kind="refund",
                    day=sale.refunded_at.astimezone(STORE_ZONE).date(),
                    amount=Decimal(0),
                    commission=-rules.commission_returned(
                        commission=charged,
                        refunded=sale.amount_refunded,
                        captured=sale.amount_captured,
                        currency=sale.currency,
                    ),
                    fixed_fee=Decimal(0),
                    refund=sale.amount_refunded,
                    **common,
                )
            )
    return sorted(lines, key=lambda line: (line.day, line.sale_id, line.kind != "sale"))


def _dated_sales(seller: Seller, *, end: datetime):
    return Sale.objects.filter(seller=seller).filter(Q(shipped_at__lt=end) | Q(refunded_at__lt=end))


def statement(*, seller: Seller, month: date) -> Statement:
    """M4: the seller's statement for `month` (any day of it): the sales
    shipped and refunds made in it, their fees, the payouts recorded, and
    the amount due carried over from every month before (three queries)."""
    start, end = month_bounds(month)
    lines_to_end = _lines(list(_dated_sales(seller, end=end)), start=STATEMENTS_EPOCH, end=end)
    payouts = list(Payout.objects.filter(seller=seller, paid_on__lt=end.date()))
    month_lines = [line for line in lines_to_end if line.day >= start.date()]
    month_payouts = [p for p in payouts if p.paid_on >= start.date()]
    currencies = sorted({line.currency for line in lines_to_end} | {p.currency for p in payouts})
    totals = []
    for currency in currencies:
        mine = [line for line in month_lines if line.currency == currency]
        earned = sum((line.net for line in lines_to_end if line.currency == currency), Decimal(0))
        paid = sum((p.amount for p in payouts if p.currency == currency), Decimal(0))
        totals.append(
            StatementTotals(
                currency=currency,
                sales=sum((line.amount for line in mine), Decimal(0)),
                commission=sum((line.commission for line in mine), Decimal(0)),
                fixed_fees=sum((line.fixed_fee for line in mine), Decimal(0)),
                refunds=sum((line.refund for line in mine), Decimal(0)),
                net=sum((line.net for line in mine), Decimal(0)),
                payouts=sum(
                    (p.amount for p in month_payouts if p.currency == currency), Decimal(0)
                ),
                due=earned - paid,
            )
        )
    return Statement(
        seller=seller, month=start.date(), lines=month_lines, totals=totals, payouts=month_payouts
    )


#: Before any sale the marketplace made.
STATEMENTS_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def amount_due(*, seller: Seller, currency: str, now=None) -> Decimal:
    """M4: what the store owes the seller in `currency` now: all net earned
    less all payouts recorded."""
    now = now or timezone.now()
    today = now.astimezone(STORE_ZONE).date()
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=STORE_ZONE)
    sales = _dated_sales(seller, end=end).filter(currency=currency)
    earned = sum((line.net for line in _lines(sales, start=STATEMENTS_EPOCH, end=end)), Decimal(0))
    paid = Payout.objects.filter(seller=seller, currency=currency).aggregate(s=Sum("amount"))["s"]
    return earned - (paid or Decimal(0))


def statement_months(*, seller: Seller, now=None) -> list[date]:
    """M4: every month from the seller's first sale shipped (or payout) to
    this one, newest first; none before they sold anything."""
    firsts = [
        Sale.objects.filter(seller=seller, shipped_at__isnull=False)
        .order_by("shipped_at")
        .values_list("shipped_at", flat=True)
        .first()
    ]
    first_payout = Payout.objects.filter(seller=seller).order_by("paid_on").first()
    found = [d.astimezone(STORE_ZONE).date() for d in firsts if d]
    if first_payout:
        found.append(first_payout.paid_on)
    if not found:
        return []
    month = min(found).replace(day=1)
    last = (now or timezone.now()).astimezone(STORE_ZONE).date().replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = month_bounds(month)[1].date()
    return months[::-1]


def parse_month(text: str) -> date | None:
    """A statement month written yyyy-mm, or None."""
    try:
        parsed = datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return None
    return parsed if 2000 <= parsed.year <= 9999 and len(text) == 7 else None


@dataclass(frozen=True)
class FeesMonth:
    month: date
    currency: str
    sales: int
    commission: Decimal
    fixed_fees: Decimal

    @property
    def fees(self) -> Decimal:
        return self.commission + self.fixed_fees


def fees_report(*, months: int = 12, now=None) -> list[FeesMonth]:
    """M4, for staff: the store's commission and fixed fees per month and
    currency over the last `months` months, net of commission given back
    with refunds, oldest first."""
    last = (now or timezone.now()).astimezone(STORE_ZONE).date().replace(day=1)
    first = last
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    start, end = month_bounds(first)[0], month_bounds(last)[1]
    sales = Sale.objects.filter(
        Q(shipped_at__gte=start, shipped_at__lt=end)
        | Q(refunded_at__gte=start, refunded_at__lt=end)
    )
    table: dict[tuple[date, str], list] = {}
    for line in _lines(sales, start=start, end=end):
        key = (line.day.replace(day=1), line.currency)
        row = table.setdefault(key, [0, Decimal(0), Decimal(0)])
        row[0] += line.kind == "sale"
        row[1] += line.commission
        row[2] += line.fixed_fee
    return [
        FeesMonth(month=m, currency=c, sales=r[0], commission=r[1], fixed_fees=r[2])
        for (m, c), r in sorted(table.items())
    ]
