"""Reading exchange rates and converting store prices (P1)."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from camshaft.core.money import CURRENCIES, Money, supported_currency
from camshaft.pricing.models import RATES_CACHE_KEY, ExchangeRate

# Long enough to spare the database on every page, short enough that a rate
# staff set for "now" shows within a minute on every app server.
RATES_CACHE_SECONDS = 60


class NoRate(LookupError):
    """No exchange rate into `currency` is in effect yet."""

    def __init__(self, currency: str):
        self.currency = currency
        super().__init__(f"No exchange rate from {settings.STORE_CURRENCY} to {currency} is set.")


def rates_at(when: datetime) -> dict[str, Decimal]:
    """The rate in effect at `when` for each currency that has one: the
    newest row whose effective_from is not after `when`."""
    rates = {}
    for currency in CURRENCIES:
        if currency == settings.STORE_CURRENCY:
            continue
        rate = (
            ExchangeRate.objects.filter(currency=currency, effective_from__lte=when)
            .order_by("-effective_from", "-id")
            .values_list("rate", flat=True)
            .first()
        )
        if rate is not None:
            rates[currency] = rate
    return rates


def current_rates() -> dict[str, Decimal]:
    """The rates in effect now, cached for up to RATES_CACHE_SECONDS (less
    when a rate set for later takes effect sooner than that)."""
    rates = cache.get(RATES_CACHE_KEY)
    if rates is None:
        now = timezone.now()
        rates = rates_at(now)
        timeout = RATES_CACHE_SECONDS
        upcoming = (
            ExchangeRate.objects.filter(effective_from__gt=now)
            .order_by("effective_from")
            .values_list("effective_from", flat=True)
            .first()
        )
        if upcoming is not None:
            timeout = max(1, min(timeout, int((upcoming - now).total_seconds()) + 1))
        cache.set(RATES_CACHE_KEY, rates, timeout)
    return rates


def current_rate(currency: str) -> Decimal:
    """Units of `currency` per unit of the store currency, now; NoRate if
    staff have not set one."""
    currency = supported_currency(currency)
    if currency == settings.STORE_CURRENCY:
        return Decimal(1)
    try:
        return current_rates()[currency]
    except KeyError:
        raise NoRate(currency) from None


def convert(money: Money, to: str, *, rate: Decimal | None = None) -> Money:
    """`money` (in the store currency) in `to`, rounded half up to `to`'s
    minor unit. `rate` defaults to the current one; pass an order's stored
    rate to reproduce what the shopper was charged."""
    to = supported_currency(to)
    if money.currency != settings.STORE_CURRENCY and money.currency != to:
        raise ValueError(f"rates are from {settings.STORE_CURRENCY}, not from {money.currency}")
    if rate is None:
        rate = current_rate(to)
    return money.converted(to, rate=rate)


def quote(amount_in_store_currency: Decimal, currency: str) -> tuple[Money, Decimal]:
    """The amount in `currency` and the rate used, for an order to keep both
    (an order's price never changes when a rate does)."""
    rate = current_rate(currency)
    return convert(Money.store(amount_in_store_currency), currency, rate=rate), rate
