"""What the marketplace tests build: seller terms, adults and minors."""

from datetime import date, timedelta

from django.utils import timezone

from camshaft.accounts.services import issue_api_token
from camshaft.marketplace import selectors
from camshaft.marketplace.models import Seller, SellerTerms, TermsAcceptance
from tests.factories import AddressFactory, MemberFactory


def terms(version: str = "2026-1", **extra) -> SellerTerms:
    return SellerTerms.objects.create(
        version=version,
        body=extra.pop("body", "Ship within two business days."),
        published_at=extra.pop("published_at", timezone.now()),
        **extra,
    )


def born_years_ago(years: int, *, days: int = 0) -> date:
    today = timezone.localdate()
    if (today.month, today.day) == (2, 29):
        today -= timedelta(days=1)
    return today.replace(year=today.year - years) - timedelta(days=days)


def adult(**extra):
    return MemberFactory(date_of_birth=born_years_ago(30), **extra)


def adult_with_address(**extra):
    """An adult with a complete address on file: what becoming a seller needs (M2)."""
    member = adult(**extra)
    AddressFactory(user=member, default_billing=True)
    return member


def seller(public_id: str = "brakeshop", **extra) -> Seller:
    """A seller as becoming one leaves them: of age, under the current
    terms, with a complete address on file (M2)."""
    current = SellerTerms.objects.first() or terms()
    user = extra.pop("user", None) or adult()
    if selectors.contract_address(user) is None:
        AddressFactory(user=user)
    made = Seller.objects.create(
        user=user,
        public_id=public_id,
        terms=current,
        accepted_at=timezone.now(),
        **extra,
    )
    TermsAcceptance.objects.create(seller=made, terms=current, accepted_at=made.accepted_at)
    return made


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user=user).key}"}
