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
