"""Reads of the marketplace: the seller terms in force, sellers, and the
store's fees (M4)."""

from decimal import Decimal

from camshaft.catalog.models import Category
from camshaft.core.money import Money
from camshaft.marketplace import rules
from camshaft.marketplace.models import CommissionRate, SaleFee, Seller, SellerTerms


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
