"""{{ amount|money }}: formats a Decimal (store currency) or a Money, once, here.

A bare amount is a store-currency price and shows in the shopper's display
currency (P1); `{{ amount|money:"EUR" }}` and a Money (an order's total, say)
are shown in their own currency, never converted."""

from decimal import Decimal

from django import template

from camshaft.core.money import Money, for_display

register = template.Library()


@register.filter
def money(value, currency: str | None = None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Money):
        return str(value)
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    return str(Money(amount, currency) if currency else for_display(amount))
