"""Y1: card brand from the number, Luhn check, expiry and CVC."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from camshaft.payments.cards import (
    BRAND_LENGTHS,
    CardBrand,
    CardInvalid,
    card_brand,
    luhn_valid,
    validate_card,
)

TODAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242 4242 4242 4242", CardBrand.VISA),
        ("4222222222222", CardBrand.VISA),
        ("5105-1051-0510-5100", CardBrand.MASTERCARD),
        ("5555555555554444", CardBrand.MASTERCARD),
        ("2221000000000009", CardBrand.MASTERCARD),
        ("2720990000000000", CardBrand.MASTERCARD),
        ("378282246310005", CardBrand.AMEX),
        ("341111111111111", CardBrand.AMEX),
        ("6011111111111117", CardBrand.DISCOVER),
        ("6445644564456445", CardBrand.DISCOVER),
        ("6500000000000002", CardBrand.DISCOVER),
        ("6221260000000000", CardBrand.DISCOVER),
        ("6229250000000000", CardBrand.DISCOVER),
        ("2720", CardBrand.MASTERCARD),
        ("2220990000000000", None),
        ("2721000000000000", None),
        ("6221250000000000", None),
        ("6229260000000000", None),
        ("6430000000000000", None),
        ("3530111333300000", None),  # JCB: not accepted
        ("30569309025904", None),  # Diners
        ("not a card", None),
    ],
)
def test_Y1_card_brand_detected_from_number(number, brand):
    assert card_brand(number) == brand


def test_Y1_luhn_failure_refused():
    assert luhn_valid("4242424242424242")
    assert not luhn_valid("4242424242424241")
    with pytest.raises(CardInvalid, match="please check the number"):
        validate_card("4242 4242 4242 4241", 12, 2030, "123", today=TODAY)


@pytest.mark.parametrize(
    ("number", "month", "year", "cvc", "message"),
    [
        ("4242 4242 abcd 4242", 12, 2030, "123", "only digits"),
        ("", 12, 2030, "123", "only digits"),
        ("42424242", 12, 2030, "123", "too short"),
        ("424242424242", 12, 2030, "123", "has 13, 16 or 19 digits"),  # 12 digits
        ("37828224631000", 12, 2030, "1234", "has 15 digits"),
        ("3530111333300000", 12, 2030, "123", "We accept Visa"),
        ("4242424242424242", 10, 2026, "123", "expired"),
        ("4242424242424242", 13, 2030, "123", "between 1 and 12"),
        ("4242424242424242", 12, 2030, "12", "must be 3 digits"),
        ("4242424242424242", 12, 2030, "1234", "must be 3 digits"),
        ("378282246310005", 12, 2030, "123", "must be 4 digits"),
    ],
)
def test_Y1_invalid_cards_refused_with_a_shopper_clear_message(number, month, year, cvc, message):
    with pytest.raises(CardInvalid, match=message) as refused:
        validate_card(number, month, year, cvc, today=TODAY)
    digits = number.replace(" ", "")
    assert not (len(digits) > 4 and digits in refused.value.message)  # never echoed (Y3)


def test_Y1_card_good_through_its_expiry_month_and_two_digit_years():
    card = validate_card("4242-4242-4242-4242", 11, 26, "123", today=TODAY)
    assert (card.brand, card.exp_month, card.exp_year) == (CardBrand.VISA, 11, 2026)
    assert card.number == "4242424242424242"
    assert "4242424242424242" not in repr(card)


def _with_check_digit(body: str) -> str:
    for digit in "0123456789":
        if luhn_valid(body + digit):
            return body + digit
    raise AssertionError("some check digit always works")


PREFIXES = {
    CardBrand.VISA: st.just("4"),
    CardBrand.MASTERCARD: st.integers(51, 55).map(str) | st.integers(2221, 2720).map(str),
    CardBrand.AMEX: st.sampled_from(["34", "37"]),
    CardBrand.DISCOVER: st.sampled_from(["6011", "65"])
    | st.integers(644, 649).map(str)
    | st.integers(622126, 622925).map(str),
}


@st.composite
def card_numbers(draw):
    brand = draw(st.sampled_from(list(CardBrand)))
    prefix = draw(PREFIXES[brand])
    length = draw(st.sampled_from(sorted(BRAND_LENGTHS[brand])))
    body = prefix + draw(st.text("0123456789", min_size=length - len(prefix) - 1).map(str))
    return brand, _with_check_digit(body[: length - 1])


@given(card_numbers(), st.integers(0, 18), st.integers(1, 9))
def test_Y1_brand_and_luhn_hold_for_generated_numbers(brand_and_number, position, change):
    brand, number = brand_and_number
    assert card_brand(number) == brand
    assert luhn_valid(number)
    card = validate_card(
        number, 12, 2099, "1234" if brand == CardBrand.AMEX else "123", today=TODAY
    )
    assert card.brand == brand
    # Changing any one digit breaks the Luhn check.
    position %= len(number)
    wrong = str((int(number[position]) + change) % 10)
    assert not luhn_valid(number[:position] + wrong + number[position + 1 :])
