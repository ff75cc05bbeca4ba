"""Reads of the marketplace: the seller terms in force, sellers, and the
store's fees (M4)."""

from decimal import Decimal

from camshaft.catalog.models import Category
from camshaft.core.money import Money
from camshaft.marketplace import rules
from camshaft.marketplace.models import (
    CommissionRate,
    Listing,
    ListingStatus,
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
        .prefetch_related("vehicles")
    )


def own_listing(user, listing_id: int) -> Listing | None:
    return listings_of(user).filter(pk=listing_id).first()


def on_sale():
    """Listings shoppers see: active, in stock, by an active seller (M1, M5)."""
    return Listing.objects.filter(
        status=ListingStatus.ACTIVE, quantity__gt=0, seller__status=SellerStatus.ACTIVE
    )


def personal_data(user) -> list[dict]:
    """The member's seller record for Download my data (V3)."""
    return [
        {
            "public_user_id": s.public_id,
            "terms_version": s.terms.version,
            "accepted_at": s.accepted_at.isoformat(),
            "status": s.status,
        }
        for s in Seller.objects.filter(user=user).select_related("terms")
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
