"""JSON API: supported currencies, current rates and price conversion (P1).

Prices elsewhere in the API are in the store currency; a client shows them
in another currency with the rates from /currencies, or asks
/prices/convert, which rounds exactly as the storefront does."""

from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from camshaft.core.api_schemas import DecimalText, InputSchema, responses
from camshaft.core.money import CURRENCIES, Money, minor_unit
from camshaft.pricing import selectors

router = Router(tags=["Prices"])

CurrencyCode = Literal[CURRENCIES]  # type: ignore[valid-type]


class CurrencyOut(Schema):
    code: str
    decimal_places: int = Field(..., description="0 for JPY, which has no minor unit")
    rate: Decimal | None = Field(
        ..., description="Units per one unit of the store currency; null until staff set one"
    )


class CurrenciesOut(Schema):
    store_currency: str
    currencies: list[CurrencyOut]


class ConvertIn(InputSchema):
    amount: DecimalText(
        whole_digits=12, places=4, description='In the store currency, like "19.99"'
    )
    currency: CurrencyCode


class ConvertOut(Schema):
    store_amount: Decimal
    store_currency: str
    amount: Decimal
    currency: str
    rate: Decimal
    formatted: str


@router.get("/currencies", response=responses(CurrenciesOut))
def currencies(request: HttpRequest):
    rates = selectors.current_rates()
    store = settings.STORE_CURRENCY
    return {
        "store_currency": store,
        "currencies": [
            {
                "code": code,
                "decimal_places": -minor_unit(code).as_tuple().exponent,
                "rate": Decimal(1) if code == store else rates.get(code),
            }
            for code in CURRENCIES
        ],
    }


@router.get("/prices/convert", response=responses(ConvertOut, 404))
def convert_price(request: HttpRequest, q: Query[ConvertIn]):
    try:
        converted, rate = selectors.quote(q.amount, q.currency)
    except selectors.NoRate as problem:
        return 404, {"detail": str(problem)}
    return {
        "store_amount": Money.store(q.amount).rounded().amount,
        "store_currency": settings.STORE_CURRENCY,
        "amount": converted.amount,
        "currency": converted.currency,
        "rate": rate,
        "formatted": str(converted),
    }
