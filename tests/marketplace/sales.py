"""Sales as rows, for the reputation and statement tests: no cart,
checkout or payment behind them (buying has its own tests)."""

from datetime import UTC, datetime
from decimal import Decimal

from camshaft.marketplace.models import Listing, Sale, SaleStatus
from tests.factories import OrderFactory
from tests.marketplace.helpers import adult, seller


def sale(
    *,
    of=None,
    buyer=None,
    price="40.00",
    quantity=1,
    shipping="5.00",
    tax="0",
    commission="10.00",
    fee="0.30",
    currency="USD",
    shipped_at=None,
    delivered_at=None,
    refunded=None,
    refunded_at=None,
    title="Used brake caliper",
) -> Sale:
    """One sale of a fresh listing of `of` (a Seller) to `buyer`; shipped
    (captured in full) at `shipped_at`, delivered at `delivered_at`."""
    shop = of or seller(f"shop{Sale.objects.count() + Listing.objects.count()}")
    member = buyer or adult()
    listing = Listing.objects.create(
        seller=shop,
        title=title,
        condition="used",
        price=Decimal(price),
        currency=currency,
        quantity=0,
    )
    shipped_at = shipped_at or delivered_at
    made = Sale(
        order=OrderFactory(user=member, email=member.email, currency=currency),
        seller=shop,
        buyer=member,
        listing=listing,
        title=title,
        quantity=quantity,
        unit_price=Decimal(price),
        currency=currency,
        shipping_charge=Decimal(shipping),
        tax_amount=Decimal(tax),
        commission_percent=Decimal(commission),
        fixed_fee=Decimal(fee),
        sold_at=shipped_at or datetime(2026, 1, 1, tzinfo=UTC),
    )
    if shipped_at:
        made.status = SaleStatus.SHIPPED
        made.shipped_at = shipped_at
        made.carrier, made.tracking_number = "UPS", "1Z999"
        made.amount_captured = made.total
    if delivered_at:
        made.status = SaleStatus.DELIVERED
        made.delivered_at = delivered_at
    if refunded is not None:
        made.amount_refunded = Decimal(refunded)
        made.refunded_at = refunded_at
        made.status = SaleStatus.REFUNDED
    made.save()
    return made
