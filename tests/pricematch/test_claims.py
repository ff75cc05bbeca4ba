"""Filing a claim and deciding it (P2): refused at once with the reason
when it cannot qualify, nothing stored; a quote for that part, shopper and
quantity for 7 days; a decline with a reason; both mailed; the floor."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from camshaft.notifications.models import OutboxMessage
from camshaft.pricematch import rules, selectors, services
from camshaft.pricematch.models import ClaimStatus, PriceMatchClaim, PriceMatchQuote
from camshaft.pricing.models import ExchangeRate
from tests.factories import CategoryFactory, MemberFactory, PriceFloorFactory
from tests.pricematch.helpers import clerk, file_claim, our_total, supervisor
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db


def test_P2_a_guest_files_a_claim_that_can_qualify_and_it_waits_for_customer_service():
    part = stocked_part()
    claim = file_claim(part, email="Guest@Example.com")
    assert claim.status == ClaimStatus.PENDING and claim.user is None
    assert claim.email == "guest@example.com"
    assert claim.their_total == our_total(part) - Decimal(10)
    assert claim.our_total == our_total(part)


def test_P2_a_members_claim_is_theirs_and_goes_to_their_account_email():
    member = MemberFactory(email="member@example.com")
    claim = file_claim(user=member, email="someone-else@example.com")
    assert claim.user == member and claim.email == "member@example.com"


@pytest.mark.parametrize(
    "typed, words",
    [
        ({"brand": "Another Maker"}, "same manufacturer"),
        ({"mpn": "XX-999"}, "same part number"),
        ({"condition": "used"}, "new parts only"),
        ({"in_stock": False}, "in stock"),
        ({"unit_price": Decimal("0")}, "price of 0"),
        ({"unit_price": Decimal("999.00")}, "not below ours"),
    ],
)
def test_P2_claim_that_cannot_qualify_is_refused_at_once_with_the_reason(typed, words):
    part = stocked_part()
    with pytest.raises(services.ClaimProblem) as refused:
        file_claim(part, **typed)
    assert refused.value.code == "refused" and words in " ".join(refused.value.messages)
    assert PriceMatchClaim.objects.count() == 0


def test_P2_a_price_in_another_currency_is_converted_with_the_stored_rate():
    ExchangeRate.objects.create(
        currency="EUR", rate=Decimal("0.50000000"), effective_from=timezone.now() - timedelta(1)
    )
    part = stocked_part()
    # 0.5 EUR per dollar: 20.00 EUR and 2.50 EUR of shipping are 45.00 dollars.
    claim = file_claim(part, unit_price=Decimal("20.00"), shipping=Decimal("2.50"), currency="EUR")
    assert (claim.currency, claim.unit_price) == ("EUR", Decimal("20.00"))
    assert claim.their_total == Decimal("45.00") < our_total(part)


def test_P2_a_price_in_a_currency_without_a_rate_is_refused_clearly():
    part = stocked_part()
    with pytest.raises(services.ClaimProblem) as refused:
        file_claim(part, currency="GBP")
    assert "no exchange rate" in refused.value.message_dict["currency"][0]
    assert PriceMatchClaim.objects.count() == 0


@pytest.mark.parametrize(
    "typed, field",
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"email": "not an email"}, "email"),
        ({"quantity": 0}, "quantity"),
        ({"shipping": Decimal("-1")}, "shipping"),
        ({"unit_price": Decimal("1.234")}, "price"),
        ({"country": "ZZ"}, "country"),
        ({"competitor": ""}, "competitor"),
    ],
)
def test_P2_malformed_claims_say_which_field_and_store_nothing(typed, field):
    with pytest.raises(services.ClaimProblem) as refused:
        file_claim(**typed)
    assert field in refused.value.message_dict
    assert PriceMatchClaim.objects.count() == 0


def test_P2_approving_creates_a_one_time_quote_for_that_part_shopper_and_quantity_for_7_days():
    part = stocked_part()
    PriceFloorFactory(category=part.category, min_percent=Decimal(10))
    member = MemberFactory()
    claim = file_claim(part, user=member, quantity=2)
    now = timezone.now()
    quote = services.approve_claim(claim=claim, by=clerk(), now=now)
    assert (quote.part, quote.user, quote.quantity) == (part, member, 2)
    assert quote.unit_price == services.suggested_price(claim) < part.price
    assert quote.expires_at == now + timedelta(days=rules.QUOTE_DAYS)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    mail = OutboxMessage.objects.get(reference=f"price-match:{claim.number}")
    assert mail.to_address == member.email and "/price-match/quote/" in mail.body_text


def test_P2_declining_needs_a_reason_and_mails_it():
    claim = file_claim()
    with pytest.raises(services.ClaimProblem):
        services.decline_claim(claim=claim, by=clerk(), reason="  ")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING
    assert not OutboxMessage.objects.filter(reference=f"price-match:{claim.number}").exists()
    services.decline_claim(claim=claim, by=clerk(), reason="Their page shows a used part.")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DECLINED
    mail = OutboxMessage.objects.get(reference=f"price-match:{claim.number}")
    assert "Their page shows a used part." in mail.body_text


def test_P2_a_decided_claim_cannot_be_decided_again():
    claim = file_claim()
    services.decline_claim(claim=claim, by=clerk(), reason="Not the same part.")
    with pytest.raises(services.ClaimProblem) as refused:
        services.approve_claim(claim=claim, by=clerk(), unit_price=Decimal("45.00"))
    assert refused.value.code == "wrong_state"
    assert not PriceMatchQuote.objects.exists()


def test_P2_a_quote_below_the_category_floor_needs_a_supervisor():
    part = stocked_part(price=Decimal("100.00"))
    PriceFloorFactory(category=part.category, min_percent=Decimal(90))
    claim = file_claim(part)
    with pytest.raises(services.ClaimProblem) as refused:
        services.approve_claim(claim=claim, by=clerk(), unit_price=Decimal("89.99"))
    assert refused.value.code == "below_floor" and "supervisor" in refused.value.messages[0]
    assert not PriceMatchQuote.objects.exists()
    quote = services.approve_claim(claim=claim, by=supervisor(), unit_price=Decimal("89.99"))
    assert quote.below_floor and quote.unit_price == Decimal("89.99")


def test_P2_a_quote_at_the_floor_needs_no_supervisor():
    part = stocked_part(price=Decimal("100.00"))
    PriceFloorFactory(category=part.category, min_percent=Decimal(90))
    quote = services.approve_claim(claim=file_claim(part), by=clerk(), unit_price=Decimal(90))
    assert not quote.below_floor


def test_P2_a_subcategory_takes_the_floor_of_its_nearest_ancestor_or_the_default():
    top = CategoryFactory(name="Brakes")
    pads = CategoryFactory(name="Pads", parent=top)
    part = stocked_part(price=Decimal("100.00"), category=pads)
    assert selectors.floor_for(part) == Decimal(rules.DEFAULT_FLOOR_PERCENT)
    PriceFloorFactory(category=top, min_percent=Decimal(70))
    assert selectors.floor_for(part) == Decimal(70)
    PriceFloorFactory(category=pads, min_percent=Decimal(60), min_price=Decimal(65))
    assert selectors.floor_for(part) == Decimal(65)


def test_P2_a_quote_is_never_at_or_above_our_price():
    part = stocked_part()
    with pytest.raises(services.ClaimProblem):
        services.approve_claim(claim=file_claim(part), by=supervisor(), unit_price=part.price)
    assert not PriceMatchQuote.objects.exists()
