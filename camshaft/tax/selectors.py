"""Sales tax and VAT for an order, where the store has nexus (T1)."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Subquery

from camshaft.core.money import minor_unit, supported_currency
from camshaft.inventory.models import Warehouse
from camshaft.tax.models import Facility, TaxJurisdiction, TaxRate, normalized_region

ZERO = Decimal(0)
# TaxRate.rate's places. SQLite hands a subquery's decimal back through a
# float; quantizing gives the same exact rate on every database.
RATE_PLACES = Decimal("0.000001")
NO_RATE = ZERO.quantize(RATE_PLACES)


@dataclass(frozen=True, slots=True)
class Destination:
    country: str
    region: str = ""
    postal_code: str = ""


@dataclass(frozen=True, slots=True)
class TaxableLine:
    key: object  # anything hashable the caller uses to find the line again
    amount: Decimal  # in the order currency, already rounded


@dataclass(frozen=True, slots=True)
class TaxQuote:
    line_rates: dict  # key -> combined rate applied to that line (0 when none)
    line_taxes: dict  # key -> tax amount
    shipping_tax: Decimal
    total: Decimal  # line taxes + shipping tax
    jurisdictions: tuple[str, ...]  # names of the jurisdictions that applied, for display


def _nexus_regions(country: str) -> set[str] | None:
    """The states/provinces of `country` where the store has an active
    warehouse or facility ("" for one without a state), or None when it has
    none in the country at all. One query."""
    # order_by(): a compound statement's parts may not be ordered (SQLite).
    warehouses = (
        Warehouse.objects.filter(is_active=True, country__iexact=country)
        .order_by()
        .values_list("state", flat=True)
    )
    facilities = (
        Facility.objects.filter(is_active=True, country__iexact=country)
        .order_by()
        .values_list("region", flat=True)
    )
    regions = {normalized_region(r) for r in warehouses.union(facilities)}
    return regions or None


def has_nexus(*, country: str, region: str = "") -> bool:
    """Whether the store has an active warehouse or facility in `region` of
    `country`, or, with no region (country-level taxes), anywhere in it."""
    regions = _nexus_regions((country or "").strip().upper())
    if regions is None:
        return False
    region = normalized_region(region)
    return not region or region in regions


def _applicable(destination: Destination, on: date) -> list[tuple[TaxJurisdiction, Decimal]]:
    """The active jurisdictions of `destination` where the store has nexus,
    each with its rate in force `on` (those with none yet are left out)."""
    country = (destination.country or "").strip().upper()
    if not country:
        return []
    nexus = _nexus_regions(country)
    if nexus is None:
        return []
    region = normalized_region(destination.region)
    in_force = (
        TaxRate.objects.filter(jurisdiction=OuterRef("pk"), effective_from__lte=on)
        .order_by("-effective_from", "-id")
        .values("rate")[:1]
    )
    candidates = TaxJurisdiction.objects.filter(
        is_active=True, country=country, region__in=["", region]
    ).annotate(rate_in_force=Subquery(in_force))
    return [
        (jurisdiction, jurisdiction.rate_in_force.quantize(RATE_PLACES))
        for jurisdiction in candidates
        # A country-level tax needs nexus anywhere in the country; a state's
        # or district's needs it in that state.
        if jurisdiction.rate_in_force is not None
        and (not jurisdiction.region or jurisdiction.region in nexus)
        and jurisdiction.covers(destination.postal_code)
    ]


def _taxed(amount: Decimal, rate: Decimal, unit: Decimal) -> Decimal:
    if isinstance(amount, float) or not isinstance(amount, Decimal | int):
        raise TypeError("a taxable amount is a Decimal, never a float")
    return (Decimal(amount) * rate).quantize(unit, rounding=ROUND_HALF_UP)


def tax_for(
    *,
    destination: Destination,
    lines: list[TaxableLine],
    shipping: Decimal,
    currency: str,
    on: date,
) -> TaxQuote:
    """The tax on an order shipped to `destination` on day `on`: each line
    and the shipping charge times the combined rate of the jurisdictions
    that apply, rounded half up to the currency's minor unit. Zero where the
    store has no nexus or no jurisdiction is set up. Two queries, however
    many lines. The caller stores the result with the order, so a later
    rate change never alters it."""
    unit = minor_unit(supported_currency(currency))
    applicable = _applicable(destination, on)
    rate = sum((r for _, r in applicable), NO_RATE)
    shipping_rate = sum((r for j, r in applicable if j.taxes_shipping), NO_RATE)

    line_rates, line_taxes = {}, {}
    for line in lines:
        if line.key in line_taxes:
            raise ValueError(f"two taxable lines have the key {line.key!r}")
        line_rates[line.key] = rate
        line_taxes[line.key] = _taxed(line.amount, rate, unit)
    shipping_tax = _taxed(shipping, shipping_rate, unit)
    return TaxQuote(
        line_rates=line_rates,
        line_taxes=line_taxes,
        shipping_tax=shipping_tax,
        total=sum(line_taxes.values(), ZERO) + shipping_tax,
        jurisdictions=tuple(j.name for j, _ in applicable),
    )
