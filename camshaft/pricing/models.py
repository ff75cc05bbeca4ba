"""Exchange rates set by staff, kept as a history (P1)."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from camshaft.core.money import CURRENCIES

#: The rates in effect now are cached under this key (see
#: `pricing.selectors.current_rates`); saving a rate forgets them.
RATES_CACHE_KEY = "pricing:current-rates"


def forget_current_rates() -> None:
    cache.delete(RATES_CACHE_KEY)


class ExchangeRate(models.Model):
    """From `effective_from` on, one unit of the store currency buys `rate`
    units of `currency`, until a newer row takes effect. Rows are never
    edited: a new rate is a new row, so every past price can be explained."""

    currency = models.CharField(max_length=3, choices=[(c, c) for c in CURRENCIES])
    rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        help_text="Units of this currency per one unit of the store currency.",
    )
    effective_from = models.DateTimeField(help_text="The rate applies from this moment on.")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("currency", "-effective_from", "-id")
        indexes = [models.Index(fields=["currency", "-effective_from"])]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {settings.STORE_CURRENCY} = {self.rate.normalize():f} {self.currency}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Now, and again once committed: a request between the two could
        # have cached the rates as they stood before this row was visible.
        forget_current_rates()
        transaction.on_commit(forget_current_rates)

    def clean(self):
        if self.currency == settings.STORE_CURRENCY:
            raise ValidationError(
                {"currency": "The store currency is always worth exactly 1; pick another."}
            )
        if self.rate is not None and self.rate <= 0:
            raise ValidationError({"rate": "A rate must be more than zero."})
