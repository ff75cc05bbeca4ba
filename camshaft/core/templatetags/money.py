"""{{ amount|money }}: formats a Decimal (store currency) or a Money, once, here."""

from decimal import Decimal

from django import template

from camshaft.core.money import Money

register = template.Library()


@register.filter
def money(value, currency: str | None = None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Money):
        return str(value)
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    return str(Money(amount, currency) if currency else Money.store(amount))
