"""Sets the shopper's display currency for the request (P1)."""

from django.conf import settings

from camshaft.core.money import (
    DisplayCurrency,
    UnsupportedCurrency,
    display_currency,
    supported_currency,
)
from camshaft.pricing import selectors
from camshaft.pricing.cookie import COOKIE as CURRENCY_COOKIE

CURRENCY_HEADER = "X-Currency"  # API clients without cookies


def display_currency_for(request) -> DisplayCurrency | None:
    """The shopper's chosen currency (the X-Currency header, else the
    currency cookie) and its current rate; None (the store currency) when
    they chose none, chose something we do not sell in, or staff have not
    set a rate for it yet."""
    try:
        code = supported_currency(
            request.headers.get(CURRENCY_HEADER) or request.COOKIES[CURRENCY_COOKIE]
        )
        return DisplayCurrency(currency=code, rate=selectors.current_rate(code))
    except (KeyError, UnsupportedCurrency, selectors.NoRate):
        return None


class DisplayCurrencyMiddleware:
    """Sets `request.currency` and, for templates' `money` filter, the
    display-currency ContextVar, which is reset when the request ends so a
    worker thread never shows the next shopper the last one's currency."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        shown = display_currency_for(request)
        if shown is not None and shown.currency == settings.STORE_CURRENCY:
            shown = None
        request.currency = shown.currency if shown else settings.STORE_CURRENCY
        token = display_currency.set(shown)
        try:
            return self.get_response(request)
        finally:
            display_currency.reset(token)
