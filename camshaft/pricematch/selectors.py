"""Reads of the low-price guarantee (P2): what our part costs delivered
where the shopper compares, the category's floor, the quotes a cart may
use, a shopper's claims, the staff queue and report, and the export."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from camshaft.catalog.models import Part
from camshaft.pricematch import rules
from camshaft.pricematch.models import ClaimStatus, PriceFloor, PriceMatchClaim, PriceMatchQuote
from camshaft.shipping.selectors import Destination, quote_shipping

ZERO = Decimal(0)


def ours(*, part: Part, quantity: int, destination: Destination) -> rules.Ours:
    """Our price and our cheapest shipping for `quantity` of `part` to
    `destination` (no shipping when no warehouse can send them there)."""
    shipping = quote_shipping(lines=[(part.pk, quantity)], destination=destination)
    cheapest = min((option.price for option in shipping.options), default=ZERO)
    return rules.Ours(brand=part.brand.name, mpn=part.mpn, unit_price=part.price, shipping=cheapest)


def floor_for(part: Part) -> Decimal:
    """The lowest unit price a quote for `part` may offer without a
    supervisor: the nearest floor up the category tree, or the default."""
    path = part.category.path.split("/")
    prefixes = ["/".join(path[: n + 1]) for n in range(len(path))]
    floor = (
        PriceFloor.objects.filter(category__path__in=prefixes).order_by("-category__depth").first()
    )
    if floor is None:
        return rules.floor_price(
            part.price, min_percent=rules.DEFAULT_FLOOR_PERCENT, min_price=None
        )
    return rules.floor_price(part.price, min_percent=floor.min_percent, min_price=floor.min_price)


@dataclass(frozen=True, slots=True)
class QuotedPrice:
    quote_id: int
    quantity: int
    unit_price: Decimal


def active_quotes(*, cart, now: datetime | None = None):
    """Quotes this cart may use now: the member's own, or one a mailed link
    put in this (guest) cart; unused and unexpired."""
    if cart is None:
        return PriceMatchQuote.objects.none()
    owner = Q(cart_id=cart.pk)
    if cart.user_id is not None:
        owner |= Q(user_id=cart.user_id)
    return PriceMatchQuote.objects.filter(
        owner, used_at__isnull=True, expires_at__gt=now or timezone.now()
    ).order_by("unit_price", "id")


def quoted_prices(*, cart, now: datetime | None = None) -> dict[int, QuotedPrice]:
    """part_id -> the best quote the cart may use for it (one query)."""
    best: dict[int, QuotedPrice] = {}
    for quote_id, part_id, quantity, price in active_quotes(cart=cart, now=now).values_list(
        "id", "part_id", "quantity", "unit_price"
    ):
        best.setdefault(part_id, QuotedPrice(quote_id, quantity, price))
    return best


def claims_of(*, user):
    return (
        PriceMatchClaim.objects.filter(user=user)
        .select_related("part", "quote")
        .order_by("-filed_at", "-id")
    )


def claim_of(*, user, number: str) -> PriceMatchClaim:
    """The member's own claim; another person's is DoesNotExist (404)."""
    return claims_of(user=user).get(number=number.strip().upper()[:20])


def queue_counts() -> dict[str, int]:
    rows = PriceMatchClaim.objects.values_list("status").annotate(n=Count("id"))
    return {status: n for status, n in rows}


def report(*, since: datetime) -> list[dict]:
    """Per competitor: claims, approved, declined, the approval rate among
    decided claims, quotes used and the money given away on them."""
    claims = (
        PriceMatchClaim.objects.filter(filed_at__gte=since)
        .values("competitor_key")
        .annotate(
            claims=Count("id"),
            approved=Count("id", filter=Q(status=ClaimStatus.APPROVED)),
            declined=Count("id", filter=Q(status=ClaimStatus.DECLINED)),
            used=Count("quote", filter=Q(quote__used_at__isnull=False)),
            given_away=Sum(
                (F("quote__regular_unit_price") - F("quote__unit_price")) * F("quote__quantity"),
                filter=Q(quote__used_at__isnull=False),
            ),
        )
        .order_by("-claims", "competitor_key")
    )
    rows = []
    for row in claims:
        decided = row["approved"] + row["declined"]
        rows.append(
            {
                "competitor": row["competitor_key"],
                "claims": row["claims"],
                "approved": row["approved"],
                "declined": row["declined"],
                "approval_rate": row["approved"] / decided if decided else 0.0,
                "used": row["used"],
                "given_away": (row["given_away"] or ZERO).quantize(rules.CENT),
            }
        )
    return rows


def report_totals(rows: list[dict]) -> dict:
    approved = sum(r["approved"] for r in rows)
    decided = approved + sum(r["declined"] for r in rows)
    return {
        "claims": sum(r["claims"] for r in rows),
        "approved": approved,
        "approval_rate": approved / decided if decided else 0.0,
        "given_away": sum((r["given_away"] for r in rows), ZERO),
    }


def mail_context(claim: PriceMatchClaim) -> dict:
    return {"claim": claim, "part": claim.part, "quote": getattr(claim, "quote", None)}


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def personal_data(*, user=None, email: str = "") -> dict[str, list[dict]]:
    """The shopper's claims and quotes for Download my data (V3)."""
    owner = Q(user=user) if user is not None else Q(user__isnull=True, email__iexact=email)
    claims = PriceMatchClaim.objects.filter(owner).select_related("part", "quote")
    return {
        "price_match_claims": [
            {
                "number": c.number,
                "filed_at": _when(c.filed_at),
                "sku": c.part.sku,
                "email": c.email,
                "competitor": c.competitor,
                "url": c.url,
                "quantity": c.quantity,
                "price": str(c.unit_price),
                "shipping": str(c.shipping),
                "currency": c.currency,
                "destination": " ".join(filter(None, (c.postal_code, c.region, c.country))),
                "status": c.status,
                "decline_reason": c.decline_reason,
            }
            for c in claims
        ],
        "price_match_quotes": [
            {
                "claim": c.number,
                "sku": c.part.sku,
                "quantity": c.quote.quantity,
                "unit_price": str(c.quote.unit_price),
                "expires_at": _when(c.quote.expires_at),
                "used_at": _when(c.quote.used_at),
                "order": c.quote.order_number,
            }
            for c in claims
            if hasattr(c, "quote")
        ],
    }
