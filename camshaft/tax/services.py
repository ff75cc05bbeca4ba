"""Staff set up tax jurisdictions and their dated rates (T1)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from camshaft.tax.models import TaxJurisdiction, TaxRate, normalized_region


@transaction.atomic
def add_jurisdiction(
    *,
    name: str,
    country: str,
    region: str = "",
    level: str = TaxJurisdiction.Level.REGION,
    district: str = "",
    postal_prefixes: str = "",
    taxes_shipping: bool = False,
) -> TaxJurisdiction:
    """A new jurisdiction, validated as the back office validates it; it
    charges nothing until it has a rate."""
    jurisdiction = TaxJurisdiction(
        name=name,
        country=(country or "").strip().upper(),
        region=normalized_region(region),
        level=level,
        district=district,
        postal_prefixes=postal_prefixes,
        taxes_shipping=taxes_shipping,
    )
    jurisdiction.full_clean()
    jurisdiction.save()
    return jurisdiction


@transaction.atomic
def set_rate(
    *, jurisdiction: TaxJurisdiction, rate: Decimal, effective_from: date, by=None
) -> TaxRate:
    """Record that `jurisdiction` taxes at `rate` (a fraction: 0.0575 for
    5.75 %) from `effective_from` on. Earlier rates stay as history; a second
    rate on the same day replaces the first for that day on."""
    if isinstance(rate, float) or not isinstance(rate, Decimal | int):
        raise ValidationError({"rate": "A tax rate is a Decimal, never a float."})
    rate = Decimal(rate)
    if not rate.is_finite():
        raise ValidationError({"rate": "A tax rate must be a number."})
    row = TaxRate(
        jurisdiction=jurisdiction,
        rate=rate,
        effective_from=effective_from,
        set_by=by if by is not None and by.is_authenticated else None,
    )
    row.full_clean()
    row.save()
    return row


@dataclass(frozen=True)
class _DemoTax:
    name: str
    country: str
    region: str
    rate: Decimal
    taxes_shipping: bool
    level: str = TaxJurisdiction.Level.REGION
    district: str = ""
    postal_prefixes: str = ""


# For the demo store's warehouses only (Columbus, Reno, Dallas, Mississauga,
# Rotterdam, Birmingham): a real store's staff enter their own.
DEMO_RATES_FROM = date(2020, 1, 1)
DEMO_TAXES = (
    _DemoTax("Ohio sales tax", "US", "OH", Decimal("0.0575"), taxes_shipping=True),
    _DemoTax(
        "Franklin County sales tax",
        "US",
        "OH",
        Decimal("0.015"),
        taxes_shipping=True,
        level=TaxJurisdiction.Level.COUNTY,
        district="Franklin County",
        postal_prefixes="430, 431, 432",
    ),
    _DemoTax("Nevada sales tax", "US", "NV", Decimal("0.0685"), taxes_shipping=False),
    _DemoTax("Texas sales tax", "US", "TX", Decimal("0.0625"), taxes_shipping=True),
    _DemoTax("Ontario HST", "CA", "ON", Decimal("0.13"), taxes_shipping=True),
    _DemoTax(
        "Netherlands VAT",
        "NL",
        "",
        Decimal("0.21"),
        taxes_shipping=True,
        level=TaxJurisdiction.Level.COUNTRY,
    ),
    _DemoTax(
        "United Kingdom VAT",
        "GB",
        "",
        Decimal("0.20"),
        taxes_shipping=True,
        level=TaxJurisdiction.Level.COUNTRY,
    ),
)


@transaction.atomic
def seed_demo_tax() -> list[TaxRate]:
    """Create the demo jurisdictions and rates that are missing (a
    jurisdiction staff already gave a rate is left as it is); returns the
    rates created, each with its jurisdiction."""
    created = []
    for demo in DEMO_TAXES:
        jurisdiction = TaxJurisdiction.objects.filter(
            country=demo.country, region=demo.region, level=demo.level, district=demo.district
        ).first()
        if jurisdiction is None:
            jurisdiction = add_jurisdiction(
                name=demo.name,
                country=demo.country,
                region=demo.region,
                level=demo.level,
                district=demo.district,
                postal_prefixes=demo.postal_prefixes,
                taxes_shipping=demo.taxes_shipping,
            )
        elif jurisdiction.rates.exists():
            continue
        created.append(
            set_rate(jurisdiction=jurisdiction, rate=demo.rate, effective_from=DEMO_RATES_FROM)
        )
    return created
