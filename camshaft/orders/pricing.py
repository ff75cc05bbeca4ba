"""What an order costs, worked out on the server only (K3, P1): pure
functions of the catalogue's prices, the quantities, the shipping price and
an exchange rate. Nothing a client sends is an input here."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from camshaft.core.money import Money

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class LineInput:
    """One cart line as the catalogue prices it, in the store currency."""

    part_id: int
    sku: str
    name: str
    brand: str
    mpn: str
    quantity: int
    price: Decimal
    core_charge: Decimal | None
    #: The price-match quote (P2) that set `price`, if one did.
    quote_id: int | None = None


@dataclass(frozen=True, slots=True)
class PricedLine:
    part_id: int
    sku: str
    name: str
    brand: str
    mpn: str
    quantity: int
    unit_price: Decimal
    unit_core_charge: Decimal
    line_total: Decimal
    tax_rate: Decimal = ZERO
    tax_amount: Decimal = ZERO
    quote_id: int | None = None

    @property
    def core_total(self) -> Decimal:
        return self.unit_core_charge * self.quantity


@dataclass(frozen=True, slots=True)
class OrderQuote:
    """Every amount in `currency`, each already rounded to its minor unit,
    so the lines add up to the totals exactly as the shopper reads them."""

    currency: str
    exchange_rate: Decimal
    lines: tuple[PricedLine, ...]
    items_total: Decimal
    core_total: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    discount_total: Decimal
    grand_total: Decimal
    shipping_tax: Decimal = ZERO

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)


def in_currency(amount: Decimal, currency: str, rate: Decimal) -> Decimal:
    """A store-currency amount in `currency`, rounded half up to its minor unit."""
    return Money.store(amount).converted(currency, rate=rate).amount


def quote_order(
    *,
    lines: Iterable[LineInput],
    currency: str,
    exchange_rate: Decimal,
    shipping: Decimal = ZERO,
    discount: Decimal = ZERO,
) -> OrderQuote:
    """Price `lines` in `currency`. Unit prices are converted and rounded
    first and then multiplied, so a line's total is exactly quantity × the
    unit price printed next to it (JPY: whole yen per unit). `shipping` and
    `discount` are store-currency amounts (price-match discounts come with
    P2); tax is added by `with_tax`, on the amounts in `currency`."""
    priced = tuple(
        PricedLine(
            part_id=line.part_id,
            sku=line.sku,
            name=line.name,
            brand=line.brand,
            mpn=line.mpn,
            quantity=line.quantity,
            unit_price=(unit := in_currency(line.price, currency, exchange_rate)),
            unit_core_charge=in_currency(line.core_charge or ZERO, currency, exchange_rate),
            line_total=unit * line.quantity,
            quote_id=line.quote_id,
        )
        for line in lines
    )
    return totalled(
        lines=priced,
        currency=currency,
        exchange_rate=exchange_rate,
        shipping_total=in_currency(shipping, currency, exchange_rate),
        discount_total=in_currency(discount, currency, exchange_rate),
    )


def totalled(
    *,
    lines: Iterable[PricedLine],
    currency: str,
    exchange_rate: Decimal,
    shipping_total: Decimal,
    discount_total: Decimal = ZERO,
) -> OrderQuote:
    """A quote of lines already priced in `currency` (an order's lines keep
    what the shopper paid, O2), with shipping and discount in `currency`;
    tax is added by `with_tax`."""
    priced = tuple(lines)
    items = sum((line.line_total for line in priced), ZERO)
    cores = sum((line.core_total for line in priced), ZERO)
    discount_total = min(discount_total, items)
    return OrderQuote(
        currency=currency,
        exchange_rate=exchange_rate,
        lines=priced,
        items_total=items,
        core_total=cores,
        shipping_total=shipping_total,
        tax_total=ZERO,
        discount_total=discount_total,
        grand_total=items + cores + shipping_total - discount_total,
    )


def with_tax(
    quote: OrderQuote, *, line_taxes: list[tuple[Decimal, Decimal]], shipping_tax: Decimal
) -> OrderQuote:
    """`quote` with the tax the tax rules worked out (T1): (rate, amount) for
    each line in order, already rounded in the quote's currency, and the tax
    on shipping. Core deposits are never taxed."""
    lines = tuple(
        replace(line, tax_rate=rate, tax_amount=amount)
        for line, (rate, amount) in zip(quote.lines, line_taxes, strict=True)
    )
    tax_total = sum((line.tax_amount for line in lines), ZERO) + shipping_tax
    return replace(
        quote,
        lines=lines,
        tax_total=tax_total,
        shipping_tax=shipping_tax,
        grand_total=quote.grand_total - quote.tax_total + tax_total,
    )
