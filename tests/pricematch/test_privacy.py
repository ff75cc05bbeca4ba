"""Price match and the data rights (P2, V3, V4): Download my data holds the
shopper's claims and quotes; erasure takes who filed them away and keeps
the anonymous numbers for the report."""

from decimal import Decimal

import pytest

from camshaft.pricematch import services
from camshaft.pricematch.models import PriceMatchClaim, PriceMatchQuote
from camshaft.privacy import selectors as privacy_selectors
from camshaft.privacy import services as privacy
from tests.factories import MemberFactory, PriceFloorFactory
from tests.pricematch.helpers import clerk, file_claim
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db


def approved_for(user=None, email="pat@example.com"):
    part = stocked_part()
    PriceFloorFactory(category=part.category, min_percent=Decimal(50))
    claim = file_claim(part, user=user, email=email)
    services.approve_claim(claim=claim, by=clerk(), unit_price=Decimal("41.00"))
    return claim


def test_P2_download_my_data_holds_a_members_claims_and_quotes():
    member = MemberFactory()
    claim = approved_for(user=member)
    file_claim(email="someone@example.com")  # not theirs
    data = privacy_selectors.personal_data(member)
    assert [c["number"] for c in data["price_match_claims"]] == [claim.number]
    assert data["price_match_claims"][0]["url"] == claim.url
    (quote,) = data["price_match_quotes"]
    assert quote["claim"] == claim.number and quote["unit_price"] == "41.00"


def test_P2_download_my_data_holds_a_guests_claims_by_email():
    claim = approved_for(email="guest@example.com")
    data = privacy_selectors.personal_data(email="guest@example.com")
    assert [c["number"] for c in data["price_match_claims"]] == [claim.number]


def test_P2_erasure_removes_who_filed_the_claims_and_keeps_the_numbers():
    member = MemberFactory(email="leaving@example.com")
    claim = approved_for(user=member)
    privacy.erase_person(user=member, reason="asked to")
    claim = PriceMatchClaim.objects.get(pk=claim.pk)
    assert claim.user is None and "leaving" not in claim.email and claim.postal_code == ""
    quote = PriceMatchQuote.objects.get(claim=claim)
    assert quote.user is None and quote.email == "" and quote.unit_price == Decimal("41.00")


def test_P2_forgetting_a_guest_leaves_other_shoppers_claims_alone():
    mine = approved_for(email="guest@example.com")
    other = file_claim(email="other@example.com")
    services.forget_person(email="guest@example.com")
    assert PriceMatchClaim.objects.get(pk=mine.pk).email != "guest@example.com"
    assert PriceMatchClaim.objects.get(pk=other.pk).email == "other@example.com"
