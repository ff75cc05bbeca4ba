"""Staff set exchange rates (P1)."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from camshaft.core.money import supported_currency
from camshaft.pricing.models import ExchangeRate


@transaction.atomic
def set_rate(
    *,
    currency: str,
    rate: Decimal,
    effective_from: datetime | None = None,
    by=None,
) -> ExchangeRate:
    """Record that from `effective_from` (default: now) one unit of the store
    currency buys `rate` of `currency`. Earlier rates stay as history."""
    currency = supported_currency(currency)
    if isinstance(rate, float) or not isinstance(rate, Decimal | int):
        raise ValidationError("An exchange rate is a Decimal, never a float.")
    rate = Decimal(rate)
    if not rate.is_finite() or rate <= 0:
        raise ValidationError("An exchange rate must be more than zero.")
    if currency == settings.STORE_CURRENCY:
        raise ValidationError("The store currency is always worth exactly 1.")
    row = ExchangeRate(
        currency=currency,
        rate=rate,
        effective_from=effective_from or timezone.now(),
        set_by=by if by is not None and by.is_authenticated else None,
    )
    row.full_clean()
    row.save()
    return row


# Roughly the rates of late 2026, for a demo store only: a real store's
# staff set their own in the back office before selling in these currencies.
DEMO_RATES = {
    "EUR": Decimal("0.92"),
    "GBP": Decimal("0.79"),
    "CAD": Decimal("1.37"),
    "AUD": Decimal("1.53"),
    "INR": Decimal("83.40"),
    "JPY": Decimal("151.20"),
}


@transaction.atomic
def seed_demo_rates() -> list[str]:
    """Give every currency that has no rate yet a demo rate, so a new demo
    store's currency picker works; returns the currencies seeded."""
    seeded = []
    for currency, rate in DEMO_RATES.items():
        if currency == settings.STORE_CURRENCY:
            continue
        if not ExchangeRate.objects.filter(currency=currency).exists():
            set_rate(currency=currency, rate=rate)
            seeded.append(currency)
    return seeded
