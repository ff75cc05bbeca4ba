"""P2 as pure rules: what can qualify on what was typed, the matched
price, the category floor and whether a quote may still be used."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from camshaft.pricematch import rules

OURS = rules.Ours(brand="Bosch", mpn="BP-1234", unit_price=Decimal("50.00"), shipping=Decimal(8))
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def offer(**changes) -> rules.Offer:
    fields = {
        "brand": "Bosch",
        "mpn": "BP-1234",
        "condition": "new",
        "in_stock": True,
        "unit_price": Decimal("40.00"),
        "shipping": Decimal("5.00"),
        "quantity": 1,
    }
    return rules.Offer(**{**fields, **changes})


def test_P2_same_part_new_in_stock_and_cheaper_in_total_qualifies():
    assert rules.qualifies(offer(), OURS) == rules.Decision(True)


def test_P2_claim_for_another_brand_is_refused_with_the_reason():
    decision = rules.qualifies(offer(brand="Brembo"), OURS)
    assert not decision.allowed
    assert "same manufacturer" in decision.reason and "Bosch" in decision.reason


def test_P2_brand_compares_without_case_or_extra_spaces():
    assert rules.qualifies(offer(brand="  bosch "), OURS).allowed


def test_P2_another_part_number_is_refused_and_mpn_compares_without_dashes_or_case():
    assert "same part number" in rules.qualifies(offer(mpn="BP-1235"), OURS).reason
    assert rules.qualifies(offer(mpn="bp 1234"), OURS).allowed


@pytest.mark.parametrize("condition", ["used", "refurbished", "remanufactured"])
def test_P2_a_part_that_is_not_new_is_refused(condition):
    decision = rules.qualifies(offer(condition=condition), OURS)
    assert not decision.allowed and condition in decision.reason


def test_P2_a_part_not_in_stock_and_ready_to_ship_is_refused():
    assert "in stock" in rules.qualifies(offer(in_stock=False), OURS).reason


def test_P2_a_price_of_0_is_refused_with_the_reason():
    decision = rules.qualifies(offer(unit_price=Decimal(0)), OURS)
    assert not decision.allowed and "price of 0" in decision.reason


def test_P2_the_comparison_includes_their_shipping_and_handling():
    # 40 + 5 < 58, but 40 + 18 is not below 50 + 8.
    assert rules.qualifies(offer(shipping=Decimal(5)), OURS).allowed
    decision = rules.qualifies(offer(shipping=Decimal(18)), OURS)
    assert not decision.allowed and "not below ours" in decision.reason


def test_P2_the_comparison_is_for_the_same_quantity():
    # Their 49 + 10 shipping is not below our 50 + 8 for one, but for three
    # 3 × 49 + 10 = 157 is below 3 × 50 + 8 = 158.
    three = offer(unit_price=Decimal(49), shipping=Decimal(10), quantity=3)
    assert not rules.qualifies(offer(unit_price=Decimal(49), shipping=Decimal(10)), OURS).allowed
    assert rules.qualifies(three, OURS).allowed


@given(
    their=st.decimals(min_value=1, max_value=500, places=2),
    shipping=st.decimals(min_value=0, max_value=50, places=2),
    quantity=st.integers(min_value=1, max_value=99),
)
def test_P2_the_matched_price_never_exceeds_ours_nor_makes_our_total_exceed_theirs(
    their, shipping, quantity
):
    unit = rules.matched_unit_price(
        their_total=their * quantity,
        our_shipping=shipping,
        quantity=quantity,
        our_price=Decimal("600.00"),
    )
    assert Decimal("0.01") <= unit <= Decimal("600.00")
    if their * quantity - shipping >= Decimal("0.01") * quantity:
        assert unit * quantity + shipping <= their * quantity


def test_P2_floor_is_the_higher_of_the_share_of_our_price_and_the_minimum_price():
    assert rules.floor_price(Decimal("49.99"), min_percent=Decimal(80), min_price=None) == Decimal(
        "40.00"
    )
    assert rules.floor_price(
        Decimal("49.99"), min_percent=Decimal(50), min_price=Decimal("30.00")
    ) == Decimal("30.00")
    # Never above our own price.
    assert rules.floor_price(
        Decimal("20.00"), min_percent=Decimal(50), min_price=Decimal("30.00")
    ) == Decimal("20.00")


def test_P2_a_price_in_another_currency_converts_at_the_stored_rate():
    assert rules.to_store_currency(Decimal("92.00"), rate=Decimal("0.92")) == Decimal("100.00")


def test_P2_a_used_quote_or_an_expired_one_cannot_be_used_again():
    later = NOW + timedelta(days=rules.QUOTE_DAYS)
    assert rules.usable(used_at=None, expires_at=later, now=NOW).allowed
    used = rules.usable(used_at=NOW, expires_at=later, now=NOW)
    assert not used.allowed and "already been used" in used.reason
    expired = rules.usable(used_at=None, expires_at=later, now=later)
    assert not expired.allowed and "expired" in expired.reason and "Eastern" in expired.reason


def test_P2_claim_numbers_are_unguessable_and_easy_to_read_aloud():
    numbers = {rules.new_claim_number() for _ in range(50)}
    assert len(numbers) == 50
    assert all(n.startswith("PM-") and not set(n[3:]) & set("01ILOU") for n in numbers)
