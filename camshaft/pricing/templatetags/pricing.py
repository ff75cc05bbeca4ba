"""{% display_currencies as choices %}: what the currency picker offers."""

from babel.numbers import get_currency_name, get_currency_symbol
from django import template

from camshaft.core.money import CURRENCIES

register = template.Library()


@register.simple_tag
def display_currencies() -> list[dict]:
    return [
        {
            "code": code,
            "label": f"{code} {get_currency_symbol(code, locale='en_US')} "
            f"{get_currency_name(code, locale='en_US')}",
        }
        for code in CURRENCIES
    ]
