"""Money: a Decimal amount with an ISO currency code, never a float (P1)."""

from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision
from django.conf import settings

# The currencies a shopper may pick (P1). Order is the order of the picker.
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "INR", "JPY")


class UnsupportedCurrency(ValueError):
    """A currency code the store does not sell in."""

    def __init__(self, code: object):
        self.code = code
        super().__init__(
            f"{str(code)[:10]!r} is not a currency we support; choose one of "
            f"{', '.join(CURRENCIES)}."
        )


def supported_currency(code: object) -> str:
    """`code` as a supported ISO code ("eur" -> "EUR"), or UnsupportedCurrency."""
    normalized = code.strip().upper() if isinstance(code, str) else ""
    if normalized not in CURRENCIES:
        raise UnsupportedCurrency(code)
    return normalized


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency`: 0.01 for USD, 1 for JPY (babel knows
    each currency's precision, so none is hard-coded here)."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        if isinstance(self.amount, float):
            raise TypeError("Money takes a Decimal, never a float")
        object.__setattr__(self, "amount", Decimal(self.amount))

    @classmethod
    def store(cls, amount: Decimal) -> "Money":
        return cls(amount, settings.STORE_CURRENCY)

    def rounded(self) -> "Money":
        return Money(
            self.amount.quantize(minor_unit(self.currency), rounding=ROUND_HALF_UP), self.currency
        )

    def converted(self, to: str, *, rate: Decimal) -> "Money":
        """This amount in `to` at `rate` (units of `to` per unit of this
        currency), rounded half up to `to`'s minor unit."""
        if isinstance(rate, float) or not isinstance(rate, Decimal | int):
            raise TypeError("an exchange rate is a Decimal, never a float")
        if not Decimal(rate).is_finite() or rate <= 0:
            raise ValueError("an exchange rate must be a positive number")
        if to == self.currency:
            return self.rounded()
        return Money(self.amount * Decimal(rate), to).rounded()

    def __add__(self, other: "Money") -> "Money":
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def __str__(self) -> str:
        return format_currency(self.rounded().amount, self.currency, locale="en_US")


@dataclass(frozen=True, slots=True)
class DisplayCurrency:
    """The currency a shopper sees prices in, with the rate from the store
    currency that was current when their request began."""

    currency: str
    rate: Decimal


# Set by camshaft.pricing.middleware for the length of one request and reset
# after it, so store amounts show in the shopper's currency. It lives here,
# not in the pricing app, because core imports no app.
display_currency: ContextVar[DisplayCurrency | None] = ContextVar("display_currency", default=None)


def for_display(amount: Decimal) -> Money:
    """A store-currency amount as the current shopper should see it: in their
    display currency when one is set, else in the store currency."""
    shown = display_currency.get()
    money = Money.store(amount)
    if shown is None or shown.currency == money.currency:
        return money
    return money.converted(shown.currency, rate=shown.rate)
