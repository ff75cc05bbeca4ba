"""Money: a Decimal amount with an ISO currency code, never a float (P1)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision
from django.conf import settings


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency`: 0.01 for USD, 1 for JPY."""
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

    def __add__(self, other: "Money") -> "Money":
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def __str__(self) -> str:
        return format_currency(self.rounded().amount, self.currency, locale="en_US")
