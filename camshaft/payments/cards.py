"""Card numbers: brand from the number, Luhn check, expiry and CVC (Y1).

Pure functions: nothing here stores, logs or echoes a card number (Y3); the
messages of `CardInvalid` are written for the shopper and never quote it."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import TextChoices


class CardBrand(TextChoices):
    VISA = "visa", "Visa"
    MASTERCARD = "mastercard", "Mastercard"
    AMEX = "amex", "American Express"
    DISCOVER = "discover", "Discover"


# Lengths each brand issues (Y1).
BRAND_LENGTHS: dict[CardBrand, frozenset[int]] = {
    CardBrand.VISA: frozenset({13, 16, 19}),
    CardBrand.MASTERCARD: frozenset({16}),
    CardBrand.AMEX: frozenset({15}),
    CardBrand.DISCOVER: frozenset({16, 17, 18, 19}),
}
SHORTEST_CARD, LONGEST_CARD = 12, 19
_SEPARATORS = re.compile(r"[ \-]")


class CardInvalid(ValueError):
    """The card cannot be used; `message` tells the shopper why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ValidCard:
    """A card that passed `validate_card`; `number` is digits only."""

    number: str
    brand: CardBrand
    exp_month: int
    exp_year: int

    def __repr__(self) -> str:  # never print the number, even in a traceback
        return f"ValidCard(brand={self.brand!s}, last4={self.number[-4:]})"


def normalise(number: str) -> str:
    """Drop the spaces and dashes shoppers type between digit groups."""
    return _SEPARATORS.sub("", str(number).strip())


def luhn_valid(number: str) -> bool:
    digits = normalise(number)
    if not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> CardBrand | None:
    """The brand issuing numbers that start like `number`, if we accept it."""
    digits = normalise(number)
    if not digits.isdigit() or not digits.isascii():
        return None

    def starts_between(width: int, low: int, high: int) -> bool:
        return len(digits) >= width and low <= int(digits[:width]) <= high

    if digits.startswith("4"):
        return CardBrand.VISA
    if starts_between(2, 51, 55) or starts_between(4, 2221, 2720):
        return CardBrand.MASTERCARD
    if digits.startswith(("34", "37")):
        return CardBrand.AMEX
    if (
        digits.startswith(("6011", "65"))
        or starts_between(3, 644, 649)
        or starts_between(6, 622126, 622925)
    ):
        return CardBrand.DISCOVER
    return None


def cvc_length(brand: CardBrand) -> int:
    return 4 if brand is CardBrand.AMEX else 3


def validate_card(
    number: str, exp_month: int, exp_year: int, cvc: str, *, today: datetime.date
) -> ValidCard:
    """Check a card as typed at checkout; raise `CardInvalid` with the reason.

    A two-digit year means 20YY. A card is good through the last day of its
    expiry month."""
    digits = normalise(number)
    if not digits or not digits.isdigit() or not digits.isascii():
        raise CardInvalid("The card number should contain only digits.")
    if not SHORTEST_CARD <= len(digits) <= LONGEST_CARD:
        raise CardInvalid("The card number is too short or too long; please check it.")
    brand = card_brand(digits)
    if brand is None:
        raise CardInvalid(
            "We accept Visa, Mastercard, American Express and Discover; "
            "this card is not one of them."
        )
    if len(digits) not in BRAND_LENGTHS[brand]:
        raise CardInvalid(
            f"A {brand.label} card number has "
            f"{_or_list(sorted(BRAND_LENGTHS[brand]))} digits; please check the number."
        )
    if not luhn_valid(digits):
        raise CardInvalid("That card number is not valid; please check the number.")
    month, year = _expiry(exp_month, exp_year)
    if (year, month) < (today.year, today.month):
        raise CardInvalid("This card has expired; please use another card.")
    cvc = str(cvc).strip()
    if not (cvc.isdigit() and cvc.isascii() and len(cvc) == cvc_length(brand)):
        raise CardInvalid(
            f"The security code (CVC) must be {cvc_length(brand)} digits"
            + (" (4 for American Express)." if brand is not CardBrand.AMEX else ".")
        )
    return ValidCard(number=digits, brand=brand, exp_month=month, exp_year=year)


def _expiry(exp_month, exp_year) -> tuple[int, int]:
    try:
        month, year = int(exp_month), int(exp_year)
    except (TypeError, ValueError):
        raise CardInvalid("Please enter the expiry date as month and year.") from None
    if not 1 <= month <= 12:
        raise CardInvalid("The expiry month should be between 1 and 12.")
    if 0 <= year < 100:
        year += 2000
    if not 2000 <= year <= 2100:
        raise CardInvalid("Please check the expiry year.")
    return month, year


def _or_list(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
