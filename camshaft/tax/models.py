"""Where the store owes tax and at what dated rates (T1)."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from camshaft.accounts.models import country_choices

UNKNOWN_COUNTRY = (
    "%(value)r is not a country code; use an ISO two-letter code such as US, CA or GB."
)

# A clerk types "430, 431 432"; spaces inside a postal code never matter.
_PREFIX_SEPARATORS = re.compile(r"[,\s]+")
_PREFIX = re.compile(r"^[A-Z0-9]+$")


def split_postal_prefixes(text: str) -> list[str]:
    """The prefixes in a comma- or space-separated list, upper-cased."""
    return [p for p in _PREFIX_SEPARATORS.split((text or "").upper()) if p]


def normalized_postal_code(postal_code: str) -> str:
    """A postal code as prefixes are compared with it: upper-cased, no spaces."""
    return re.sub(r"\s+", "", postal_code or "").upper()


def normalized_region(region: str) -> str:
    return (region or "").strip().upper()


class Facility(models.Model):
    """A place other than a warehouse (an office, a store, a returns depot)
    that gives the store nexus in its state/province and country."""

    name = models.CharField(max_length=120)
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    region = models.CharField(
        "state / province",
        max_length=60,
        blank=True,
        help_text="Its code, such as OH or ON; blank where a country has none.",
    )
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2, choices=country_choices, error_messages={"invalid_choice": UNKNOWN_COUNTRY}
    )
    is_active = models.BooleanField(
        default=True, help_text="An inactive facility gives no nexus (it was closed or sold)."
    )

    class Meta:
        ordering = ["country", "region", "name"]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.country})"

    def save(self, *args, **kwargs):
        self.country = (self.country or "").strip().upper()
        self.region = normalized_region(self.region)
        super().save(*args, **kwargs)


class TaxJurisdiction(models.Model):
    """A government that levies sales tax or VAT: a whole country (VAT, GST),
    a state/province, or a district within one (county, city, special
    district) covering the postal codes that start with its prefixes."""

    class Level(models.TextChoices):
        COUNTRY = "country", "Country"
        REGION = "region", "State / province"
        COUNTY = "county", "County"
        CITY = "city", "City"
        SPECIAL = "special", "Special district"

    name = models.CharField(max_length=120, help_text="Shown to shoppers, e.g. “Ohio sales tax”.")
    country = models.CharField(
        max_length=2, choices=country_choices, error_messages={"invalid_choice": UNKNOWN_COUNTRY}
    )
    region = models.CharField(
        "state / province",
        max_length=60,
        blank=True,
        help_text="Its code, such as OH or ON; blank for a country-level tax such as VAT.",
    )
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.REGION)
    district = models.CharField(
        max_length=120,
        blank=True,
        help_text="The county, city or special district's name; blank above district level.",
    )
    postal_prefixes = models.TextField(
        blank=True,
        help_text=(
            "Postal codes the district covers, by prefix, separated by commas or spaces "
            "(430, 431, 432). Blank: the whole state/province or country."
        ),
    )
    taxes_shipping = models.BooleanField(
        default=False, help_text="Whether shipping charges are taxed here."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        # Country first, then each state/province before its districts.
        ordering = ["country", "region", "district"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "region", "level", "district"],
                name="tax_jurisdiction_unique",
                violation_error_message=(
                    "This jurisdiction exists already; add a rate to it instead."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.country = (self.country or "").strip().upper()
        self.region = normalized_region(self.region)
        super().save(*args, **kwargs)

    def prefixes(self) -> list[str]:
        return split_postal_prefixes(self.postal_prefixes)

    def covers(self, postal_code: str) -> bool:
        """Whether a destination postal code lies in this jurisdiction (a
        jurisdiction without prefixes covers all of its region/country)."""
        prefixes = self.prefixes()
        code = normalized_postal_code(postal_code)
        return not prefixes or any(code.startswith(p) for p in prefixes)

    def clean(self):
        self.region = normalized_region(self.region)
        self.district = self.district.strip()
        prefixes = self.prefixes()
        errors = {}
        bad = [p for p in prefixes if not _PREFIX.match(p)]
        if bad:
            errors["postal_prefixes"] = (
                f"{', '.join(bad)}: a prefix is letters and digits only; "
                "list each one, e.g. 430, 431, 432."
            )
        self.postal_prefixes = ", ".join(dict.fromkeys(prefixes))
        if self.level == self.Level.COUNTRY:
            if self.region:
                errors["region"] = "A country-level tax has no state/province; leave it blank."
            if self.district or prefixes:
                errors["level"] = (
                    "A country-level tax covers the whole country: no district or postal prefixes."
                )
        elif self.level == self.Level.REGION:
            if not self.region:
                errors["region"] = "Enter the state/province code, such as OH or ON."
            if self.district or prefixes:
                errors["level"] = (
                    "A state/province tax covers the whole state/province; "
                    "choose county, city or special district for a local tax."
                )
        elif not self.district:
            errors["district"] = "Name the county, city or special district."
        if errors:
            raise ValidationError(errors)


class TaxRate(models.Model):
    """From `effective_from` on, `jurisdiction` taxes at `rate` until a
    newer row takes effect. Rows are never edited: a change is a new row, so
    the rate of any past day can still be read (orders keep what they were
    charged in any case)."""

    jurisdiction = models.ForeignKey(
        TaxJurisdiction, related_name="rates", on_delete=models.PROTECT
    )
    rate = models.DecimalField(
        max_digits=7, decimal_places=6, help_text="A fraction: 0.0575 for 5.75 %."
    )
    effective_from = models.DateField(help_text="The rate applies from this day on.")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["jurisdiction", "-effective_from", "-id"]
        indexes = [models.Index(fields=["jurisdiction", "-effective_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lt=1), name="tax_rate_fraction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rate * 100:.4f}".rstrip("0").rstrip(".") + f" % from {self.effective_from}"

    def clean(self):
        if not isinstance(self.rate, Decimal):
            return  # missing or not a number: the field has said so already
        if self.rate < 0:
            raise ValidationError({"rate": "A tax rate cannot be negative."})
        if self.rate >= 1:
            raise ValidationError(
                {
                    "rate": (
                        f"A tax rate is a fraction below 1: enter 0.0575 for 5.75 %, "
                        f"not {self.rate.normalize():f}."
                    )
                }
            )
