"""Helpers for price-match tests: a part we stock, a claim that qualifies
for it, and the clerks who decide."""

from decimal import Decimal

from camshaft.accounts.models import User
from camshaft.accounts.roles import ADMINISTRATOR, CUSTOMER_SERVICE, grant_role
from camshaft.pricematch import selectors, services
from camshaft.shipping.selectors import Destination
from tests.shopping import ADDRESS, stocked_part

DESTINATION = Destination(
    country=ADDRESS["country"], region=ADDRESS["region"], postal_code=ADDRESS["postal_code"]
)


def our_total(part, quantity: int = 1) -> Decimal:
    return selectors.ours(part=part, quantity=quantity, destination=DESTINATION).total(quantity)


def claim_fields(part, **overrides) -> dict:
    """A claim that qualifies: same brand and MPN, new, in stock, 10.00
    below our total for the same quantity and destination."""
    quantity = max(1, overrides.get("quantity", 1))
    fields = {
        "email": "pat@example.com",
        "competitor": "Rival Parts",
        "url": "https://rival.example.com/p/123",
        "brand": part.brand.name,
        "mpn": part.mpn,
        "condition": "new",
        "in_stock": True,
        "quantity": quantity,
        "unit_price": ((our_total(part, quantity) - Decimal(10)) / quantity).quantize(
            Decimal("0.01")
        ),
        "shipping": Decimal("0.00"),
        "currency": "USD",
        "country": ADDRESS["country"],
        "region": ADDRESS["region"],
        "postal_code": ADDRESS["postal_code"],
    }
    return {**fields, **overrides}


def file_claim(part=None, *, user=None, **overrides):
    part = part or stocked_part()
    return services.file_claim(part=part, user=user, **claim_fields(part, **overrides))


def staff(role=CUSTOMER_SERVICE, email=None) -> User:
    email = email or f"{role.slug}@staff.example.com"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, "staff password")
        grant_role(user=user, role=role)
    return User.objects.get(pk=user.pk)  # a fresh object: no cached permissions


def clerk() -> User:
    return staff(CUSTOMER_SERVICE)


def supervisor() -> User:
    return staff(ADMINISTRATOR, "supervisor@staff.example.com")
